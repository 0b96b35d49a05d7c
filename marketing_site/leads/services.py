"""Every write about leads: capture, double opt-in, unsubscribing (here and from
Klaviyo's suppressions), sign-up linking, erasure, and the record of Klaviyo calls that
failed for good."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from wagtail.contrib.forms.models import FormSubmission

from integrations.klaviyo.events import (
    profile_delete_on_commit,
    profile_upsert_on_commit,
    track_event_on_commit,
)
from integrations.klaviyo.protocol import KlaviyoGateway
from integrations.klaviyo.types import (
    InvalidKlaviyoData,
    KlaviyoProfile,
    KlaviyoSuppression,
)
from marketing_site.leads.attribution import Attribution
from marketing_site.leads.models import (
    KLAVIYO_SUPPRESSION_REASONS,
    KlaviyoFailure,
    KlaviyoSuppressionSync,
    Lead,
    LeadFormSubmission,
    UnsubscribeReason,
)
from marketing_site.leads.selectors import (
    form_submissions_with_email,
    plain_form_submissions_with_email,
)
from privacy.registry import ErasureSubject
from privacy.services import person_erase as privacy_person_erase

logger = logging.getLogger(__name__)
User = get_user_model()

# A second submission within this window does not send another confirmation email, so
# the form cannot be used to flood someone's inbox.
CONFIRMATION_RESEND_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class LeadCaptured:
    lead: Lead
    created: bool
    confirmation_sent: bool


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _lead_status(lead: Lead) -> str:
    if lead.is_unsubscribed:
        return "unsubscribed"
    return "confirmed" if lead.is_subscribed else "pending"


def _klaviyo_profile(lead: Lead) -> KlaviyoProfile | None:
    first, _, last = lead.name.partition(" ")
    try:
        return KlaviyoProfile(
            email=lead.email,
            first_name=first[:60],
            last_name=last[:60],
            external_id=f"lead-{lead.public_id}",
            properties={
                "lead_source": lead.source,
                "lead_status": _lead_status(lead),
                "interest": lead.interest,
                "utm_source": lead.utm_source,
                "utm_medium": lead.utm_medium,
                "utm_campaign": lead.utm_campaign,
                "utm_term": lead.utm_term,
                "utm_content": lead.utm_content,
                "first_touch_source": lead.source,
                "first_touch_campaign": lead.campaign,
                "signed_up_at": lead.signed_up_at,
            },
        )
    except InvalidKlaviyoData:
        logger.warning("lead not synced to klaviyo", extra={"lead": lead.pk})
        return None


def _sync_profile(lead: Lead) -> None:
    profile = _klaviyo_profile(lead)
    if profile is not None:
        profile_upsert_on_commit(profile=profile)


def _lead_for_update(
    *, email: str, attribution: Attribution, source_page: str
) -> tuple[Lead, bool]:
    """This email's lead, locked for the rest of the transaction, created first if there
    is none. Two first submissions at once both find no row; the unique index on the email
    lets one insert, and the other (in a savepoint, so its transaction goes on) takes and
    updates the winner's row instead of failing."""
    lead = Lead.objects.select_for_update().filter(email__iexact=email).first()
    if lead is not None:
        return lead, False
    lead = Lead(
        email=email,
        consent_text="",
        consent_given_at=None,
        submission_count=0,
        first_touch=attribution.first_touch,
        source=attribution.source,
        campaign=attribution.campaign,
        source_page=source_page[:255],
    )
    try:
        with transaction.atomic():
            lead.save()
    except IntegrityError:
        return Lead.objects.select_for_update().get(email__iexact=email), False
    return lead, True


