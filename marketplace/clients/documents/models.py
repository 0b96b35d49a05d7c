"""Files in a care record, encrypted before they are written (decision 0032).

The bytes live in the private storage under a random name (no user data in it), encrypted
with the row's own data key (AES-256-GCM in frames, `crypto.py`); the data key is stored
only wrapped by the key service's master key (`wrapped_key`, `key_id`). The title and the
original file name are encrypted fields. Nothing here has a URL of its own: downloads go
through the checked views, which decrypt on the fly."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.encryption import EncryptedTextField


class ClientDocument(models.Model):
    class Side(models.TextChoices):
        CLIENT = "client", "Client"
        PRACTITIONER = "practitioner", "Practitioner"

    class Visibility(models.TextChoices):
        # A practitioner's upload: theirs alone until they share it.
        PRIVATE = "private", "Only the practitioner"
        SHARED_WITH_CLIENT = "shared_with_client", "Shared with the client"
        # A client's upload: always visible to their practitioner.
        SHARED_WITH_PRACTITIONER = "shared_with_practitioner", "Shared with the practitioner"

    record = models.ForeignKey(
        "care_records.CareRecord", on_delete=models.PROTECT, related_name="documents"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploader_side = models.CharField(max_length=16, choices=Side.choices)
    visibility = models.CharField(max_length=32, choices=Visibility.choices)
    title = EncryptedTextField()
    original_filename = EncryptedTextField()
    content_type = models.CharField(max_length=100)
    size = models.BigIntegerField(help_text="Plaintext size in bytes.")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the plaintext (hex).")
    storage_name = models.CharField(max_length=255, unique=True)
    wrapped_key = models.BinaryField()
    key_id = models.CharField(max_length=512)
    scheme = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["record", "deleted_at", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(uploader_side="client", visibility="shared_with_practitioner")
                    | Q(
                        uploader_side="practitioner",
                        visibility__in=["private", "shared_with_client"],
                    )
                ),
                name="client_documents_visibility_matches_side",
            ),
            models.CheckConstraint(condition=Q(size__gte=0), name="client_documents_size"),
        ]

    def __str__(self) -> str:
        return f"Document {self.pk} in record {self.record_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def shared_with_client(self) -> bool:
        return self.visibility != self.Visibility.PRIVATE

    def encryption_context(self) -> dict[str, str]:
        """Bound to the wrapped key: it opens only for this storage name in this record."""
        return {
            "purpose": "client_document",
            "record": str(self.record_id),
            "object": self.storage_name,
        }
