"""Session rooms (issue 14, decision 0040): one private room per confirmed online booking,
the short-lived tokens that let its two participants open the signalling socket, what
happened in it (joined, left, admitted, recording, fallback), its chat and its consented
recordings.

A room holds no video: the media goes browser to browser (peer-to-peer adapter) or through
the live provider's media servers. What we keep is the minimum a practice needs
(attendance, a chat the two kept for the session, recordings both agreed to) and the chat
and recordings are encrypted at rest."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.encryption import EncryptedTextField


class Room(models.Model):
    """The room of one booking. Created on the first join (so `meeting_create` is asked
    once per booking: the one-to-one row decides a race) and ended by `rooms_close_due`
    once the window has closed."""

    class State(models.TextChoices):
        OPEN = "open", "Open"
        ENDED = "ended", "Ended"

    booking = models.OneToOneField(
        "bookings.Booking", on_delete=models.CASCADE, related_name="room"
    )
    provider = models.CharField(max_length=32, help_text="The video adapter's name.")
    meeting_id = models.CharField(max_length=200, blank=True)
    media_region = models.CharField(max_length=64, blank=True)
    join_info = models.JSONField(
        default=dict, blank=True, help_text="What the browser SDK needs to join the meeting."
    )
    dial_in = models.CharField(max_length=64, blank=True)
    fallback_phone = EncryptedTextField(
        blank=True,
        help_text="The number the practitioner gives for this session if video fails.",
    )
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)
    admitted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the practitioner let the client in."
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    delivered_by_phone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["open", "ended"]), name="rooms_room_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(state="open") | Q(ended_at__isnull=False),
                name="rooms_room_ended_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Room of booking {self.booking_id} ({self.state})"


class JoinToken(models.Model):
    """Lets one person open the room's socket once: bound to the booking, the person and
    the room's window, alive for JOIN_TOKEN_SECONDS, consumed by a conditional UPDATE on
    connect (two sockets racing with one token: one wins) and revoked on leave."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    booking = models.ForeignKey(
        "bookings.Booking", on_delete=models.CASCADE, related_name="room_join_tokens"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="room_join_tokens"
    )
    issued_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["booking", "user", "used_at"])]

    def __str__(self) -> str:
        return f"Join token for booking {self.booking_id}"


class RoomEvent(models.Model):
    """What happened in a booking's room, in order. Attendance (minutes present per side)
    is derived from the joined/left pairs."""

    class Kind(models.TextChoices):
        JOINED = "joined", "Joined"
        LEFT = "left", "Left"
        ADMITTED = "admitted", "Admitted"
        RECORDING_STARTED = "recording_started", "Recording started"
        RECORDING_STOPPED = "recording_stopped", "Recording stopped"
        FALLBACK_PHONE = "fallback_phone", "Fell back to the phone"
        DELIVERED_BY_PHONE = "delivered_by_phone", "Delivered by phone"
        CHAT = "chat", "Chat message"
        FILE_SHARED = "file_shared", "File shared"

    booking = models.ForeignKey(
        "bookings.Booking", on_delete=models.CASCADE, related_name="room_events"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    at = models.DateTimeField()
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["booking_id", "at", "pk"]
        indexes = [models.Index(fields=["booking", "at"])]

    def __str__(self) -> str:
        return f"{self.kind} in booking {self.booking_id} at {self.at:%Y-%m-%d %H:%M:%S}"


class ChatMessage(models.Model):
    """A chat line kept for the session; the text is encrypted at rest."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="chat_messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = EncryptedTextField()
    sent_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["room_id", "sent_at", "pk"]

    def __str__(self) -> str:
        return f"Chat message {self.pk} in room {self.room_id}"


class Recording(models.Model):
    """One consented recording. A row starts when the first participant consents; it may
    start only once both have, either can stop it or take consent back (which stops it),
    and a stopped recording never restarts (a new one needs consent again).

    For the peer-to-peer adapter the browser records and uploads the file: it is stored
    envelope-encrypted in the private storage exactly like a care-record document
    (documents.crypto frames under a data key from the key service, wrapped key kept
    here). For the live adapter the provider's pipeline writes to the recording bucket
    (`pipeline_id`, `destination_key`)."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="recordings")
    consent_client_at = models.DateTimeField(null=True, blank=True)
    consent_practitioner_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    pipeline_id = models.CharField(max_length=200, blank=True)
    destination_key = models.CharField(max_length=500, blank=True)
    # The stored file (peer-to-peer adapter): empty until the browser uploads it.
    storage_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    wrapped_key = models.BinaryField(null=True, blank=True)
    key_id = models.CharField(max_length=512, blank=True)
    scheme = models.CharField(max_length=32, blank=True)
    stored_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["room_id", "created_at", "pk"]
        constraints = [
            # At most one recording in progress (not stopped) per room.
            models.UniqueConstraint(
                fields=["room"],
                condition=Q(stopped_at__isnull=True),
                name="rooms_recording_one_current",
            ),
            models.CheckConstraint(
                condition=Q(started_at__isnull=True)
                | Q(consent_client_at__isnull=False, consent_practitioner_at__isnull=False)
                | Q(stopped_at__isnull=False),
                name="rooms_recording_started_with_consent",
            ),
            models.UniqueConstraint(
                fields=["storage_name"],
                condition=~Q(storage_name=""),
                name="rooms_recording_unique_blob",
            ),
        ]

    def __str__(self) -> str:
        return f"Recording {self.pk} of room {self.room_id}"

    @property
    def is_running(self) -> bool:
        return self.started_at is not None and self.stopped_at is None

    def encryption_context(self) -> dict[str, str]:
        """Bound to the wrapped key: it opens only for this stored file of this room."""
        return {"purpose": "room_recording", "room": str(self.room_id), "object": self.storage_name}
