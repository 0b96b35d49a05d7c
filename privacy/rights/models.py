"""A person's requests about their own data: a copy of it (DataExport) and its erasure
(ErasureRequest, confirmed by staff). Both rows hold ids, states and times only."""

from django.conf import settings
from django.db import models


class DataExport(models.Model):
    """One "Download my data" run. The task that builds the zip moves it through
    pending → running (with `percent` and `step` for the page) → ready, or failed. The
    zip lives in private storage under `file_name`; `link_token` is the signed value the
    download link carries (signed once, when the zip is ready, so the link's age counts
    from then). Old exports lose their file and become expired."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to start"
        RUNNING = "running", "Being prepared"
        READY = "ready", "Ready to download"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    percent = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=80, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    link_token = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__lte=100), name="privacy_rights_export_percent"
            )
        ]

    def __str__(self) -> str:
        return f"Data export {self.pk} ({self.status})"

    @property
    def in_progress(self) -> bool:
        return self.status in {self.Status.PENDING, self.Status.RUNNING}


class ErasureRequest(models.Model):
    """A client asked at their account for their data to be erased. Staff confirm it in
    the Wagtail admin (Privacy → Erasure requests), which runs privacy.services.
    person_erase; `user` then points at the anonymised account."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for staff"
        DONE = "done", "Erased"
        CANCELLED = "cancelled", "Cancelled"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="erasure_requests"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(auto_now_add=True, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by_id = models.BigIntegerField(
        null=True, blank=True, help_text="The staff user who confirmed or cancelled it."
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status="pending"),
                name="privacy_rights_one_pending_erasure",
            )
        ]

    def __str__(self) -> str:
        return f"Erasure request {self.pk} ({self.status})"
