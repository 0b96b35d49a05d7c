"""Leads: people who gave us their email on the marketing site, where they came from, and
how far they went (confirmed, signed up, bought)."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models.functions import Lower
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import (
    AbstractEmailForm,
    AbstractFormField,
    AbstractFormSubmission,
)
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from accounts.encryption import EncryptedJSONField, EncryptedTextField, lookup_digests
from cms.core.seo import SeoMixin
from marketing_site.leads.blocks import NewsletterBodyBlock

ATTRIBUTION_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


class UnsubscribeReason(models.TextChoices):
    """Why a lead no longer gets marketing email. The Klaviyo ones map Klaviyo's global
    suppression reasons (get_profiles' EmailMarketingSuppression.reason)."""

    AEYIA = "aeyia", "Unsubscribed on Aeyia"
    KLAVIYO = "klaviyo", "Unsubscribed in Klaviyo"
    HARD_BOUNCE = "hard_bounce", "Hard bounce"
    INVALID_EMAIL = "invalid_email", "Invalid email address"
    SPAM_COMPLAINT = "spam_complaint", "Spam complaint"
    SUPPRESSED_IN_KLAVIYO = "suppressed_in_klaviyo", "Suppressed by staff in Klaviyo"
    STAFF = "staff", "Unsubscribed by staff"


KLAVIYO_SUPPRESSION_REASONS = {
    "UNSUBSCRIBE": UnsubscribeReason.KLAVIYO,
    "HARD_BOUNCE": UnsubscribeReason.HARD_BOUNCE,
    "INVALID_EMAIL": UnsubscribeReason.INVALID_EMAIL,
    "SPAM_COMPLAINT": UnsubscribeReason.SPAM_COMPLAINT,
    "USER_SUPPRESSED": UnsubscribeReason.SUPPRESSED_IN_KLAVIYO,
}


class Lead(models.Model):
    """One person, one row: a later submission with the same email updates it. The consent
    text is stored verbatim as it was shown, with the time it was given; `confirmed_at`
    is the double opt-in.

    `unsubscribed_at` is when consent was withdrawn (here or in Klaviyo). It applies while
    it is not older than `confirmed_at`: a person who unsubscribed, gave consent again on
    a form and confirmed once more is subscribed, and the old timestamp stays as history."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=200, blank=True)
    interest = models.CharField(max_length=80, blank=True)
    # What the person wrote on a contact form: encrypted at rest (accounts.encryption).
    message = EncryptedTextField(blank=True)

    consent_text = models.TextField(blank=True, help_text="Word for word, as shown.")
    consent_given_at = models.DateTimeField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    unsubscribe_reason = models.CharField(
        max_length=30, choices=UnsubscribeReason.choices, blank=True
    )

    source_page = models.CharField(max_length=255, blank=True, help_text="Path of the form.")
    source = models.CharField(
        max_length=120, blank=True, help_text="utm_source of the first touch, else referrer host."
    )
    campaign = models.CharField(max_length=120, blank=True)
    utm_source = models.CharField(max_length=120, blank=True)
    utm_medium = models.CharField(max_length=120, blank=True)
    utm_campaign = models.CharField(max_length=120, blank=True)
    utm_term = models.CharField(max_length=120, blank=True)
    utm_content = models.CharField(max_length=120, blank=True)
    referrer = models.CharField(max_length=500, blank=True)
    first_touch = models.JSONField(default=dict, blank=True)
    last_touch = models.JSONField(default=dict, blank=True)

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signed_up_at = models.DateTimeField(null=True, blank=True)
    submission_count = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="leads_lead_email_ci_unique"),
        ]
        indexes = [models.Index(fields=["source", "campaign"])]
        permissions = [
            ("view_funnel", "Can see the lead funnel report"),
            ("erase_person", "Can erase a person (GDPR)"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def is_unsubscribed(self) -> bool:
        """Consent withdrawn and not given and confirmed again since."""
        return self.unsubscribed_at is not None and (
            self.confirmed_at is None or self.unsubscribed_at >= self.confirmed_at
        )

    @property
    def is_subscribed(self) -> bool:
        """Confirmed (double opt-in) and not unsubscribed since: on the marketing list."""
        return self.confirmed_at is not None and not self.is_unsubscribed

    @property
    def can_confirm(self) -> bool:
        """A confirmation link may (re)subscribe only when consent was given after the
        last unsubscribe: a link mailed before someone unsubscribed does not undo it."""
        if self.is_subscribed:
            return False
        if self.unsubscribed_at is None:
            return True
        return self.consent_given_at is not None and self.consent_given_at > self.unsubscribed_at


def unsubscribed_q() -> models.Q:
    """`Lead.is_unsubscribed` as a query, for counting in the database."""
    return models.Q(unsubscribed_at__isnull=False) & (
        models.Q(confirmed_at__isnull=True)
        | models.Q(unsubscribed_at__gte=models.F("confirmed_at"))
    )


class KlaviyoFailure(models.Model):
    """A Klaviyo call that failed for good (non-retryable, or retries used up), so staff
    can see what did not reach Klaviyo. Written by KLAVIYO_FAILURE_HANDLER."""

    operation = models.CharField(max_length=40)
    label = models.CharField(max_length=120, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    error = models.TextField()
    attempts = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.operation} {self.label} ({self.attempts} attempts)"


class KlaviyoSuppressionSync(models.Model):
    """The high-water mark of the suppressions pulled from Klaviyo: the newest
    suppression time already applied to leads. One row; it moves forward only after a
    page has been applied, so a crash or a 429 resumes where it stopped."""

    name = models.CharField(max_length=40, unique=True, default="email-marketing")
    synced_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} until {self.synced_until}"


def emails_in_form_data(form_data) -> set[str]:
    """Every value of a submission that is an email address, stripped and lower-cased
    (the field names are the editors', so any field may hold one)."""
    emails = set()
    for value in form_data.values() if isinstance(form_data, dict) else ():
        if not isinstance(value, str) or "@" not in value:
            continue
        candidate = value.strip().lower()
        try:
            validate_email(candidate)
        except ValidationError:
            continue
        emails.add(candidate)
    return emails


class LeadFormSubmission(AbstractFormSubmission):
    """A message sent through a LeadFormPage (LeadFormPage.get_submission_class), stored
    instead of in Wagtail's plaintext wagtailforms_formsubmission: `form_data` is one
    Fernet token (accounts.encryption.EncryptedJSONField), and each email address in it is
    kept only as a keyed hash (LeadFormSubmissionEmail) so erasure finds a person's
    submissions without decrypting every row."""

    form_data = EncryptedJSONField()

    class Meta(AbstractFormSubmission.Meta):
        verbose_name = "form submission"
        verbose_name_plural = "form submissions"

    def __str__(self) -> str:
        return f"Form submission {self.pk}"

    def save(self, *args, **kwargs) -> None:
        with transaction.atomic():
            super().save(*args, **kwargs)
            self.email_digests_refresh()

    def email_digests_refresh(self) -> None:
        """Rewrites this submission's email hashes under the first field key (after it
        is saved, and by the key rotation command)."""
        self.email_digests.all().delete()
        LeadFormSubmissionEmail.objects.bulk_create(
            LeadFormSubmissionEmail(submission=self, digest=lookup_digests(email)[0])
            for email in sorted(emails_in_form_data(self.form_data))
        )


class LeadFormSubmissionEmail(models.Model):
    """The keyed hash (accounts.encryption.lookup_digests) of one lower-cased email
    address found in a LeadFormSubmission; the address itself is only in the encrypted
    form data."""

    submission = models.ForeignKey(
        LeadFormSubmission, on_delete=models.CASCADE, related_name="email_digests"
    )
    digest = models.CharField(max_length=64, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "digest"], name="leads_submission_email_digest_unique"
            )
        ]

    def __str__(self) -> str:
        return f"email hash of submission {self.submission_id}"


