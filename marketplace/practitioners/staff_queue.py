"""The staff queue of every practitioner by stage, and its CSV export (decision 0027).

A practitioner's stage is derived in the database, so the queue can filter and page on it:

- applied: a draft with nothing beyond what the application gave (no photo, languages,
  credential or identity country yet);
- onboarding: a draft the person has started to complete in the wizard;
- rejected: a draft whose latest verification case was rejected (sent back);
- submitted, verified, active, suspended: the profile's status."""

import csv
from collections.abc import Iterator

from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Subquery, Value, When

from marketplace.practitioners.models import Credential, PractitionerProfile, VerificationCase

Status = PractitionerProfile.Status

STAGES: list[tuple[str, str]] = [
    ("applied", "Applied"),
    ("onboarding", "Onboarding"),
    ("submitted", "Submitted"),
    ("verified", "Verified"),
    ("active", "Active"),
    ("rejected", "Rejected"),
    ("suspended", "Suspended"),
]
STAGE_LABELS = dict(STAGES)
# A cell a spreadsheet would read as a formula (or a DDE payload) starts with one of these.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def practitioners_by_stage(*, stage: str = "") -> QuerySet[PractitionerProfile]:
    """Every practitioner with `stage`, `last_decision` and `last_submitted_at`
    annotated, newest first; only those in `stage` when one of STAGES is given."""
    latest_case = VerificationCase.objects.filter(practitioner=OuterRef("pk")).order_by(
        "-submitted_at", "-pk"
    )
    started = (
        ~Q(photo="")
        | ~Q(languages="")
        | ~Q(country="")
        | Exists(Credential.objects.filter(practitioner=OuterRef("pk")))
    )
    rows = PractitionerProfile.objects.annotate(
        last_decision=Subquery(latest_case.values("decision")[:1]),
        last_submitted_at=Subquery(latest_case.values("submitted_at")[:1]),
    ).annotate(
        stage=Case(
            When(~Q(status=Status.DRAFT), then="status"),
            When(last_decision=VerificationCase.Decision.REJECTED, then=Value("rejected")),
            When(started, then=Value("onboarding")),
            default=Value("applied"),
            output_field=CharField(),
        )
    )
    if stage in STAGE_LABELS:
        rows = rows.filter(stage=stage)
    return rows.select_related("user").order_by("-created_at", "-pk")


def csv_safe(value: object) -> str:
    """A cell that a spreadsheet shows as text: a value starting with = + - @ (or a tab or
    carriage return) gets a leading apostrophe, so it is never run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


CSV_HEADER = [
    "id",
    "name",
    "email",
    "stage",
    "modalities",
    "online",
    "in person",
    "location",
    "joined",
    "last submitted",
    "last decision",
]


def practitioners_csv_rows(*, stage: str = "") -> Iterator[str]:
    """The queue (filtered like the page) as CSV lines, read in chunks."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    rows = practitioners_by_stage(stage=stage).prefetch_related("modalities")
    for practitioner in rows.iterator(chunk_size=500):
        yield writer.writerow(
            [
                csv_safe(cell)
                for cell in (
                    practitioner.pk,
                    practitioner.display_name,
                    practitioner.user.email,
                    STAGE_LABELS.get(practitioner.stage, practitioner.stage),
                    "; ".join(modality.name for modality in practitioner.modalities.all()),
                    "yes" if practitioner.offers_online else "no",
                    "yes" if practitioner.offers_in_person else "no",
                    practitioner.location,
                    practitioner.created_at.isoformat(timespec="seconds"),
                    practitioner.last_submitted_at.isoformat(timespec="seconds")
                    if practitioner.last_submitted_at
                    else "",
                    practitioner.last_decision or "",
                )
            ]
        )
