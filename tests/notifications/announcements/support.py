"""People and announcements for the announcement tests."""

from django.contrib.auth.models import Group

from accounts.models import User
from notifications.announcements.models import Announcement
from notifications.announcements.services import announcement_save, announcement_schedule
from notifications.models import NotificationPreference

BODY = (
    "Our new **evening sessions** start in May.\n\n"
    "- Book at [the directory](/practitioners/)\n- Ask us anything"
)


def person(email: str, *, group: str = "", active: bool = True) -> User:
    user = User.objects.create_user(email=email, password="x-unused-1", is_active=active)
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


def wants_news(user: User) -> None:
    NotificationPreference.objects.create(
        user=user, category="marketing", channel="email", enabled=True
    )


def announcement(
    *,
    kind: str = "policy_change",
    channels=("in_app", "email"),
    segment_key: str = "everyone",
    segment_params=None,
    title: str = "New terms from 1 May",
    link: str = "",
) -> Announcement:
    return announcement_save(
        announcement_id=None,
        title=title,
        body=BODY,
        kind=kind,
        channels=list(channels),
        segment_key=segment_key,
        segment_params=segment_params or {},
        link=link,
    )


def scheduled(**kwargs) -> Announcement:
    from django.utils import timezone

    draft = announcement(**kwargs)
    return announcement_schedule(announcement_id=draft.pk, send_at=timezone.now())
