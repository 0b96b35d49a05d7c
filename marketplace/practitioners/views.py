"""The practitioner onboarding wizard under /dashboard/practice/onboarding/ (MFA applies
to /dashboard/), the private credential documents, and the KYC webhook.

Each step saves what it is given as a draft; the overview lists what the review still
needs and submits. Only practitioners with a profile get in (403 for anyone else); a
credential or document that is not the caller's is a 404 (staff may open documents)."""

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from filestore import private_file_response
from integrations.kyc.types import WebhookSignatureError
from marketplace.practitioners.access import practitioner_view
from marketplace.practitioners.errors import PractitionerError, SubmissionIncomplete
from marketplace.practitioners.forms import CredentialForm, IdentityForm, ProfileForm
from marketplace.practitioners.models import Credential, PractitionerProfile
from marketplace.practitioners.selectors import (
    practitioner_current_case,
    practitioner_onboarding_gaps,
)
from marketplace.practitioners.services import (
    credential_delete,
    credential_save,
    practitioner_activate,
    practitioner_identity_update,
    practitioner_profile_update,
    practitioner_submit,
)
from marketplace.practitioners.services.onboarding import EDITABLE_STATUSES
from marketplace.practitioners.webhooks import receive

logger = logging.getLogger(__name__)

Status = PractitionerProfile.Status
MAX_WEBHOOK_BYTES = 256 * 1024

STEPS = [
    ("profile", "Your profile", "practitioner-onboarding-profile"),
    ("credentials", "Qualifications and insurance", "practitioner-onboarding-credentials"),
    ("identity", "Identity check", "practitioner-onboarding-identity"),
    ("services", "Services", "practice-services"),
]


def _context(practitioner: PractitionerProfile, step: str, **extra) -> dict:
    return {
        "practitioner": practitioner,
        "steps": STEPS,
        "step": step,
        "is_editable": practitioner.status in EDITABLE_STATUSES,
        "is_draft": practitioner.status == Status.DRAFT,
        **extra,
    }


def _error_status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


@require_GET
@practitioner_view
def overview(request, practitioner):
    by_step = practitioner_onboarding_gaps(practitioner=practitioner, today=timezone.localdate())
    has_active_service = practitioner.services.filter(is_active=True).exists()
    done = {key: not gaps for key, gaps in by_step.items()}
    done["services"] = has_active_service
    return render(
        request,
        "practitioners/onboarding_overview.html",
        _context(
            practitioner,
            "overview",
            gaps=[gap for gaps in by_step.values() for gap in gaps],
            checklist=[(label, url_name, done[key]) for key, label, url_name in STEPS],
            case=practitioner_current_case(practitioner=practitioner),
            has_active_service=has_active_service,
        ),
    )


@require_http_methods(["GET", "POST"])
@practitioner_view
def profile_step(request, practitioner):
    initial = {
        "display_name": practitioner.display_name,
        "bio": practitioner.bio,
        "languages": practitioner.languages,
        "modalities": list(practitioner.modalities.all()),
        "offers_online": practitioner.offers_online,
        "offers_in_person": practitioner.offers_in_person,
        "location": practitioner.location,
    }
    has_photo = bool(practitioner.photo)
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, initial=initial, has_photo=has_photo)
        if form.is_valid():
            data = form.cleaned_data
            try:
                practitioner_profile_update(
                    practitioner=practitioner,
                    display_name=data["display_name"],
                    bio=data["bio"],
                    languages=data["languages"],
                    modalities=list(data["modalities"]),
                    offers_online=data["offers_online"],
                    offers_in_person=data["offers_in_person"],
                    location=data["location"],
                    photo=data["photo"],
                )
            except (ValidationError, PractitionerError) as error:
                _show_service_error(form, error)
            else:
                messages.success(request, "Your profile is saved.")
                return redirect("practitioner-onboarding-credentials")
    else:
        form = ProfileForm(initial=initial, has_photo=has_photo)
    return render(
        request,
        "practitioners/onboarding_profile.html",
        _context(practitioner, "profile", form=form),
        status=_error_status(form),
    )


def _show_service_error(form, error: ValidationError | PractitionerError) -> None:
    """Puts a service's refusal next to the field it names, or above the form."""
    if isinstance(error, PractitionerError):
        form.add_error(None, error.detail)
        return
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _own_credential(practitioner, credential_id: int) -> Credential:
    return get_object_or_404(Credential, pk=credential_id, practitioner=practitioner)


