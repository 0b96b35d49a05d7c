"""A practitioner's private calendar feed: a secret URL (`/calendar/<token>.ics`) their
calendar app subscribes to. The token is the only credential, so it is long, random,
revocable and replaced on rotation."""

import secrets

from django.db import models, transaction
from django.utils import timezone

FEED_TOKEN_BYTES = 32


def new_feed_token() -> str:
    return secrets.token_urlsafe(FEED_TOKEN_BYTES)


class CalendarFeedToken(models.Model):
    """The practitioner's current feed token. Rotation replaces the token in place (the
    old URL stops working at once); revocation switches the feed off until rotated."""

    practitioner = models.OneToOneField(
        "practitioners.PractitionerProfile",
        on_delete=models.CASCADE,
        related_name="calendar_feed_token",
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        state = "revoked" if self.revoked_at else "active"
        return f"Calendar feed of {self.practitioner_id} ({state})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


def calendar_feed_token_get_or_create(*, practitioner) -> CalendarFeedToken:
    """The practitioner's feed token, created on first use (a revoked one stays revoked)."""
    feed, _ = CalendarFeedToken.objects.get_or_create(practitioner=practitioner)
    return feed


@transaction.atomic
def calendar_feed_rotate(*, practitioner) -> CalendarFeedToken:
    """Revokes the current feed URL and issues a new one (e.g. after the URL leaked)."""
    feed, created = CalendarFeedToken.objects.select_for_update().get_or_create(
        practitioner=practitioner
    )
    if not created:
        feed.token = new_feed_token()
        feed.created_at = timezone.now()
        feed.revoked_at = None
        feed.save(update_fields=["token", "created_at", "revoked_at"])
    return feed


def calendar_feed_revoke(*, practitioner) -> int:
    """Switches the feed off; the URL answers 404 until the practitioner rotates."""
    return CalendarFeedToken.objects.filter(
        practitioner=practitioner, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