class LeadFormField(AbstractFormField):
    page = ParentalKey("LeadFormPage", on_delete=models.CASCADE, related_name="form_fields")


class LeadFormPage(SeoMixin, AbstractEmailForm):
    """A form editors build in Wagtail (the contact page is one). Every submission is
    stored by Wagtail and also creates or updates the lead for its email address; a
    required consent box showing `consent_text` is added to the editor's fields."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link"])
    consent_text = models.TextField(
        default="Email me about Aeyia's sessions, courses and news. I can unsubscribe at any time.",
        help_text="Shown next to the consent box and stored with each lead, word for word.",
    )
    interest = models.CharField(
        max_length=80, blank=True, help_text="Tag stored on leads from this form (e.g. contact)."
    )
    submit_label = models.CharField(max_length=40, default="Send")
    thank_you_text = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = [
        *AbstractEmailForm.content_panels,
        FormSubmissionsPanel(),
        FieldPanel("intro"),
        InlinePanel("form_fields", label="Form fields"),
        FieldPanel("consent_text"),
        FieldPanel("interest"),
        FieldPanel("submit_label"),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("from_address"), FieldPanel("to_address")]),
                FieldPanel("subject"),
            ],
            "Email the submissions to staff",
        ),
    ]

    promote_panels = SeoMixin.promote_panels

    template = "leads/lead_form_page.html"
    landing_page_template = "leads/lead_form_page_landing.html"

    class Meta:
        verbose_name = "form page"

    def get_submission_class(self):
        """Submissions are stored encrypted in our own table, not Wagtail's."""
        return LeadFormSubmission

    def get_form_class(self):
        from marketing_site.leads.forms import form_class_with_consent

        return form_class_with_consent(super().get_form_class(), consent_text=self.consent_text)

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        form.page_consent_text = self.consent_text
        return form

    def serve(self, request, *args, **kwargs):
        from marketing_site.leads.views import serve_lead_form_page

        return serve_lead_form_page(self, request, *args, **kwargs)

    def process_form_submission(self, form):
        """Wagtail's hook for a valid submission: store it (Wagtail), then the lead, and
        tell staff after commit (marketing_site.leads.tasks.send_form_submission_to_staff:
        the page's address, CONTACT_FORM_NOTIFY_EMAIL or the Staff group)."""
        from events.outbox import enqueue_on_commit
        from marketing_site.leads.services import lead_capture_from_form_page
        from marketing_site.leads.tasks import send_form_submission_to_staff

        submission = super().process_form_submission(form)
        lead_capture_from_form_page(page=self, form=form, request=form.request)
        enqueue_on_commit(send_form_submission_to_staff, submission.pk)
        return submission

    def send_mail(self, form):
        """Wagtail would email `to_address` inline, inside the request; the task above
        does it after commit instead (and also when no address is set)."""


class NewsletterPage(SeoMixin, Page):
    """A simple page around one or more lead forms (newsletter, waiting lists)."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link"])
    body = StreamField(NewsletterBodyBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    promote_panels = SeoMixin.promote_panels
    template = "leads/newsletter_page.html"