@require_http_methods(["GET", "POST"])
@practitioner_view
def credentials_step(request, practitioner, credential_id: int | None = None):
    credential = _own_credential(practitioner, credential_id) if credential_id else None
    initial = {}
    if credential is not None:
        initial = {
            "kind": credential.kind,
            "title": credential.title,
            "issuer": credential.issuer,
            "number": credential.number,
            "expires_on": credential.expires_on,
        }
    has_document = bool(credential and credential.document)
    if request.method == "POST":
        form = CredentialForm(
            request.POST, request.FILES, initial=initial, has_document=has_document
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                credential_save(
                    practitioner=practitioner,
                    credential=credential,
                    kind=data["kind"],
                    title=data["title"],
                    issuer=data["issuer"],
                    number=data["number"],
                    expires_on=data["expires_on"],
                    document=data["document"],
                )
            except (ValidationError, PractitionerError) as error:
                _show_service_error(form, error)
            else:
                messages.success(request, "Saved. Staff will check it with your profile.")
                return redirect("practitioner-onboarding-credentials")
    else:
        form = CredentialForm(initial=initial, has_document=has_document)
    return render(
        request,
        "practitioners/onboarding_credentials.html",
        _context(
            practitioner,
            "credentials",
            form=form,
            credential=credential,
            credentials=list(practitioner.credentials.order_by("kind", "expires_on", "pk")),
            today=timezone.localdate(),
        ),
        status=_error_status(form),
    )


@require_POST
@practitioner_view
def credential_delete_view(request, practitioner, credential_id: int):
    credential = _own_credential(practitioner, credential_id)
    try:
        credential_delete(practitioner=practitioner, credential=credential)
    except PractitionerError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, f"“{credential.title}” is removed.")
    return redirect("practitioner-onboarding-credentials")


@require_GET
def credential_document(request, credential_id: int):
    """The credential's document, to its practitioner and to staff; 404 for anyone else
    (and for a credential without a document)."""
    credential = Credential.objects.select_related("practitioner").filter(pk=credential_id).first()
    if credential is None or not credential.document:
        raise Http404("No such document.")
    user = request.user
    if not user.is_authenticated or not (
        user.is_staff or credential.practitioner.user_id == user.pk
    ):
        raise Http404("No such document.")
    return private_file_response(
        credential.document.name, storage=credential.document.storage, as_attachment=True
    )


@require_http_methods(["GET", "POST"])
@practitioner_view
def identity_step(request, practitioner):
    initial = {
        "legal_given_name": practitioner.legal_given_name,
        "legal_family_name": practitioner.legal_family_name,
        "date_of_birth": practitioner.date_of_birth,
        "country": practitioner.country,
        "identity_document_type": practitioner.identity_document_type,
        "identity_document_number": practitioner.identity_document_number,
    }
    if request.method == "POST":
        form = IdentityForm(request.POST, initial=initial)
        if form.is_valid():
            try:
                practitioner_identity_update(practitioner=practitioner, **form.cleaned_data)
            except (ValidationError, PractitionerError) as error:
                _show_service_error(form, error)
            else:
                messages.success(request, "Your identity details are saved.")
                return redirect("practitioner-onboarding")
    else:
        form = IdentityForm(initial=initial)
    return render(
        request,
        "practitioners/onboarding_identity.html",
        _context(practitioner, "identity", form=form),
        status=_error_status(form),
    )


@require_POST
@practitioner_view
def submit(request, practitioner):
    try:
        practitioner_submit(practitioner=practitioner)
    except SubmissionIncomplete as error:
        for gap in error.gaps:
            messages.error(request, gap)
    except PractitionerError as error:
        messages.error(request, error.detail)
    else:
        messages.success(
            request, "Submitted. We are checking your identity and will email you our decision."
        )
    return redirect("practitioner-onboarding")


@require_POST
@practitioner_view
def activate(request, practitioner):
    try:
        practitioner_activate(practitioner=practitioner)
    except PractitionerError as error:
        messages.error(request, error.detail)
    else:
        messages.success(
            request,
            "You are taking bookings. Your practice dashboard shows anything clients still "
            "need before they can find you.",
        )
    return redirect("practitioner-onboarding")


def _json_error(code: str, detail: str, status: int) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=status)


@csrf_exempt
def kyc_webhook(request):
    """POST /webhooks/kyc/: 200 once stored (a redelivery too), 401 without a signature,
    400 for a bad signature or body, 405 for other methods, 413 when too large."""
    if request.method != "POST":
        return _json_error("method_not_allowed", "Use POST.", 405)
    if len(request.body) > MAX_WEBHOOK_BYTES:
        return _json_error("too_large", "Payload too large.", 413)
    signature = request.headers.get("X-Aeyia-Signature", "")
    if not signature:
        return _json_error("missing_signature", "The X-Aeyia-Signature header is missing.", 401)
    try:
        event = receive(request.body, signature)
    except WebhookSignatureError as error:
        logger.warning("rejected KYC webhook: %s", error)
        return _json_error("invalid_signature", "The signature did not verify.", 400)
    except ValueError as error:
        logger.warning("malformed KYC webhook: %s", error)
        return _json_error("invalid_payload", "The body is not a KYC result event.", 400)
    return JsonResponse({"received": True, "id": event.event_id})
