"""Consent documents, their published versions and the client's signatures.

A ConsentDocument is what staff edit in Wagtail (a snippet with drafts and revisions).
Publishing it freezes the text into a ConsentVersion (numbered, with the SHA-256 of the
exact text a client is shown); a version is never changed or deleted, so a signature
always points at the words that were signed. ConsentSignature rows are events: a
signature or a withdrawal, each a new row. A client's standing for a kind of document is
their latest row for it."""

import hashlib

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from wagtail.models import DraftStateMixin, RevisionMixin

from accounts.encryption import EncryptedTextField


class ConsentKind(models.TextChoices):
    TREATMENT = "treatment", "Treatment agreement"
    TELEHEALTH = "telehealth", "Telehealth consent"
    SHARING = "sharing", "Sharing consent"


# What each kind of document is needed for (docs/decisions/0031).
NEEDED_FOR = {
    ConsentKind.TREATMENT: "every booking",
    ConsentKind.TELEHEALTH: "online sessions",
    ConsentKind.SHARING: "sharing your record with another practitioner",
}


def text_sha256(*, title: str, body: str) -> str:
    """The SHA-256 (hex) of what a client is shown and signs: the title, a blank line and
    the body, UTF-8, line endings normalised to \\n."""
    text = f"{title.strip()}\n\n{body.strip()}".replace("\r\n", "\n")
    return hashlib.sha256(text.encode()).hexdigest()


class ConsentDocument(DraftStateMixin, RevisionMixin, models.Model):
    """One platform-wide consent document per kind, edited by staff in Wagtail. Only the
    published versions (ConsentVersion) are ever shown to clients or signed."""

    kind = models.CharField(max_length=16, choices=ConsentKind.choices, unique=True)
    title = models.CharField(max_length=200)
    body = models.TextField(
        help_text="The full text the client reads and signs. Separate paragraphs with a "
        "blank line. Publishing a change creates a new version that every client must "
        "sign again before their next booking."
    )
    revisions = GenericRelation(
        "wagtailcore.Revision",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="consent_document",
        for_concrete_model=False,
    )

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.title


class ConsentVersionIsImmutable(Exception):
    """A published consent version is never changed or deleted."""


class ConsentVersionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ConsentVersionIsImmutable("Consent versions are never updated.")


class ConsentVersion(models.Model):
    """The text of a consent document as published at one moment, numbered 1, 2, ... per
    document. Immutable once written."""

    document = models.ForeignKey(ConsentDocument, on_delete=models.PROTECT, related_name="versions")
    kind = models.CharField(max_length=16, choices=ConsentKind.choices)
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    sha256 = models.CharField(max_length=64)
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ConsentVersionQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="consent_version_number_unique"
            ),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="consent_version_gte1"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.number})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ConsentVersionIsImmutable("Consent versions are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ConsentVersionIsImmutable("Consent versions are never deleted.")

    def text_matches_hash(self) -> bool:
        return text_sha256(title=self.title, body=self.body) == self.sha256


class ConsentSignature(models.Model):
    """One consent event of one client: a signature of a version (with the evidence: the
    text hash, time, IP address, user agent and the typed name, encrypted) or the
    withdrawal of the consent of that kind. Rows are only ever added."""

    class Action(models.TextChoices):
        SIGNED = "signed", "Signed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consent_events"
    )
    version = models.ForeignKey(ConsentVersion, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=ConsentKind.choices)
    action = models.CharField(max_length=10, choices=Action.choices)
    text_sha256 = models.CharField(
        max_length=64, help_text="SHA-256 of the text shown when signing (the version's)."
    )
    typed_name = EncryptedTextField(blank=True, help_text="The full name the client typed.")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["client", "kind", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=["signed", "withdrawn"]),
                name="consent_signature_action_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.action} (version {self.version_id})"
