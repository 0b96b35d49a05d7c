from django.db import models
from django.db.models import Q


class OutboxMessage(models.Model):
    """One Celery task to publish, written in the transaction whose commit it must follow.
    Pending until a publish succeeds (at once after commit, or later by the relay with
    back-off); then sent. Publishing is at least once: the tasks are idempotent."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            # The relay's query: pending rows that are due, oldest first.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state="pending"),
                name="events_outbox_pending_due",
            ),
            models.Index(fields=["state", "sent_at"], name="events_outbox_state_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.task_name} #{self.pk} ({self.state})"
