"""What Aeyia knows about its Contentful space: the sync position (one row) and a mirror of
every entry and asset, with the Wagtail object each one produced."""

from django.db import models


class ContentfulSyncState(models.Model):
    """The single row (pk=1) that holds where the next sync starts and how the last one
    went. `next_token` is a page token while a sync is part-way through (for example
    after a 429) and the sync token once it completed; `is_initial_in_progress` says the
    pages being fetched belong to an initial sync, which ends by retiring records it did
    not see."""

    class Status(models.TextChoices):
        IDLE = "idle", "Idle"
        RUNNING = "running", "Running"
        WAITING = "waiting", "Waiting for Contentful's rate limit"
        FAILED = "failed", "Failed"

    next_token = models.TextField(blank=True)
    is_initial_in_progress = models.BooleanField(default=False)
    initial_started_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IDLE)
    # Refreshed after every page: a run whose heartbeat is older than the lease died.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_succeeded_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    consecutive_rate_limits = models.PositiveIntegerField(default=0)
    pages_last_run = models.PositiveIntegerField(default=0)
    upserted_last_run = models.PositiveIntegerField(default=0)
    deleted_last_run = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "Contentful sync state"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pk=1), name="contentful_sync_state_single_row"
            )
        ]

    def __str__(self) -> str:
        return f"Contentful sync ({self.get_status_display()})"


class ContentfulSyncRun(models.Model):
    """One sync run, for the staff screen's history."""

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        RATE_LIMITED = "rate_limited", "Rate-limited (will resume)"
        FAILED = "failed", "Failed"

    trigger = models.CharField(max_length=32, default="manual")
    is_full = models.BooleanField(default=False)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.RUNNING)
    pages = models.PositiveIntegerField(default=0)
    upserted = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    applied = models.PositiveIntegerField(default=0)
    apply_failures = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["-started_at"], name="contentful_run_recent")]

    def __str__(self) -> str:
        return f"Contentful sync {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"


class ContentfulRecord(models.Model):
    """The last state Contentful sent for one entry or asset, keyed by (sys type, id):
    Contentful ids are unique per type only (an entry and an asset may share one).
    `applied_version` is the version last turned into a Wagtail object; a record whose
    content type has a mapper and whose `applied_version != version` is pending."""

    class SysType(models.TextChoices):
        ENTRY = "Entry", "Entry"
        ASSET = "Asset", "Asset"

    sys_type = models.CharField(max_length=8, choices=SysType.choices)
    contentful_id = models.CharField(max_length=64)
    content_type = models.CharField(max_length=64, blank=True, db_index=True)
    fields = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)
    is_deleted = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    first_synced_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    # What it produced in Wagtail: a page, a snippet or an image (model label + pk).
    wagtail_model = models.CharField(max_length=100, blank=True)
    wagtail_object_id = models.PositiveBigIntegerField(null=True, blank=True)
    applied_version = models.PositiveIntegerField(null=True, blank=True)
    is_withdrawn = models.BooleanField(default=False)
    apply_error = models.TextField(blank=True)

    class Meta:
        ordering = ["sys_type", "contentful_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sys_type", "contentful_id"], name="contentful_record_unique_sys_id"
            ),
        ]
        indexes = [
            models.Index(
                fields=["wagtail_model", "wagtail_object_id"], name="contentful_wagtail_obj"
            ),
        ]

    def __str__(self) -> str:
        label = self.content_type or self.sys_type
        return f"{label} {self.contentful_id} v{self.version}"
