"""The append-only audit log of privacy operations (erasure now; export and retention
later). An entry names who acted and what ran, never what was erased: ids only, no
names, emails or free text about the person."""

from django.db import models


class AuditLogIsAppendOnly(Exception):
    """Audit entries are written once and never changed or deleted."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("Audit entries are never updated.")

    def delete(self):
        raise AuditLogIsAppendOnly("Audit entries are never deleted.")


class AuditEntry(models.Model):
    """One privacy operation. `actor_id` and `subject_user_id` are plain ids, not foreign
    keys: the entry must outlive any change to either user row and must not be touched
    by an erasure (the subject's row stays, anonymised, so the id says nothing about
    who they were)."""

    class Action(models.TextChoices):
        ERASURE = "erasure", "Erasure"

    action = models.CharField(max_length=20, choices=Action.choices)
    actor_id = models.BigIntegerField(
        null=True, blank=True, help_text="The staff user who asked; empty for the system."
    )
    subject_user_id = models.BigIntegerField(
        null=True, blank=True, help_text="The erased account, if the email had one."
    )
    erasers = models.JSONField(
        default=dict, help_text="Each eraser that ran and how many rows it changed."
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.get_action_display()} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogIsAppendOnly("Audit entries are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("Audit entries are never deleted.")