@transaction.atomic
def lead_capture(
    *,
    email: str,
    consent_text: str,
    is_consent_given: bool,
    attribution: Attribution,
    name: str = "",
    interest: str = "",
    message: str = "",
    source_page: str = "",
    confirm_url_base: str = "",
) -> LeadCaptured:
    """Creates the lead for this email, or updates the one there is (one row per person).

    First touch is kept from the first submission; last touch, UTM fields and referrer
    follow the newest. When consent is given, the text shown and the time are stored and
    a confirmation email (double opt-in) is sent unless the person is subscribed already
    or was sent one in the last ten minutes. Someone who unsubscribed and gives consent
    again goes through double opt-in again: they stay unsubscribed until they confirm.
    The Klaviyo profile is updated and "Lead Captured" is sent once per lead, after
    commit."""
    email = normalise_email(email)
    now = timezone.now()
    lead, created = _lead_for_update(email=email, attribution=attribution, source_page=source_page)
    lead.submission_count += 1
    if name:
        lead.name = name[:200]
    if interest:
        lead.interest = interest[:80]
    if message:
        lead.message = message
    if source_page and not lead.source_page:
        lead.source_page = source_page[:255]
    # Source and campaign are the first touch, fixed when the lead is created: a later
    # visit from an ad does not take the credit for a lead that came on its own.
    touch = attribution.last_touch
    if touch:
        lead.last_touch = touch
        lead.referrer = touch.get("referrer", "")[:500]
        for key in ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"):
            setattr(lead, key, touch.get(key, "")[:120])
    if is_consent_given:
        lead.consent_text = consent_text
        lead.consent_given_at = now
    if lead.user_id is None:
        lead.user = User.objects.filter(email__iexact=email).first()

    send_confirmation = (
        is_consent_given
        and not lead.is_subscribed
        and (
            lead.confirmation_sent_at is None
            or now - lead.confirmation_sent_at >= CONFIRMATION_RESEND_AFTER
        )
    )
    if send_confirmation:
        lead.confirmation_sent_at = now
    lead.save()

    if send_confirmation:
        from marketing_site.leads.notifications import lead_notify_confirmation

        lead_notify_confirmation(lead=lead, site_url=confirm_url_base or settings.SITE_URL)
    _sync_profile(lead)
    track_event_on_commit(
        email=lead.email,
        metric="Lead Captured",
        properties={
            "source_page": lead.source_page,
            "interest": lead.interest,
            "utm_source": lead.utm_source,
            "utm_medium": lead.utm_medium,
            "utm_campaign": lead.utm_campaign,
            "utm_term": lead.utm_term,
            "utm_content": lead.utm_content,
        },
        unique_id=f"lead-{lead.public_id}-captured",
        time=lead.created_at,
    )
    return LeadCaptured(lead=lead, created=created, confirmation_sent=send_confirmation)


def _enqueue_on_commit(task, lead_id: int) -> None:
    from events.outbox import enqueue_on_commit

    enqueue_on_commit(task, lead_id)


@transaction.atomic
def lead_confirm(*, lead: Lead) -> bool:
    """The double opt-in: marks the lead confirmed and subscribes it to KLAVIYO_LIST_ID
    with the time consent was given. Returns False when it is subscribed already, or
    when it unsubscribed after its last consent (an old link cannot undo that)."""
    from marketing_site.leads.tasks import lead_klaviyo_subscribe

    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if not lead.can_confirm:
        return False
    lead.confirmed_at = timezone.now()
    lead.save(update_fields=["confirmed_at", "updated_at"])
    _sync_profile(lead)
    _enqueue_on_commit(lead_klaviyo_subscribe, lead.pk)
    return True


@transaction.atomic
def lead_unsubscribe(
    *, lead: Lead, reason: str = UnsubscribeReason.AEYIA, at: datetime | None = None
) -> bool:
    """Withdraws the lead's marketing consent (the unsubscribe link, RFC 8058 one-click,
    or staff). Klaviyo is told after commit, by a task that re-reads the lead on every
    attempt. Returns False when the lead is unsubscribed already (nothing is sent
    twice)."""
    from marketing_site.leads.tasks import lead_klaviyo_unsubscribe

    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.is_unsubscribed:
        return False
    lead.unsubscribed_at = at or timezone.now()
    lead.unsubscribe_reason = reason
    lead.save(update_fields=["unsubscribed_at", "unsubscribe_reason", "updated_at"])
    _sync_profile(lead)
    _enqueue_on_commit(lead_klaviyo_unsubscribe, lead.pk)
    logger.info("lead unsubscribed", extra={"lead": lead.pk, "reason": reason})
    return True


def unsubscribe_reason_for(klaviyo_reason: str) -> str:
    """Klaviyo's suppression reason as ours; one Klaviyo adds later counts as an
    unsubscribe in Klaviyo."""
    return KLAVIYO_SUPPRESSION_REASONS.get(klaviyo_reason, UnsubscribeReason.KLAVIYO)


