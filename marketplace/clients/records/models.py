from django.conf import settings
from django.db import models

from accounts.encryption import EncryptedTextField


class CareRecord(models.Model):
    """One client's record with one practitioner. It holds no clinical content itself:
    the section apps (intake, consent, notes, documents, messaging) point at it. PROTECT
    on both sides: a record outlives neither party's row being deleted (accounts are
    anonymised on erasure, never deleted) and is purged only by the retention policy."""

    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_records"
    )
    practitioner = models.ForeignKey(
        "practitioners.PractitionerProfile",
        on_delete=models.PROTECT,
        related_name="care_records",
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    opened_by_booking_id = models.BigIntegerField(
        null=True,
        blank=True,
        help_text="The booking whose confirmation opened the record (a plain id: bookings "
        "sit in a higher layer).",
    )
    last_contact_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="The latest confirmed session or other contact: the clinical retention "
        "clock runs from here.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "practitioner"], name="care_records_one_per_pair"
            )
        ]
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return f"Care record {self.pk}"


class BreakGlassGrant(models.Model):
    """A member of staff's emergency access to one record: a stated reason, a window
    (BREAK_GLASS_MINUTES), an audit row and an email to the client. The reason is
    encrypted: it may say why the client's safety was in question."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    record = models.ForeignKey(
        CareRecord, on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    reason = EncryptedTextField()
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("started_at")),
                name="care_records_break_glass_window",
            )
        ]

    def __str__(self) -> str:
        return f"Break-glass {self.pk} on record {self.record_id}"
