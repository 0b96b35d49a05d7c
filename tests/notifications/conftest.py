"""Fixtures of the notification service's tests (notify-core), shared by its modules."""

from tests.notifications.core_support import notification_types, sms_outbox  # noqa: F401
