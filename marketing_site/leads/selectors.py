"""Reads about leads: the funnel report (leads → confirmed → sign-ups → first purchase,
by source and campaign, with who unsubscribed and why) and the staff list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from wagtail.contrib.forms.models import FormSubmission

from accounts.encryption import lookup_digests
from commerce.memberships.models import Membership
from commerce.payments.models import Payment
from marketing_site.leads.models import (
    KlaviyoFailure,
    Lead,
    LeadFormSubmission,
    UnsubscribeReason,
    unsubscribed_q,
)


@dataclass(frozen=True)
class FunnelRow:
    source: str
    campaign: str
    leads: int
    confirmed: int
    signed_up: int
    purchased: int
    # (reason label, count) for every reason, in UnsubscribeReason order.
    unsubscribed_by_reason: tuple[tuple[str, int], ...] = ()

    @property
    def unsubscribed(self) -> int:
        """Leads whose consent is withdrawn now (here, in Klaviyo, or by a bounce)."""
        return sum(count for _label, count in self.unsubscribed_by_reason)

    @property
    def conversion_percent(self) -> float:
        """Leads who went on to buy, as a share of all leads."""
        return round(100 * self.purchased / self.leads, 1) if self.leads else 0.0


@dataclass(frozen=True)
class Funnel:
    rows: list[FunnelRow]
    total: FunnelRow


def purchase_exists() -> Exists:
    """True when the lead's account has bought something: a card payment that went
    through (a session, course or credit pack) or a paid membership."""
    paid = Payment.objects.filter(user=OuterRef("user_id"), paid_at__isnull=False)
    member = Membership.objects.filter(user=OuterRef("user_id"), plan__price__gt=0)
    return Exists(paid) | Exists(member)


def leads_with_stage(*, since: datetime | None = None) -> QuerySet[Lead]:
    leads = Lead.objects.all()
    if since is not None:
        leads = leads.filter(created_at__gte=since)
    return leads.annotate(has_purchase=purchase_exists())


def lead_funnel(*, since: datetime | None = None) -> Funnel:
    """One row per (source, campaign), largest first, and the totals. A fixed number of
    queries however many leads there are."""
    counts = {
        "leads": Count("pk"),
        "confirmed": Count("pk", filter=Q(confirmed_at__isnull=False)),
        "signed_up": Count("pk", filter=Q(signed_up_at__isnull=False)),
        "purchased": Count("pk", filter=Q(has_purchase=True, user__isnull=False)),
        # One conditional count per reason in the same grouped query: no extra queries.
        **{
            f"unsubscribed_{reason.value}": Count(
                "pk", filter=unsubscribed_q() & Q(unsubscribe_reason=reason.value)
            )
            for reason in UnsubscribeReason
        },
    }
    grouped = (
        leads_with_stage(since=since)
        .values("source", "campaign")
        .annotate(**counts)
        .order_by("-leads", "source", "campaign")
    )
    rows = [
        FunnelRow(
            source=row["source"] or "direct",
            campaign=row["campaign"],
            leads=row["leads"],
            confirmed=row["confirmed"],
            signed_up=row["signed_up"],
            purchased=row["purchased"],
            unsubscribed_by_reason=tuple(
                (str(reason.label), row[f"unsubscribed_{reason.value}"])
                for reason in UnsubscribeReason
            ),
        )
        for row in grouped
    ]
    total = FunnelRow(
        source="All sources",
        campaign="",
        leads=sum(row.leads for row in rows),
        confirmed=sum(row.confirmed for row in rows),
        signed_up=sum(row.signed_up for row in rows),
        purchased=sum(row.purchased for row in rows),
        unsubscribed_by_reason=tuple(
            (
                str(reason.label),
                sum(dict(row.unsubscribed_by_reason)[str(reason.label)] for row in rows),
            )
            for reason in UnsubscribeReason
        ),
    )
    return Funnel(rows=rows, total=total)


def leads_search(*, query: str = "", limit: int = 50) -> list[Lead]:
    leads = Lead.objects.order_by("-created_at")
    if query:
        leads = leads.filter(email__icontains=query)
    return list(leads[:limit])


def klaviyo_failures_recent(*, limit: int = 20) -> list[KlaviyoFailure]:
    return list(KlaviyoFailure.objects.order_by("-created_at")[:limit])


def person_footprint(*, email: str) -> dict[str, int | bool]:
    """What erasing this email would touch, for the confirmation step."""
    email = email.strip().lower()
    return {
        "leads": Lead.objects.filter(email__iexact=email).count(),
        "submissions": len(form_submissions_with_email(email=email))
        + len(plain_form_submissions_with_email(email=email)),
        "has_account": get_user_model().objects.filter(email__iexact=email).exists(),
    }


def form_submissions_with_email(*, email: str) -> list[int]:
    """Ids of the (encrypted) LeadFormSubmissions with a field whose value is exactly this
    email, case-insensitively: found by the keyed hash of the address
    (LeadFormSubmissionEmail), under every configured field key, without decrypting."""
    digests = lookup_digests(email.strip().lower())
    return sorted(
        LeadFormSubmission.objects.filter(email_digests__digest__in=digests)
        .values_list("pk", flat=True)
        .distinct()
    )


def plain_form_submissions_with_email(*, email: str) -> list[int]:
    """Ids of submissions in Wagtail's own plaintext table (a form page type that does not
    store LeadFormSubmissions; none does today) with a field whose value is exactly this
    email (a cheap `icontains` narrows the rows, the exact check runs in Python because
    the field names are the editors')."""
    email = email.strip().lower()
    ids = []
    candidates = FormSubmission.objects.filter(form_data__icontains=email).only("pk", "form_data")
    for submission in candidates.iterator():
        data = submission.form_data if isinstance(submission.form_data, dict) else {}
        if any(
            isinstance(value, str) and value.strip().lower() == email for value in data.values()
        ):
            ids.append(submission.pk)
    return ids
