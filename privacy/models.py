"""The one append-only, hash-chained audit log of access to personal and clinical data:
every read, create, update, download, export, share, sign, withdrawal, break-glass,
erasure and retention purge (privacy.audit.audit writes it). An entry names who acted,
on what object and when, never the content: ids, an action and non-clinical details.

Each entry stores the hash of the one before it (`prev_hash`) and its own `hash`
(SHA-256 over a canonical serialisation of its fields and prev_hash), so changing,
removing or inserting a row breaks the chain, which `manage.py audit_verify` walks.
The database refuses UPDATE and DELETE (triggers, migrations 0002 and 0003)."""

from django.db import models
from django.utils import timezone


class AuditLogIsAppendOnly(Exception):
    """Audit entries are written once and never changed or deleted."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("Audit entries are never updated.")

    def delete(self):
        raise AuditLogIsAppendOnly("Audit entries are never deleted.")


class AuditEntry(models.Model):
    """One audited operation. `actor_id` and `subject_user_id` are plain ids, not foreign
    keys: the entry must outlive any change to either user row and must not be touched
    by an erasure (the subject's row stays, anonymised, so the id says nothing about
    who they were). Write entries only through privacy.audit.audit."""

    class Action(models.TextChoices):
        READ = "read", "Read"
        CREATE = "create", "Create"
        UPDATE = "update", "Update"
        DOWNLOAD = "download", "Download"
        EXPORT = "export", "Export"
        SHARE = "share", "Share"
        REVOKE = "revoke", "Revoke"
        SIGN = "sign", "Sign"
        WITHDRAW = "withdraw", "Withdraw"
        BREAK_GLASS = "break_glass", "Break-glass access"
        ERASURE = "erasure", "Erasure"
        RETENTION_PURGE = "retention_purge", "Retention purge"

    action = models.CharField(max_length=20, choices=Action.choices, db_index=True)
    actor_id = models.BigIntegerField(
        null=True, blank=True, db_index=True, help_text="Who acted; empty for the system."
    )
    subject_user_id = models.BigIntegerField(
        null=True, blank=True, help_text="Whose data it was, if they have an account."
    )
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(
        default=dict,
        blank=True,
        help_text="Non-clinical context: ids, counts, the erasers that ran. Never content.",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["subject_user_id", "-created_at"], name="privacy_audit_subject"),
            models.Index(fields=["object_type", "object_id"], name="privacy_audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogIsAppendOnly("Audit entries are never updated.")
        if not self.hash:
            raise AuditLogIsAppendOnly("Audit entries are appended through privacy.audit.audit.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("Audit entries are never deleted.")

    @property
    def erasers(self) -> dict:
        """For an erasure: each eraser that ran and how many rows it changed."""
        return dict(self.details.get("erasers", {})) if isinstance(self.details, dict) else {}