# Where the first pull starts: before any lead existed, so every suppression counts.
SUPPRESSIONS_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@transaction.atomic
def lead_suppressions_apply(*, suppressions: tuple[KlaviyoSuppression, ...] | list) -> int:
    """Marks the leads Klaviyo suppressed as unsubscribed, with the mapped reason and
    Klaviyo's time, and moves the high-water mark to the newest suppression of the page,
    in one transaction. A suppression older than the lead's latest confirmation no
    longer applies (they gave consent again since). Returns how many leads changed;
    applying the same page twice changes nothing."""
    sync, _created = KlaviyoSuppressionSync.objects.select_for_update().get_or_create(
        name="email-marketing"
    )
    by_email: dict[str, KlaviyoSuppression] = {}
    for suppression in suppressions:
        key = suppression.email.lower()
        if key not in by_email or suppression.suppressed_at > by_email[key].suppressed_at:
            by_email[key] = suppression
    changed = 0
    if by_email:
        candidates = (
            Lead.objects.select_for_update()
            .annotate(email_lower=Lower("email"))
            .filter(email_lower__in=list(by_email))
        )
        for lead in candidates:
            suppression = by_email[lead.email.lower()]
            if lead.is_unsubscribed:
                continue
            if lead.confirmed_at is not None and suppression.suppressed_at <= lead.confirmed_at:
                continue
            lead.unsubscribed_at = suppression.suppressed_at
            lead.unsubscribe_reason = unsubscribe_reason_for(suppression.reason)
            lead.save(update_fields=["unsubscribed_at", "unsubscribe_reason", "updated_at"])
            changed += 1
        newest = max(item.suppressed_at for item in by_email.values())
        if sync.synced_until is None or newest > sync.synced_until:
            sync.synced_until = newest
            sync.save(update_fields=["synced_until", "updated_at"])
    return changed


def lead_suppressions_pull(*, gateway: KlaviyoGateway, max_pages: int = 1000) -> int:
    """Pulls the suppressions Klaviyo recorded since the stored high-water mark (people
    who unsubscribed from a Klaviyo email, bounced, complained, or were suppressed by
    staff there), page by page, applying and saving the mark after each page. A
    KlaviyoError (429...) propagates to the task, which retries from the saved mark.
    Returns how many leads changed."""
    sync = KlaviyoSuppressionSync.objects.filter(name="email-marketing").first()
    since = (sync.synced_until if sync else None) or SUPPRESSIONS_EPOCH
    changed = 0
    cursor = ""
    for _page in range(max_pages):
        page = gateway.suppressions_since(since=since, cursor=cursor)
        changed += lead_suppressions_apply(suppressions=page.suppressions)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    return changed


@transaction.atomic
def lead_link_signup(*, user, lead_public_id: str | None = None) -> Lead | None:
    """A person signed up: links their lead (same email, else the lead their browser
    submitted, if that lead has no account yet), marks it signed up, syncs the profile
    and sends "Signed Up". Returns the lead, if any."""
    lead = Lead.objects.select_for_update().filter(email__iexact=user.email).first()
    if lead is None and lead_public_id:
        lead = (
            Lead.objects.select_for_update()
            .filter(public_id=lead_public_id, user__isnull=True)
            .first()
        )
    if lead is not None and lead.signed_up_at is None:
        lead.user = user
        lead.signed_up_at = timezone.now()
        lead.save(update_fields=["user", "signed_up_at", "updated_at"])
        _sync_profile(lead)
    elif lead is None:
        try:
            profile = KlaviyoProfile(
                email=user.email,
                first_name=user.first_name,
                last_name=user.last_name,
                external_id=f"user-{user.pk}",
                properties={"signed_up_at": user.date_joined},
            )
        except InvalidKlaviyoData:
            profile = None
        if profile is not None:
            profile_upsert_on_commit(profile=profile)
    track_event_on_commit(
        email=user.email,
        metric="Signed Up",
        properties={
            "utm_source": lead.utm_source if lead else "",
            "utm_campaign": lead.utm_campaign if lead else "",
            "signup_method": "email",
        },
        unique_id=f"user-{user.pk}-signed-up",
    )
    return lead


