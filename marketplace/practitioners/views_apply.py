"""Applying to practise (/practise/apply/) and the invitation landing page
(/practise/invitation/<token>/), decision 0027.

Anyone may fill in the application. A signed-out visitor's answers are kept in their
session while they sign up (or sign in); after confirming their email they sign in with
?next= back here and find the form filled in, to check and send. Sending makes them a
practitioner with a draft profile and takes them to the onboarding wizard, where the MFA
policy first asks for an authenticator app. Someone who already practises is sent to their
dashboard."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from accounts.adapters import NEXT_AFTER_CONFIRMATION_SESSION_KEY
from marketplace.practitioners.application_forms import ApplicationForm
from marketplace.practitioners.models import Modality, PractitionerProfile
from marketplace.practitioners.ratelimit import application_rate_limit_hit
from marketplace.practitioners.services.applications import (
    InvitationUnusable,
    invitation_by_token,
    practitioner_apply,
)

SESSION_DRAFT = "practise_application_draft"
SESSION_INVITATION = "practise_invitation_token"


def _session_invitation(request):
    token = request.session.get(SESSION_INVITATION, "")
    if not token:
        return None
    try:
        return invitation_by_token(token=token)
    except InvitationUnusable:
        request.session.pop(SESSION_INVITATION, None)
        return None


def _initial(request, invitation) -> dict:
    initial: dict = {"offers_online": True}
    if invitation is not None:
        initial["display_name"] = invitation.name
        initial["modalities"] = list(invitation.modalities.all())
    user = request.user
    if user.is_authenticated and user.get_full_name():
        initial["display_name"] = user.get_full_name()
    draft = request.session.get(SESSION_DRAFT)
    if isinstance(draft, dict):
        for key in ("display_name", "offers_online", "offers_in_person", "location", "statement"):
            if key in draft:
                initial[key] = draft[key]
        if draft.get("modalities"):
            initial["modalities"] = list(Modality.objects.filter(pk__in=draft["modalities"]))
    return initial


def _show_errors(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_http_methods(["GET", "POST"])
def apply(request):
    user = request.user
    if user.is_authenticated and PractitionerProfile.objects.filter(user=user).exists():
        messages.info(request, "You already practise on Aeyia: here is your dashboard.")
        return redirect("dashboard")
    invitation = _session_invitation(request)
    status = 200
    if request.method == "POST":
        form = ApplicationForm(request.POST)
        decision = application_rate_limit_hit(request)
        if not decision.is_allowed:
            minutes = max(1, round(decision.retry_after / 60))
            form.add_error(
                None,
                "You have sent several applications; please wait "
                f"{minutes} minute{'s' if minutes != 1 else ''} and try again.",
            )
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            if not user.is_authenticated:
                request.session[SESSION_DRAFT] = form.to_session()
                request.session[NEXT_AFTER_CONFIRMATION_SESSION_KEY] = reverse("practitioner-apply")
                messages.info(
                    request,
                    "Create your account to send your application (or sign in if you have "
                    "one). What you wrote is kept.",
                )
                query = urlencode({"next": reverse("practitioner-apply")})
                return redirect(f"{reverse('account_signup')}?{query}")
            try:
                result = practitioner_apply(
                    user=user,
                    display_name=data["display_name"],
                    modalities=list(data["modalities"]),
                    offers_online=data["offers_online"],
                    offers_in_person=data["offers_in_person"],
                    location=data["location"],
                    statement=data["statement"],
                    accepts_terms=data["accepts_terms"],
                    invitation_token=request.session.get(SESSION_INVITATION, ""),
                )
            except InvitationUnusable as error:
                request.session.pop(SESSION_INVITATION, None)
                invitation = None
                form.add_error(None, f"{error.detail} Send the form again to apply without it.")
            except ValidationError as error:
                _show_errors(form, error)
            else:
                request.session.pop(SESSION_DRAFT, None)
                request.session.pop(SESSION_INVITATION, None)
                if not result.is_new:
                    messages.info(request, "You already practise on Aeyia: here is your dashboard.")
                    return redirect("dashboard")
                messages.success(
                    request,
                    "Thank you for applying. Next, complete your profile, qualifications "
                    "and identity check for our review.",
                )
                return redirect("practitioner-onboarding")
        if form.errors and status == 200:
            status = 400
    else:
        form = ApplicationForm(initial=_initial(request, invitation))
    return render(
        request,
        "practitioners/apply/apply.html",
        {
            "form": form,
            "invitation": invitation,
            "login_url": f"{reverse('account_login')}?"
            + urlencode({"next": reverse("practitioner-apply")}),
        },
        status=status,
    )


@require_GET
def invitation(request, token: str):
    """An invitation link: a usable one is remembered in the session (the application
    then starts from it); an unknown one is a 404 and a used or expired one a 410, each
    saying what to do instead."""
    try:
        found = invitation_by_token(token=token)
    except InvitationUnusable as error:
        response = render(
            request,
            "practitioners/apply/invitation_unusable.html",
            {"detail": error.detail, "reason": error.reason},
            status=404 if error.reason == "unknown" else 410,
        )
    else:
        request.session[SESSION_INVITATION] = token
        response = render(
            request,
            "practitioners/apply/invitation.html",
            {"invitation": found, "modalities": list(found.modalities.all())},
        )
    # The token is in the address: keep it out of Referer headers and shared caches.
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response
