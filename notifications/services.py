"""Every write of the notification service. Callers use `notify` inside their own
transaction; the pages use the rest."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from events.outbox import enqueue_on_commit
from integrations.sms.types import is_e164, normalize_phone_number
from notifications import kinds, rendering, selectors, timing
from notifications.kinds import Category, Channel
from notifications.models import (
    ContactPoint,
    Delivery,
    Notification,
    NotificationPreference,
    NotificationSettings,
)
from notifications.senders import SKIP_ADDRESS_BOUNCED, address_suppressed

logger = logging.getLogger(__name__)

# A queued delivery whose task never ran (a lost publish) is enqueued again after this.
REDRIVE_AFTER = timedelta(minutes=10)
QUIET_CHANNELS = frozenset({Channel.SMS, Channel.PUSH})


def _existing(
    *, recipient: User | None, email: str, type_key: str, dedupe_key: str
) -> Notification | None:
    found = Notification.objects.filter(type_key=type_key, dedupe_key=dedupe_key)
    if recipient is not None:
        return found.filter(recipient=recipient).first()
    return found.filter(recipient__isnull=True, email__iexact=email).first()


def notify(
    *,
    recipient: User | None,
    type_key: str,
    context: dict,
    dedupe_key: str,
    link: str = "",
    email: str = "",
    event_at: datetime | None = None,
    channels: Iterable[Channel] | None = None,
) -> Notification:
    """Records a notification and one delivery per channel that its type allows, the
    caller asked for (`channels`) and the person wants, and sends them after the caller's
    transaction commits (nothing is sent if it rolls back). Calling again with the same
    recipient (or email), type and `dedupe_key` returns the first one and creates
    nothing. `email` is for people without an account: email only. `event_at` is when
    the thing happens; SMS and push are not held for quiet hours ending after it.
    Never raises because a channel is unavailable."""
    notification_type = kinds.get(type_key)
    email = "" if recipient is not None else email.strip()
    if recipient is None and not email:
        raise ValueError("notify() needs a recipient or an email address.")
    existing = _existing(recipient=recipient, email=email, type_key=type_key, dedupe_key=dedupe_key)
    if existing is not None:
        return existing

    wanted = rendering.type_channels(notification_type)
    if channels is not None:
        wanted &= {Channel(channel) for channel in channels}
    if recipient is None:
        wanted &= {Channel.EMAIL}
    else:
        wanted &= selectors.enabled_channels(recipient, notification_type.category)

    notification = Notification(
        recipient=recipient,
        email=email,
        type_key=type_key,
        category=notification_type.category,
        dedupe_key=dedupe_key,
        context=context,
        link=link,
        event_at=event_at,
    )
    if Channel.IN_APP in wanted:
        in_app = rendering.render_in_app(notification)
        notification.title, notification.body = in_app.title, in_app.body
    try:
        # A savepoint: a concurrent caller that inserted the same key first wins, and
        # this one returns that row instead of breaking the caller's transaction.
        with transaction.atomic():
            notification.save()
    except IntegrityError:
        existing = _existing(
            recipient=recipient, email=email, type_key=type_key, dedupe_key=dedupe_key
        )
        if existing is None:
            raise
        return existing

    deliveries = _plan_deliveries(notification, notification_type, wanted)
    Delivery.objects.bulk_create(deliveries)
    from notifications import tasks  # the tasks module imports this one

    for delivery in deliveries:
        if delivery.state == Delivery.State.PENDING:
            enqueue_on_commit(tasks.deliver, delivery.pk)
    if recipient is not None and Channel.IN_APP in wanted:
        user_id = recipient.pk
        transaction.on_commit(lambda: unread_changed(user_id=user_id), robust=True)
    return notification


def _plan_deliveries(
    notification: Notification, notification_type: kinds.NotificationType, wanted: set[Channel]
) -> list[Delivery]:
    """Each channel's first state: in-app is delivered by the row itself; email waits for
    the digest when the person chose one (or is skipped for a bounced address); SMS and
    push wait out quiet hours."""
    now = timezone.now()
    recipient = notification.recipient
    person_settings = selectors.settings_for(recipient) if recipient is not None else None
    deliveries = []
    for channel in sorted(wanted):
        delivery = Delivery(notification=notification, channel=channel, created_at=now)
        if channel == Channel.IN_APP:
            delivery.state = Delivery.State.SENT
            delivery.sent_at = now
        elif channel == Channel.EMAIL and address_suppressed(notification.address):
            delivery.state = Delivery.State.SKIPPED
            delivery.skip_reason = SKIP_ADDRESS_BOUNCED
        elif (
            channel == Channel.EMAIL
            and recipient is not None
            and person_settings is not None
            and person_settings.email_digest
            and notification_type.digestible
        ):
            delivery.state = Delivery.State.HELD
            delivery.in_digest = True
            delivery.next_attempt_at = timing.next_digest_at(
                user=recipient, settings=person_settings, now=now
            )
        else:
            held_until = None
            if channel in QUIET_CHANNELS and recipient is not None and person_settings:
                held_until = timing.hold_until(
                    user=recipient,
                    settings=person_settings,
                    now=now,
                    event_at=notification.event_at,
                )
            if held_until is not None:
                delivery.state = Delivery.State.HELD
                delivery.next_attempt_at = held_until
            else:
                delivery.state = Delivery.State.PENDING
                delivery.next_attempt_at = now + REDRIVE_AFTER
        deliveries.append(delivery)
    return deliveries


def unread_changed(*, user_id: int) -> None:
    """Forgets the cached unread count and tells the person's open pages the new one."""
    selectors.unread_count_forget(user_id)
    try:
        from notifications import live  # notify-ui's module; absent in a partial build
    except ImportError:
        return
    try:
        live.publish_unread(user_id)
    except Exception:
        # The bell also polls: a channel layer outage must not fail the caller.
        logger.warning("notifications: live unread count not published", exc_info=True)


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Marks one of the person's notifications read (Notification.DoesNotExist for
    anyone else's, so a page answers 404)."""
    notification = selectors.notifications_for(user).get(pk=notification_id)
    if notification.read_at is None:
        updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        notification.refresh_from_db(fields=["read_at"])
        if updated:
            user_id = user.pk
            transaction.on_commit(lambda: unread_changed(user_id=user_id), robust=True)
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    """Marks every unread notification of the person read; returns how many."""
    updated = Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if updated:
        user_id = user.pk
        transaction.on_commit(lambda: unread_changed(user_id=user_id), robust=True)
    return updated


