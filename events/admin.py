from django.contrib import admin

from events.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Superusers see stuck rows here; `manage.py relay_outbox --once` re-drives them."""

    list_display = ("pk", "task_name", "state", "attempts", "next_attempt_at", "created_at")
    list_filter = ("state", "task_name")
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]
