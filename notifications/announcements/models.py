"""Staff announcements: a message to a segment of people, sent once through the
notification service (decision 0039)."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Announcement(models.Model):
    class Kind(models.TextChoices):
        # Respects each person's choices: "News and offers" are off unless switched on.
        MARKETING = "marketing", "News and offers"
        # A change to terms or policies that everyone in the segment must be told about.
        POLICY_CHANGE = "policy_change", "Policy change (required)"

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled"

    title = models.CharField(max_length=120)
    body = models.TextField(
        max_length=5000,
        help_text=(
            "Plain text. Blank lines separate paragraphs; lines starting with “- ” make a "
            "list; **bold**; links as [text](https://…)."
        ),
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.MARKETING)
    channels = models.JSONField(default=list, blank=True)
    segment_key = models.CharField("audience", max_length=64)
    segment_params = models.JSONField(default=dict, blank=True)
    link = models.CharField(
        max_length=300,
        blank=True,
        help_text="Optional page on this site the notification opens, e.g. /about/terms/.",
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    send_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The fan-out's progress: the run holding the claim, when it last moved, the last
    # recipient (by primary key) handled, and how many were handled.
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    cursor = models.BigIntegerField(default=0, editable=False)
    recipients_done = models.PositiveIntegerField(default=0, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Why the last send stopped and went back to draft (an audience that no longer exists).
    last_error = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("send_announcement", "Can schedule and send announcements")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["draft", "scheduled", "sending", "sent", "cancelled"]),
                name="announcements_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["marketing", "policy_change"]),
                name="announcements_kind_valid",
            ),
            # Scheduled or under way means a time to send at.
            models.CheckConstraint(
                condition=~Q(state__in=["scheduled", "sending", "sent"]) | Q(send_at__isnull=False),
                name="announcements_send_at_when_scheduled",
            ),
        ]
        indexes = [models.Index(fields=["state", "send_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def type_key(self) -> str:
        return TYPE_KEYS[self.Kind(self.kind)]

    @property
    def editable(self) -> bool:
        return self.state in (self.State.DRAFT, self.State.SCHEDULED)


TYPE_KEYS = {
    Announcement.Kind.MARKETING: "announcements.announcement",
    Announcement.Kind.POLICY_CHANGE: "announcements.policy_change",
}