def preference_set(*, user: User, category: str, channel: str, enabled: bool) -> None:
    """Saves the person's choice for one category and channel. ValidationError for a
    channel the category cannot use and for required notifications (always on)."""
    from notifications import preferences

    if category not in Category.values or channel not in Channel.values:
        raise ValidationError("Unknown notification category or channel.", code="unknown")
    if preferences.is_locked(category, channel) or category == Category.REQUIRED:
        raise ValidationError(
            "Required notifications (receipts, security alerts, policy changes) cannot be "
            "turned off.",
            code="locked",
        )
    if not preferences.is_available(category, channel):
        raise ValidationError("This kind of notification is not sent that way.", code="unavailable")
    NotificationPreference.objects.update_or_create(
        user=user, category=category, channel=channel, defaults={"enabled": enabled}
    )


def notification_settings_update(
    *,
    user: User,
    quiet_start: time | None,
    quiet_end: time | None,
    digest: bool,
    digest_hour: int | None = None,
    language: str | None = None,
) -> NotificationSettings:
    """Saves quiet hours (both times or neither, local to the person's zone), the daily
    digest choice and, if given, its hour and the language."""
    if (quiet_start is None) != (quiet_end is None):
        raise ValidationError(
            "Give both a start and an end for quiet hours, or neither.", code="quiet_hours"
        )
    if quiet_start is not None and quiet_start == quiet_end:
        raise ValidationError(
            "Quiet hours must start and end at different times.", code="quiet_hours"
        )
    if digest_hour is not None and not 0 <= digest_hour <= 23:
        raise ValidationError("The digest hour must be between 0 and 23.", code="digest_hour")
    if language is not None:
        from django.conf import settings as django_settings

        codes = {code for code, _name in django_settings.LANGUAGES}
        if language and language not in codes:
            raise ValidationError("That language is not offered.", code="language")
    person_settings, _created = NotificationSettings.objects.get_or_create(user=user)
    person_settings.quiet_start = quiet_start
    person_settings.quiet_end = quiet_end
    person_settings.email_digest = digest
    if digest_hour is not None:
        person_settings.digest_hour = digest_hour
    if language is not None:
        person_settings.language = language
    person_settings.save()
    return person_settings


@transaction.atomic
def contact_point_set(*, user: User, phone_number: str, sms_opt_in: bool) -> ContactPoint:
    """Saves the person's mobile number (E.164) and their consent to texts, recording
    when consent was given or withdrawn. ValidationError for a malformed number or for
    consent without a number."""
    phone_number = normalize_phone_number(phone_number)
    if phone_number and not is_e164(phone_number):
        raise ValidationError(
            "Enter the number in international form, for example +447700900123.",
            code="phone_number",
        )
    if sms_opt_in and not phone_number:
        raise ValidationError("Add a mobile number to receive text messages.", code="phone_number")
    contact, _created = ContactPoint.objects.select_for_update().get_or_create(user=user)
    now = timezone.now()
    if sms_opt_in and not contact.sms_opt_in:
        contact.sms_consent_at = now
    if contact.sms_opt_in and not sms_opt_in:
        contact.sms_withdrawn_at = now
    elif sms_opt_in and phone_number != contact.phone_number and contact.sms_opt_in:
        # Consent was given for the old number; the new one is agreed to now.
        contact.sms_consent_at = now
    contact.phone_number = phone_number
    contact.sms_opt_in = sms_opt_in
    contact.save()
    if not sms_opt_in:
        _skip_queued_texts(user=user)
    return contact


def _skip_queued_texts(*, user: User) -> None:
    """Withdrawing consent also stops texts already queued or held for quiet hours (the
    sender checks again at send time for the ones already claimed)."""
    Delivery.objects.filter(
        Q(state__in=[Delivery.State.PENDING, Delivery.State.HELD])
        | Q(state=Delivery.State.FAILED, next_attempt_at__isnull=False),
        notification__recipient=user,
        channel=Channel.SMS,
    ).update(state=Delivery.State.SKIPPED, skip_reason="consent withdrawn", next_attempt_at=None)
