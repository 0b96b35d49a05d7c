"""Which channels each category can use, which are on by default, and which cannot be
turned off. Kept apart from the models so the settings page, the selectors and the
service read one table."""

from notifications.kinds import Category, Channel

ALL_CHANNELS = frozenset(Channel)

# Channels a person may switch on for a category at all. Marketing is email only (the
# existing unsubscribe headers cover it); payments and courses do not justify a text.
AVAILABLE: dict[Category, frozenset[Channel]] = {
    Category.BOOKINGS: ALL_CHANNELS,
    Category.REMINDERS: ALL_CHANNELS,
    Category.MESSAGES: ALL_CHANNELS,
    Category.PAYMENTS: frozenset({Channel.IN_APP, Channel.EMAIL, Channel.PUSH}),
    Category.COURSES: frozenset({Channel.IN_APP, Channel.EMAIL, Channel.PUSH}),
    Category.MARKETING: frozenset({Channel.EMAIL}),
    Category.REQUIRED: frozenset({Channel.IN_APP, Channel.EMAIL}),
}

# On until the person turns them off. Marketing is opt-in, so nothing is on by default.
DEFAULT_ON: dict[Category, frozenset[Channel]] = {
    Category.BOOKINGS: frozenset({Channel.IN_APP, Channel.EMAIL, Channel.PUSH}),
    Category.REMINDERS: ALL_CHANNELS,
    Category.MESSAGES: frozenset({Channel.IN_APP, Channel.EMAIL, Channel.PUSH}),
    Category.PAYMENTS: frozenset({Channel.IN_APP, Channel.EMAIL}),
    Category.COURSES: frozenset({Channel.IN_APP, Channel.EMAIL}),
    Category.MARKETING: frozenset(),
    Category.REQUIRED: frozenset({Channel.IN_APP, Channel.EMAIL}),
}

# Receipts, security alerts and policy changes: the law (or the account's safety) needs
# them delivered, so these cannot be switched off.
LOCKED: dict[Category, frozenset[Channel]] = {
    Category.REQUIRED: frozenset({Channel.IN_APP, Channel.EMAIL}),
}


def is_available(category: str, channel: str) -> bool:
    return Channel(channel) in AVAILABLE[Category(category)]


def is_locked(category: str, channel: str) -> bool:
    return Channel(channel) in LOCKED.get(Category(category), frozenset())


def default_enabled(category: str, channel: str) -> bool:
    return Channel(channel) in DEFAULT_ON[Category(category)]
