"""A client's grant of read access to chosen items of one care record to another
practitioner. Items are referenced generically (content type + id) so any section app
can make its rows shareable (shareables.py); a grant is never deleted, only revoked."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.encryption import EncryptedTextField


class SharingGrantQuerySet(models.QuerySet):
    def active(self, *, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class SharingGrant(models.Model):
    record = models.ForeignKey(
        "care_records.CareRecord", on_delete=models.PROTECT, related_name="sharing_grants"
    )
    grantee = models.ForeignKey(
        "practitioners.PractitionerProfile",
        on_delete=models.PROTECT,
        related_name="record_grants_received",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="record_grants_made"
    )
    purpose = EncryptedTextField(
        blank=True, help_text="Why the client shares (a referral, a second opinion)."
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = SharingGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["grantee", "expires_at"]),
            models.Index(fields=["record", "grantee"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")),
                name="record_sharing_grant_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Sharing grant {self.pk}"

    def is_active(self, *, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "active"


class SharedItem(models.Model):
    """One item a grant covers."""

    grant = models.ForeignKey(SharingGrant, on_delete=models.PROTECT, related_name="items")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.BigIntegerField()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["grant", "content_type", "object_id"], name="record_sharing_item_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} in grant {self.grant_id}"