@transaction.atomic
def lead_capture_from_form_page(*, page, form, request) -> Lead | None:
    """A Wagtail form page submission also creates or updates the lead, when the editor's
    form has an email field."""
    from marketing_site.leads.attribution import attribution_from_request

    email_fields = [
        field.clean_name for field in page.get_form_fields() if field.field_type == "email"
    ]
    data = form.cleaned_data
    email = next((data.get(name) for name in email_fields if data.get(name)), "")
    if not email:
        return None
    name_parts = [
        str(data.get(key) or "").strip()
        for key in ("name", "full_name", "your_name", "first_name", "last_name")
    ]
    result = lead_capture(
        email=email,
        consent_text=page.consent_text,
        is_consent_given=bool(data.get("consent")),
        attribution=attribution_from_request(request),
        name=" ".join(part for part in name_parts if part),
        interest=page.interest,
        message=str(data.get("message") or data.get("your_message") or "")[:5000],
        source_page=page.url or "",
        confirm_url_base=request.build_absolute_uri("/"),
    )
    return result.lead


def klaviyo_failure_record(
    *, operation: str, email: str, label: str, error: str, attempts: int
) -> KlaviyoFailure:
    """KLAVIYO_FAILURE_HANDLER: keeps a Klaviyo call that failed for good where staff can
    see it (the leads screen in the Wagtail admin)."""
    return KlaviyoFailure.objects.create(
        operation=operation[:40],
        label=label[:120],
        email=email[:254],
        error=error[:2000],
        attempts=attempts,
    )


@dataclass(frozen=True)
class ErasureResult:
    leads_deleted: int
    submissions_deleted: int
    user_anonymised: bool


def person_erase(*, email: str, requested_by) -> ErasureResult:
    """Erases a person on request (GDPR art. 17) through the privacy registry: every app's
    eraser runs in one transaction (leads, form submissions, certificates, bookings,
    practitioner identity, the account...) and the run is audited
    (docs/decisions/0023-erasure-and-field-encryption.md). Returns what the staff screen
    reports."""
    report = privacy_person_erase(email=normalise_email(email), requested_by=requested_by)
    return ErasureResult(
        leads_deleted=report.count(LEADS_ERASER),
        submissions_deleted=report.count(FORM_SUBMISSIONS_ERASER),
        user_anonymised=report.user_anonymised,
    )


LEADS_ERASER = "leads"
FORM_SUBMISSIONS_ERASER = "form_submissions"


def leads_erase(subject: ErasureSubject) -> int:
    """Eraser: the person's lead rows (matched by email or by the linked account, with
    their encrypted message), the Klaviyo failure rows naming them, and Klaviyo's own
    profiles (deletion requested after commit)."""
    matches = Lead.objects.filter(email__iexact=subject.email)
    if subject.user is not None:
        matches = matches | Lead.objects.filter(user=subject.user)
        other_emails = set(
            matches.exclude(email__iexact=subject.email).values_list("email", flat=True)
        )
    else:
        other_emails = set()
    deleted, _ = Lead.objects.filter(pk__in=list(matches.values_list("pk", flat=True))).delete()
    for address in {subject.email, *other_emails}:
        KlaviyoFailure.objects.filter(email__iexact=address).delete()
        profile_delete_on_commit(email=address)
    return deleted


def form_submissions_erase(subject: ErasureSubject) -> int:
    """Eraser: form submissions with a field equal to the person's email: the encrypted
    LeadFormSubmissions (found by the email's keyed hash; their hash rows go with them)
    and any left in Wagtail's plaintext table, with the staff notifications that copied
    them. Returns how many submissions went."""
    encrypted_ids = form_submissions_with_email(email=subject.email)
    LeadFormSubmission.objects.filter(pk__in=encrypted_ids).delete()
    # The staff emails' copies of those submissions, kept (encrypted) on their
    # notifications for the delivery record (decision 0038).
    from marketing_site.leads.notifications import form_submission_notices_erase

    form_submission_notices_erase(submission_ids=encrypted_ids)
    plain_ids = plain_form_submissions_with_email(email=subject.email)
    FormSubmission.objects.filter(pk__in=plain_ids).delete()
    return len(encrypted_ids) + len(plain_ids)


def lead_form_submissions_rehash(**_signal_kwargs) -> int:
    """Receiver of accounts.encryption.field_keys_rotated (`manage.py
    encrypted_fields_rotate`): recomputes every submission's email hashes under the new
    first key, so lookups keep working once the old key is removed. Returns how many
    submissions were rehashed."""
    count = 0
    for submission in LeadFormSubmission.objects.order_by("pk").iterator():
        submission.email_digests_refresh()
        count += 1
    return count
