"""Session notes and their addenda. Everything a practitioner writes is encrypted at
field level (accounts.encryption); the database sees a Fernet token. A note is a draft
until its author signs it; signing stores the SHA-256 of its content and locks it. After
that only addenda can be added, each signed (hashed) as it is saved."""

import hashlib
import json

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.encryption import EncryptedJSONField, EncryptedTextField

SOAP_FIELDS = ("subjective", "objective", "assessment", "plan")
SOAP_LABELS = {
    "subjective": "Subjective",
    "objective": "Objective",
    "assessment": "Assessment",
    "plan": "Plan",
}


def content_sha256(payload: dict) -> str:
    """SHA-256 (hex) of canonical JSON (sorted keys, no spaces, UTF-8)."""
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()


class SessionNote(models.Model):
    class Format(models.TextChoices):
        FREE = "free", "Free-form note"
        SOAP = "soap", "SOAP note"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SIGNED = "signed", "Signed"

    record = models.ForeignKey(
        "care_records.CareRecord", on_delete=models.PROTECT, related_name="session_notes"
    )
    booking_id = models.BigIntegerField(
        help_text="The session the note is about (a plain id: bookings sit in a higher layer)."
    )
    session_starts_at = models.DateTimeField(null=True, blank=True)
    session_label = models.CharField(max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="authored_session_notes"
    )
    format = models.CharField(max_length=8, choices=Format.choices, default=Format.FREE)
    # free: {"text": ...}; soap: {"subjective", "objective", "assessment", "plan"}.
    content = EncryptedJSONField(default=dict)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    content_sha256 = models.CharField(max_length=64, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    shared_at = models.DateTimeField(
        null=True, blank=True, help_text="When the author shared it with the client."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-session_starts_at", "-created_at", "-pk"]
        indexes = [models.Index(fields=["record", "author"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(signed_at__isnull=False) & ~Q(content_sha256=""),
                name="clinical_notes_signed_has_hash",
            ),
            models.CheckConstraint(
                condition=Q(shared_at__isnull=True) | Q(status="signed"),
                name="clinical_notes_only_signed_shared",
            ),
            models.CheckConstraint(
                condition=Q(format__in=["free", "soap"]), name="clinical_notes_format_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Session note {self.pk}"

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED

    @property
    def is_shared(self) -> bool:
        return self.shared_at is not None

    def hash_payload(self) -> dict:
        return {"note": self.pk, "format": self.format, "content": self.content}

    def computed_sha256(self) -> str:
        return content_sha256(self.hash_payload())

    def sections(self) -> list[tuple[str, str]]:
        """(heading, text) pairs to show."""
        content = self.content or {}
        if self.format == self.Format.SOAP:
            return [(SOAP_LABELS[name], content.get(name, "")) for name in SOAP_FIELDS]
        return [("Note", content.get("text", ""))]


class NoteAddendum(models.Model):
    """Text added to a signed note, signed (hashed) as it is saved; never changed."""

    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = EncryptedTextField()
    content_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "note addenda"

    def __str__(self) -> str:
        return f"Addendum {self.pk} to note {self.note_id}"
