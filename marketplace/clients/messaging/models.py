"""Secure messages between a client and their practitioner, inside a care record.

Bodies and subjects are encrypted at field level (accounts.encryption); the email a
participant gets says only that a message is waiting. Read state is kept per participant
and thread (`ReadState.last_read_at`), so unread counts are one aggregate query."""

from django.conf import settings
from django.db import models

from accounts.encryption import EncryptedTextField

SUBJECT_MAX_LENGTH = 200
BODY_MAX_LENGTH = 10_000


class Thread(models.Model):
    """A conversation in one care record. A practitioner may close it; nobody can post
    into a closed thread (the client starts a new one or writes to support)."""

    record = models.ForeignKey(
        "care_records.CareRecord", on_delete=models.PROTECT, related_name="message_threads"
    )
    subject = EncryptedTextField(max_length=SUBJECT_MAX_LENGTH)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-last_message_at", "-pk"]
        indexes = [models.Index(fields=["record", "-last_message_at"])]

    def __str__(self) -> str:
        return f"Thread {self.pk}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class Message(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = EncryptedTextField(max_length=BODY_MAX_LENGTH)
    attachment = models.ForeignKey(
        "client_documents.ClientDocument",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="A file sent with the message, kept in the record's document store.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["thread", "created_at"])]

    def __str__(self) -> str:
        return f"Message {self.pk}"


class ReadState(models.Model):
    """How far one participant has read one thread, and when they were last emailed
    about it (the notification throttle)."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_states")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_at = models.DateTimeField(null=True, blank=True)
    last_emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "user"], name="messaging_one_read_state")
        ]

    def __str__(self) -> str:
        return f"Read state of thread {self.thread_id}"
