import uuid
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from accounts.encryption import EncryptedDateField, EncryptedTextField
from filestore import PrivateFileField, private_storage

SERVICE_MINIMUM_MINUTES = 5
SERVICE_MAXIMUM_MINUTES = 480


def validate_time_zone(value: str) -> None:
    """An IANA time zone name that zoneinfo knows ("Europe/London")."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError(f"{value!r} is not a known time zone.") from error


class IdentityDocumentType(models.TextChoices):
    """The identity documents the KYC check accepts (number formats: identity.py)."""

    PASSPORT = "passport", "Passport"
    DRIVING_LICENCE = "driving_licence", "Driving licence"
    NATIONAL_ID = "national_id", "National identity card"


class PractitionerProfile(models.Model):
    """The practitioner role's own row. Onboarding and verification build on its status."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        VERIFIED = "verified", "Verified"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"

    BOOKABLE_STATUSES = (Status.VERIFIED, Status.ACTIVE)

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practitioner_profile"
    )
    slug = models.SlugField(max_length=80, unique=True)
    display_name = models.CharField(max_length=120)
    bio = models.TextField(blank=True, help_text="Shown on the public profile.")
    languages = models.CharField(
        max_length=200,
        blank=True,
        help_text="Languages sessions are offered in, e.g. English, Hindi.",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    time_zone = models.CharField(
        max_length=64,
        default="Europe/London",
        validators=[validate_time_zone],
        help_text="IANA time zone the weekly availability is written in.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Onboarding: what the wizard collects for the public profile.
    photo = models.ImageField(upload_to="practitioners/photos/", blank=True)
    modalities = models.ManyToManyField(  # type: ignore[var-annotated]
        "Modality", blank=True, related_name="practitioners"
    )
    offers_online = models.BooleanField(default=True)
    offers_in_person = models.BooleanField(default=False)
    location = models.CharField(
        max_length=255, blank=True, help_text="Where in-person sessions take place."
    )
    # Identity for the KYC check only (never shown publicly), validated on entry
    # (identity.py). The legal names, the date of birth and the document number are
    # encrypted at rest (accounts.encryption): no database query can filter on them; the
    # age check runs in Python. The country and the document type are not personal on
    # their own and stay plain.
    legal_given_name = EncryptedTextField(max_length=120, blank=True)
    legal_family_name = EncryptedTextField(max_length=120, blank=True)
    date_of_birth = EncryptedDateField(null=True, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2.")
    identity_document_type = models.CharField(
        max_length=20, choices=IdentityDocumentType.choices, blank=True
    )
    identity_document_number = EncryptedTextField(max_length=64, blank=True)
    # The reason given with the last staff decision (rejection, suspension), shown to the
    # practitioner in the wizard.
    status_reason = models.TextField(blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.display_name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


class Modality(models.Model):
    """A kind of practice (psychotherapy, reiki, sports massage) services are filed under."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "modalities"

    def __str__(self) -> str:
        return self.name


def validate_cancellation_tiers(value) -> None:
    """A list of {"hours_before": int >= 0, "refund_percent": 0..100}, hours strictly
    descending, so the first tier whose `hours_before` the cancellation still meets applies."""
    if not isinstance(value, list):
        raise ValidationError("The cancellation policy must be a list of tiers.")
    previous_hours = None
    for index, tier in enumerate(value):
        if not isinstance(tier, dict) or set(tier) != {"hours_before", "refund_percent"}:
            raise ValidationError(
                f"Tier {index + 1} must have exactly hours_before and refund_percent."
            )
        hours, percent = tier["hours_before"], tier["refund_percent"]
        if type(hours) is not int or hours < 0:
            raise ValidationError(f"Tier {index + 1}: hours_before must be a whole number ≥ 0.")
        if type(percent) is not int or not 0 <= percent <= 100:
            raise ValidationError(f"Tier {index + 1}: refund_percent must be 0 to 100.")
        if previous_hours is not None and hours >= previous_hours:
            raise ValidationError(
                "Tiers must be sorted by hours_before, largest first, without repeats."
            )
        previous_hours = hours


class Service(models.Model):
    """Something a practitioner sells by the session. Prices are integer minor units in
    `currency` (card, member) or whole credits; a payment method the service does not
    accept has no price. Times a client may book are computed by
    commerce.bookings.selectors.slots_for_service."""

    practitioner = models.ForeignKey(
        PractitionerProfile, on_delete=models.CASCADE, related_name="services"
    )
    modality = models.ForeignKey(Modality, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    duration_minutes = models.PositiveIntegerField(
        validators=[
            MinValueValidator(SERVICE_MINIMUM_MINUTES),
            MaxValueValidator(SERVICE_MAXIMUM_MINUTES),
        ]
    )
    price = models.PositiveIntegerField(
        null=True, blank=True, help_text="Card price in minor units of the currency."
    )
    currency = models.CharField(max_length=3, default="GBP")
    credit_price = models.PositiveIntegerField(null=True, blank=True, help_text="In credits.")
    member_price = models.PositiveIntegerField(
        null=True, blank=True, help_text="Price for members in minor units of the currency."
    )
    is_online = models.BooleanField(default=True)
    location = models.CharField(max_length=255, blank=True)
    buffer_before_minutes = models.PositiveIntegerField(
        default=0, validators=[MaxValueValidator(240)]
    )
    buffer_after_minutes = models.PositiveIntegerField(
        default=0, validators=[MaxValueValidator(240)]
    )
    minimum_notice_minutes = models.PositiveIntegerField(default=12 * 60)
    maximum_advance_days = models.PositiveIntegerField(
        default=90, validators=[MinValueValidator(1), MaxValueValidator(730)]
    )
    accepts_card = models.BooleanField(default=True)
    accepts_credits = models.BooleanField(default=False)
    accepts_membership = models.BooleanField(default=False)
    accepts_sponsor = models.BooleanField(default=False)
    cancellation_tiers = models.JSONField(
        default=list,
        blank=True,
        help_text='Refund tiers, e.g. [{"hours_before": 24, "refund_percent": 100}, '
        '{"hours_before": 2, "refund_percent": 50}]; later than the last tier: no refund.',
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["practitioner_id", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=SERVICE_MINIMUM_MINUTES)
                & Q(duration_minutes__lte=SERVICE_MAXIMUM_MINUTES),
                name="practitioners_service_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(accepts_card=False) | Q(price__isnull=False),
                name="practitioners_service_card_has_price",
            ),
            models.CheckConstraint(
                condition=Q(accepts_credits=False) | Q(credit_price__gt=0),
                name="practitioners_service_credits_have_price",
            ),
            models.CheckConstraint(
                condition=Q(buffer_before_minutes__lte=240) & Q(buffer_after_minutes__lte=240),
                name="practitioners_service_buffer_range",
            ),
            models.CheckConstraint(
                condition=Q(maximum_advance_days__gte=1) & Q(maximum_advance_days__lte=730),
                name="practitioners_service_advance_range",
            ),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"),
                name="practitioners_service_currency_iso",
            ),
        ]
        indexes = [models.Index(fields=["practitioner", "is_active"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.duration_minutes} min)"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}
        try:
            validate_cancellation_tiers(self.cancellation_tiers)
        except ValidationError as error:
            errors["cancellation_tiers"] = error.messages
        if self.accepts_card and self.price is None:
            errors["price"] = ["A service that accepts card payments needs a price."]
        if self.accepts_credits and not self.credit_price:
            errors["credit_price"] = ["A service that accepts credits needs a credit price."]
        if not self.is_online and not self.location.strip():
            errors["location"] = ["An in-person service needs a location."]
        if errors:
            raise ValidationError(errors)

    def refund_percent_for(self, *, hours_before: float) -> int:
        """The refund a cancellation `hours_before` the start earns under this policy."""
        for tier in sorted(self.cancellation_tiers, key=lambda tier: -tier["hours_before"]):
            if hours_before >= tier["hours_before"]:
                return tier["refund_percent"]
        return 0


def credential_upload_to(credential: "Credential", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"credentials/{credential.practitioner_id}/{uuid.uuid4().hex}.{extension}"


def credential_document_url(file) -> str:
    """A credential document's address: the view that checks who is asking."""
    return reverse("practitioner-credential-document", args=[file.instance.pk])


class Credential(models.Model):
    """A licence, qualification or insurance policy a practitioner holds. Licences and
    insurance expire; an expired licence takes the practitioner out of search and booking
    (selectors.practitioners_bookable). Documents live in private storage."""

    class Kind(models.TextChoices):
        LICENCE = "licence", "Licence or registration"
        QUALIFICATION = "qualification", "Qualification"
        INSURANCE = "insurance", "Insurance"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Not accepted"

    EXPIRING_KINDS = (Kind.LICENCE, Kind.INSURANCE)

    practitioner = models.ForeignKey(
        PractitionerProfile, on_delete=models.CASCADE, related_name="credentials"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=160, help_text="e.g. Registered psychotherapist.")
    issuer = models.CharField(max_length=160, help_text="Who issued it, e.g. UKCP.")
    number = models.CharField(max_length=64, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    document = PrivateFileField(
        storage=private_storage,
        checked_url=credential_document_url,
        upload_to=credential_upload_to,
        blank=True,
        max_length=255,
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "expires_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="qualification") | Q(expires_on__isnull=False),
                name="practitioners_credential_expiring_has_date",
            ),
        ]
        indexes = [models.Index(fields=["kind", "expires_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class CredentialReminder(models.Model):
    """One reminder sent before a credential expires. Unique on the credential, the
    expiry date it was about and the lead time: claimed before the email goes out, so a
    daily task that runs twice (or two beats at once) sends it exactly once, and a renewed
    credential (new expiry date) gets its own reminders."""

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="reminders")
    expires_on = models.DateField()
    days_before = models.PositiveIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["credential", "expires_on", "days_before"],
                name="practitioners_credential_reminder_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.credential} ({self.days_before} days before {self.expires_on})"


class VerificationCase(models.Model):
    """One submission for review: the KYC check started for it, its latest result, and
    the staff decision. A rejected practitioner who submits again gets a new case (and a
    new KYC reference), so a late result of an old check cannot touch the new one."""

    class KycStatus(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        PENDING = "pending", "Waiting for the result"
        PASSED = "passed", "Passed"
        FAILED = "failed", "Failed"
        NEEDS_REVIEW = "needs_review", "Needs review"

    class Decision(models.TextChoices):
        OPEN = "open", "Waiting for staff"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    practitioner = models.ForeignKey(
        PractitionerProfile, on_delete=models.CASCADE, related_name="verification_cases"
    )
    reference = models.CharField(max_length=64, unique=True)
    # The vendor's id of the started check (FrankieOne's workflowExecutionId).
    kyc_check_id = models.CharField(max_length=255, blank=True, db_index=True)
    # FrankieOne's ids: the person (entityId, reused by the practitioner's later checks so
    # they are created once) and the request that started the check (requestId).
    kyc_entity_id = models.CharField(max_length=64, blank=True, db_index=True)
    kyc_request_id = models.CharField(max_length=64, blank=True)
    kyc_status = models.CharField(
        max_length=16, choices=KycStatus.choices, default=KycStatus.NOT_STARTED
    )
    kyc_reasons = models.JSONField(default=list, blank=True)
    kyc_error = models.TextField(blank=True)
    # When the vendor produced the result applied last: an older event arriving later
    # is not applied (delivery order is never assumed).
    kyc_result_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField()
    decision = models.CharField(max_length=16, choices=Decision.choices, default=Decision.OPEN)
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["practitioner"],
                condition=Q(decision="open"),
                name="practitioners_one_open_case",
            )
        ]

    def __str__(self) -> str:
        return f"{self.practitioner} ({self.reference})"


class PractitionerStatusChange(models.Model):
    """An audit line for every status transition (who, when, why)."""

    practitioner = models.ForeignKey(
        PractitionerProfile, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=16, choices=PractitionerProfile.Status.choices)
    to_status = models.CharField(max_length=16, choices=PractitionerProfile.Status.choices)
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.practitioner}: {self.from_status} → {self.to_status}"


class KycEvent(models.Model):
    """A verified KYC result webhook as delivered, stored before it is processed: unique
    on the vendor's event id so a redelivery is recognised, processed once after commit,
    any failure kept on the row (commerce.payments.WebhookEvent's pattern)."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSED = "processed", "Processed"
        FAILED = "failed", "Failed"

    class Source(models.TextChoices):
        # A signed result (the offline adapter's webhook to /webhooks/kyc/): applied as is.
        SIGNED_RESULT = "signed_result", "Signed result"
        # FrankieOne's unsigned notification: only a hint to read the result from the API.
        FRANKIEONE_NOTIFICATION = "frankieone_notification", "FrankieOne notification"

    event_id = models.CharField(max_length=255, unique=True)
    source = models.CharField(max_length=32, choices=Source.choices, default=Source.SIGNED_RESULT)
    check_id = models.CharField(max_length=255, db_index=True)
    reference = models.CharField(max_length=255)
    body = models.TextField()
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    # When the re-drive (beat) may process a received or failed event again: set at store
    # time (a grace period for the normal path) and after each failure (back-off).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["received", "failed"]),
                name="practitioners_kyc_redrive_due",
            )
        ]

    def __str__(self) -> str:
        return self.event_id


class PractitionerInvitation(models.Model):
    """Staff invite someone by email to apply to practise. The link's token is never
    stored: it is an HMAC under SECRET_KEY of the row's random `token_salt`, so the email
    task can rebuild it from the row it loads by id (the outbox carries no secret), and
    the row keeps only the token's SHA-256 to find it by. Usable once, until
    `expires_at` (services.applications)."""

    email = models.EmailField()
    name = models.CharField(max_length=120, blank=True)
    modalities = models.ManyToManyField(  # type: ignore[var-annotated]
        Modality, blank=True, related_name="+"
    )
    note = models.TextField(blank=True, help_text="Shown to the person on the invitation.")
    token_salt = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(accepted_by__isnull=False),
                name="practitioners_invitation_accepted_by_someone",
            )
        ]

    def __str__(self) -> str:
        return f"Invitation to {self.email}"


class PractitionerApplication(models.Model):
    """Someone's application to practise: the statement they wrote, when they accepted
    the practitioner terms, and the invitation they came with. One per profile: applying
    again changes nothing (services.applications.practitioner_apply)."""

    STATEMENT_MAX_LENGTH = 1000

    practitioner = models.OneToOneField(
        PractitionerProfile, on_delete=models.CASCADE, related_name="application"
    )
    statement = models.TextField(max_length=STATEMENT_MAX_LENGTH)
    terms_accepted_at = models.DateTimeField()
    invitation = models.ForeignKey(
        PractitionerInvitation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Application of {self.practitioner}"
