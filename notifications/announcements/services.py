"""Writing, scheduling and sending announcements (decision 0039). Sending is a fan-out
through notifications.notify in batches: one run at a time holds an announcement (a
claim with a lease), each batch commits with its cursor, and notify's dedupe key
(`announcement:<id>`) makes a batch run twice harmless, so a run that dies resumes where
the last committed batch ended and nobody hears twice."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from notifications import kinds, preferences, rendering
from notifications.announcements.markup import allowed_url
from notifications.announcements.models import TYPE_KEYS, Announcement
from notifications.kinds import Channel
from notifications.segments import segment_params_clean, segment_recipients
from notifications.services import notify

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# A claim not renewed for this long belongs to a run that died: another run may resume.
CLAIM_LEASE = timedelta(minutes=5)


def channels_for_kind(kind: str) -> list[Channel]:
    """The channels an announcement of this kind can go out on: what its notification
    type allows, has templates for, and its category may use at all."""
    notification_type = kinds.get(TYPE_KEYS[Announcement.Kind(kind)])
    usable = rendering.type_channels(notification_type) & set(
        preferences.AVAILABLE[notification_type.category]
    )
    return [channel for channel in Channel if channel in usable]


def announcement_fields_errors(*, kind: str, channels: Iterable[str], link: str) -> dict[str, str]:
    """What is wrong with the kind, channels and link together (the form shows the same
    messages before the service is called)."""
    errors: dict[str, str] = {}
    if kind not in Announcement.Kind.values:
        errors["kind"] = "Choose news and offers or a policy change."
    else:
        usable = channels_for_kind(kind)
        chosen = set(channels)
        if not chosen:
            errors["channels"] = "Choose at least one way to send it."
        elif not chosen <= set(usable):
            names = ", ".join(Channel(channel).label for channel in usable)
            errors["channels"] = f"{Announcement.Kind(kind).label} can only go by: {names}."
    link = link.strip()
    if link and (not allowed_url(link) or not link.startswith("/")):
        errors["link"] = "Give a page of this site, starting with /."
    return errors


def _clean(
    *, title: str, body: str, kind: str, channels: Iterable[str], link: str
) -> tuple[str, str, list[str], str]:
    errors = announcement_fields_errors(kind=kind, channels=channels, link=link)
    title, body, link = title.strip(), body.strip(), link.strip()
    if not title:
        errors["title"] = "Give the announcement a title."
    if not body:
        errors["body"] = "Write the announcement."
    if errors:
        raise ValidationError(errors)
    chosen = [channel.value for channel in Channel if channel in set(channels)]
    return title, body, chosen, link


@transaction.atomic
def announcement_save(
    *,
    announcement_id: int | None,
    title: str,
    body: str,
    kind: str,
    channels: Iterable[str],
    segment_key: str,
    segment_params: dict[str, Any],
    link: str = "",
    author: User | None = None,
) -> Announcement:
    """Creates a draft, or changes one not yet under way. ValidationError per field."""
    title, body, chosen, link = _clean(
        title=title, body=body, kind=kind, channels=channels, link=link
    )
    try:
        params = segment_params_clean(key=segment_key, params=segment_params)
    except ValidationError as error:
        raise ValidationError({"segment_key": error.messages}) from None
    if announcement_id is None:
        announcement = Announcement(created_by=author)
    else:
        announcement = Announcement.objects.select_for_update().get(pk=announcement_id)
        if not announcement.editable:
            raise ValidationError("This announcement is already being sent or was sent.")
    announcement.title, announcement.body, announcement.kind = title, body, kind
    announcement.channels, announcement.link = chosen, link
    announcement.segment_key, announcement.segment_params = segment_key, params
    announcement.save()
    return announcement


@transaction.atomic
def announcement_schedule(*, announcement_id: int, send_at: datetime | None) -> Announcement:
    """Schedules a draft (or moves a scheduled one) to `send_at`; None sends it now. A
    time in the past is refused rather than sent at once by surprise."""
    announcement = Announcement.objects.select_for_update().get(pk=announcement_id)
    if not announcement.editable:
        raise ValidationError("This announcement is already being sent or was sent.")
    now = timezone.now()
    if send_at is not None and send_at < now - timedelta(minutes=1):
        raise ValidationError({"send_at": "Choose a time in the future, or send it now."})
    # The audience may have gone since the draft was saved (a plan deleted).
    segment_params_clean(key=announcement.segment_key, params=announcement.segment_params)
    announcement.state = Announcement.State.SCHEDULED
    announcement.send_at = send_at or now
    announcement.last_error = ""
    announcement.save(update_fields=["state", "send_at", "last_error", "updated_at"])
    if send_at is None:
        from events.outbox import enqueue_on_commit
        from notifications.announcements import tasks

        enqueue_on_commit(tasks.announcements_send_due)
    return announcement


@transaction.atomic
def announcement_unschedule(*, announcement_id: int) -> Announcement:
    """Takes a scheduled announcement back to draft (nothing has gone out yet)."""
    announcement = Announcement.objects.select_for_update().get(pk=announcement_id)
    if announcement.state != Announcement.State.SCHEDULED:
        raise ValidationError("Only a scheduled announcement can go back to draft.")
    announcement.state = Announcement.State.DRAFT
    announcement.save(update_fields=["state", "updated_at"])
    return announcement


def announcement_claim_due(*, now: datetime | None = None) -> tuple[int, uuid.UUID] | None:
    """Takes one due announcement for this run: scheduled and due, or under way with a
    lapsed claim (its run died). Rows another run is working on are skipped."""
    now = now or timezone.now()
    with transaction.atomic():
        announcement = (
            Announcement.objects.select_for_update(skip_locked=True)
            .filter(send_at__lte=now)
            .filter(
                Q(state=Announcement.State.SCHEDULED)
                | Q(state=Announcement.State.SENDING, claimed_at__lt=now - CLAIM_LEASE)
            )
            .order_by("send_at", "pk")
            .first()
        )
        if announcement is None:
            return None
        announcement.state = Announcement.State.SENDING
        announcement.claim_token = uuid.uuid4()
        announcement.claimed_at = now
        announcement.save(update_fields=["state", "claim_token", "claimed_at"])
        return announcement.pk, announcement.claim_token


def announcement_send_batch(
    *, announcement_id: int, claim_token: uuid.UUID, batch_size: int = BATCH_SIZE
) -> bool | None:
    """Notifies the next `batch_size` people after the cursor, in one transaction with
    the cursor's move. True when everyone has been notified, False when more remain, None
    when this run no longer holds the claim."""
    with transaction.atomic():
        announcement = Announcement.objects.select_for_update().get(pk=announcement_id)
        if (
            announcement.state != Announcement.State.SENDING
            or announcement.claim_token != claim_token
        ):
            return None
        try:
            recipients = list(
                segment_recipients(
                    key=announcement.segment_key, params=announcement.segment_params
                ).filter(pk__gt=announcement.cursor)[:batch_size]
            )
        except ValidationError as error:
            announcement.state = Announcement.State.DRAFT
            announcement.claim_token = None
            announcement.last_error = "The audience no longer exists: " + "; ".join(error.messages)
            announcement.save()
            return None
        context = {
            "announcement_id": announcement.pk,
            "title": announcement.title,
            "body": announcement.body,
        }
        for user in recipients:
            notify(
                recipient=user,
                type_key=announcement.type_key,
                context=context,
                dedupe_key=f"announcement:{announcement.pk}",
                link=announcement.link,
                channels=[Channel(channel) for channel in announcement.channels],
            )
        now = timezone.now()
        if recipients:
            announcement.cursor = recipients[-1].pk
            announcement.recipients_done += len(recipients)
        announcement.claimed_at = now
        done = len(recipients) < batch_size
        if done:
            announcement.state = Announcement.State.SENT
            announcement.sent_at = now
            announcement.claim_token = None
        announcement.save()
        return done


def announcements_send_due(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Sends every due announcement, batch by batch; returns how many announcements this
    run finished. Safe to run concurrently and again after a crash."""
    finished = 0
    while claimed := announcement_claim_due(now=now):
        announcement_id, token = claimed
        while (
            done := announcement_send_batch(
                announcement_id=announcement_id, claim_token=token, batch_size=batch_size
            )
        ) is False:
            pass
        if done:
            finished += 1
            logger.info("announcements: announcement %s sent", announcement_id)
    return finished
