"""Intake forms (the practitioner's questionnaires, versioned), which one each service
asks for, the client's answers (encrypted, in the care record), inbound Typeform webhooks
and the 24 h reminders.

Bookings sit in commerce, a layer above: a booking is referred to by its plain id here and
its facts come through `bookings.booking_source()`."""

from django.db import models
from django.db.models import Q

from accounts.encryption import EncryptedJSONField, EncryptedTextField


class IntakeForm(models.Model):
    """A practitioner's questionnaire. Its questions live in versions: the newest version
    is the one edited and asked; a version somebody has answered is never changed again
    (an edit makes the next version), so answers keep the questions they answered."""

    practitioner = models.ForeignKey(
        "practitioners.PractitionerProfile", on_delete=models.PROTECT, related_name="intake_forms"
    )
    title = models.CharField(max_length=160)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title


class IntakeFormVersion(models.Model):
    form = models.ForeignKey(IntakeForm, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=160)
    # The practitioner's questions (questions.py describes a question); not client data.
    questions = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["form", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["form", "number"], name="intake_version_number_once"),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="intake_version_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.number})"


class ServiceIntake(models.Model):
    """The intake a service asks for: one of the practitioner's forms, or a Typeform form
    (its id, and the secret the practitioner gives Typeform for its webhook). Kept here,
    not on practitioners.Service, so intake owns its migrations."""

    service = models.OneToOneField(
        "practitioners.Service", on_delete=models.CASCADE, related_name="intake_link"
    )
    form = models.ForeignKey(
        IntakeForm, on_delete=models.PROTECT, null=True, blank=True, related_name="service_links"
    )
    typeform_form_id = models.CharField(max_length=64, blank=True, db_index=True)
    typeform_secret = EncryptedTextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(form__isnull=False) & Q(typeform_form_id=""))
                | (Q(form__isnull=True) & ~Q(typeform_form_id="")),
                name="intake_service_form_or_typeform",
            )
        ]

    def __str__(self) -> str:
        return f"Intake for service {self.service_id}"

    @property
    def is_typeform(self) -> bool:
        return bool(self.typeform_form_id)


class IntakeResponse(models.Model):
    """The client's intake for one booking, in their care record. `answers` is encrypted:
    for our own forms {question id: value} against `form_version`; for Typeform the list
    of answers as Typeform reported them (field ref, title, value). Editable by the
    client until the session starts (services enforce it); `submitted_at` is when the
    answers were given (for Typeform, its own submitted_at, which orders late deliveries)."""

    class Source(models.TextChoices):
        FORM = "form", "Intake form"
        TYPEFORM = "typeform", "Typeform"

    record = models.ForeignKey(
        "care_records.CareRecord", on_delete=models.PROTECT, related_name="intake_responses"
    )
    booking_id = models.BigIntegerField(unique=True)
    source = models.CharField(max_length=16, choices=Source.choices)
    form_version = models.ForeignKey(
        IntakeFormVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
    )
    typeform_form_id = models.CharField(max_length=64, blank=True)
    typeform_token = models.CharField(max_length=64, blank=True)
    answers = EncryptedJSONField(default=dict, blank=True)
    submitted_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(source="form") & Q(form_version__isnull=False))
                | (Q(source="typeform") & ~Q(typeform_token="")),
                name="intake_response_source_complete",
            )
        ]

    def __str__(self) -> str:
        return f"Intake response {self.pk} for booking {self.booking_id}"


class TypeformEvent(models.Model):
    """A verified Typeform webhook as delivered, stored once per response token before it
    is processed (a redelivery or replay finds the row and changes nothing), processed
    after commit under a row lock, any failure kept on the row and re-driven with
    back-off (events.backoff). The body holds the answers, so it is encrypted."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSED = "processed", "Processed"
        FAILED = "failed", "Failed"

    token = models.CharField(max_length=64, unique=True)
    event_id = models.CharField(max_length=255, blank=True)
    form_id = models.CharField(max_length=64, blank=True)
    body = EncryptedTextField()
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    response = models.ForeignKey(
        IntakeResponse,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="typeform_events",
    )
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["received", "failed"]),
                name="intake_typeform_redrive_due",
            )
        ]

    def __str__(self) -> str:
        return f"Typeform response {self.token}"


class IntakeReminder(models.Model):
    """The one "complete your intake" email per booking. The row is the claim: inserted
    before sending, unique on the booking, so concurrent or repeated runs send once."""

    booking_id = models.BigIntegerField(unique=True)
    record = models.ForeignKey(
        "care_records.CareRecord", on_delete=models.PROTECT, related_name="intake_reminders"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Intake reminder for booking {self.booking_id}"
