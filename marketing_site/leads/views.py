"""The lead flow's pages: the CSRF-exempt submit endpoint behind every lead form, the
thank-you page, the double opt-in confirmation, the unsubscribe link, and the Wagtail
form page's serve."""

from __future__ import annotations

from django.core import signing
from django.core.cache import cache
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from marketing_site.leads.attribution import (
    COOKIE_MAX_AGE,
    LEAD_COOKIE,
    attribution_from_request,
    lead_cookie_value,
)
from marketing_site.leads.forms import SUBMISSION_TOKEN_MAX_AGE, LeadForm, form_token_read
from marketing_site.leads.ratelimit import contact_rate_limit_hit, lead_rate_limit_hit
from marketing_site.leads.services import lead_capture, lead_confirm, lead_unsubscribe
from marketing_site.leads.tokens import lead_for_confirmation_token, lead_for_unsubscribe_token

RATE_LIMITED_MESSAGE = (
    "Too many sign-ups have come from your connection in a short time. "
    "Please wait {minutes} and try again."
)

# The rate limit fails closed when the cache is down (decision 0019): not their fault.
UNAVAILABLE_MESSAGE = (
    "We can't take sign-ups for a moment because of a problem on our side. "
    "Your details are still in the form: please try again shortly."
)


def _refusal_message(decision) -> str:
    if not decision.is_counted:
        return UNAVAILABLE_MESSAGE
    return RATE_LIMITED_MESSAGE.format(minutes=_minutes(decision.retry_after))


def _minutes(seconds: int) -> str:
    minutes = max(1, (seconds + 59) // 60)
    return "a minute" if minutes == 1 else f"{minutes} minutes"


def _safe_path(request, path: str) -> str:
    if path and url_has_allowed_host_and_scheme(
        path, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return path
    return "/"


def _remember_lead(response, request, public_id) -> None:
    response.set_cookie(
        LEAD_COOKIE,
        lead_cookie_value(str(public_id)),
        max_age=COOKIE_MAX_AGE,
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )


def _error_page(
    request,
    form: LeadForm,
    meta: dict | None,
    *,
    status: int,
    message: str = "",
    keep_form: bool = False,
):
    """The form again with its errors; with a `message`, only that and a way back, unless
    `keep_form` (our outage: what they typed stays, ready to send again)."""
    context = {
        "form": form,
        "meta": meta,
        "message": message,
        "show_form": bool(meta) and (not message or keep_form),
        "action_url": reverse("leads:submit"),
        "back_url": _safe_path(request, request.POST.get("source_page", "")),
    }
    response = TemplateResponse(request, "leads/submit_error.html", context, status=status)
    return response


@csrf_exempt  # on purpose: see docs/decisions/0011-leads-and-klaviyo.md
@require_POST
@never_cache
def lead_submit(request):
    """Target of every lead form block. Spam checks first (rate limit per address, then
    the honeypot), then the fields; a valid submission creates or updates the lead and
    goes on to the thank-you page."""
    meta = form_token_read(request.POST.get("form_token", ""))
    form = LeadForm(request.POST, consent_text=meta["consent_text"] if meta else "")
    decision = lead_rate_limit_hit(request)
    if not decision.is_allowed:
        response = _error_page(
            request,
            form,
            meta,
            status=429,
            message=_refusal_message(decision),
            keep_form=not decision.is_counted,
        )
        response["Retry-After"] = str(decision.retry_after)
        return response
    if form.is_spam:
        # Look like success so the bot learns nothing; nothing is stored or sent.
        return redirect("leads:thanks")
    if not form.is_valid():
        return _error_page(request, form, meta, status=400)
    meta = form.form_meta or {}
    result = lead_capture(
        email=form.cleaned_data["email"],
        name=form.cleaned_data["name"],
        consent_text=meta["consent_text"],
        is_consent_given=True,
        interest=meta.get("interest", ""),
        source_page=form.cleaned_data["source_page"],
        attribution=attribution_from_request(request),
        confirm_url_base=request.build_absolute_uri("/"),
    )
    query = urlencode({"from": form.cleaned_data["source_page"] or "/"})
    response = redirect(f"{reverse('leads:thanks')}?{query}")
    _remember_lead(response, request, result.lead.public_id)
    return response


def lead_thanks(request):
    """After a submission: check your inbox, and a way to create an account."""
    back_url = _safe_path(request, request.GET.get("from", ""))
    return TemplateResponse(
        request, "leads/thanks.html", {"back_url": back_url, "next_url": back_url}
    )


@require_http_methods(["GET", "POST"])
@never_cache
def lead_confirm_view(request, token: str):
    """The double opt-in link. GET only shows a button: mail scanners open links, and
    only a person pressing it confirms."""
    lead = lead_for_confirmation_token(token)
    if lead is None:
        return TemplateResponse(request, "leads/confirm_invalid.html", status=404)
    confirmed_context = {"lead": lead, "next_url": lead.source_page or "/"}
    if lead.is_subscribed:
        return TemplateResponse(request, "leads/confirmed.html", confirmed_context)
    if not lead.can_confirm:
        # Mailed before the person unsubscribed: it must not subscribe them again.
        return TemplateResponse(
            request, "leads/confirm_invalid.html", {"is_unsubscribed": True}, status=404
        )
    if request.method == "POST":
        lead_confirm(lead=lead)
        response = TemplateResponse(request, "leads/confirmed.html", confirmed_context)
        _remember_lead(response, request, lead.public_id)
        return response
    return TemplateResponse(request, "leads/confirm.html", {"lead": lead})


# CSRF-exempt on purpose: mail clients send the RFC 8058 one-click POST with no token.
# The signed token in the URL is the proof that the request comes from the email.
@csrf_exempt
@require_http_methods(["GET", "POST"])
@never_cache
def lead_unsubscribe_view(request, token: str):
    """The unsubscribe link in every email to a lead. GET only shows an "Unsubscribe"
    button (mail scanners open links); a POST, the button's or a mail client's one-click
    `List-Unsubscribe=One-Click`, unsubscribes. Idempotent."""
    lead = lead_for_unsubscribe_token(token)
    if lead is None:
        return TemplateResponse(request, "leads/unsubscribe_invalid.html", status=404)
    if request.method == "POST":
        lead_unsubscribe(lead=lead)
        return TemplateResponse(request, "leads/unsubscribed.html", {"lead": lead})
    if lead.is_unsubscribed:
        return TemplateResponse(request, "leads/unsubscribed.html", {"lead": lead})
    return TemplateResponse(request, "leads/unsubscribe.html", {"lead": lead})


CONTACT_RATE_LIMITED_MESSAGE = (
    "You've sent several messages; please wait {minutes} and try again. "
    "What you wrote is still in the form."
)
CONTACT_UNAVAILABLE_MESSAGE = (
    "We can't take messages for a moment because of a problem on our side. "
    "What you wrote is still in the form: please try again shortly."
)
SENT_PARAMETER = "sent"
SENT_SALT = "leads.form-page-sent"
SENT_MAX_AGE = 3600
# How long a used submission token is remembered (as long as it is valid).
CLAIM_SECONDS = SUBMISSION_TOKEN_MAX_AGE


def _sent_url(page) -> str:
    marker = signing.dumps(page.pk, salt=SENT_SALT)
    return f"{page.url}?{urlencode({SENT_PARAMETER: marker})}"


def _is_sent(page, request) -> bool:
    marker = request.GET.get(SENT_PARAMETER, "")
    try:
        return signing.loads(marker, salt=SENT_SALT, max_age=SENT_MAX_AGE) == page.pk
    except (signing.BadSignature, ValueError, TypeError):
        return False


def serve_lead_form_page(page, request, *args, **kwargs):
    """A Wagtail form page (the contact page): its own per-address rate limit
    (CONTACT_FORM_RATE_LIMIT), the honeypot, length limits, and Post/Redirect/Get: a
    message is stored once (a one-time submission token; a second post of the same form
    goes straight to the thank-you), then the browser is sent to the page's thank-you
    address, so a refresh shows the thank-you again instead of sending again. Wagtail
    stores the submission; the page's process_form_submission captures the lead and
    tells staff."""
    if request.method != "POST":
        if _is_sent(page, request):
            return page.render_landing_page(request, None, *args, **kwargs)
        form = page.get_form(page=page, user=request.user)
        return _render_form_page(page, request, form)
    form = page.get_form(request.POST, request.FILES, page=page, user=request.user)
    decision = contact_rate_limit_hit(request)
    if not decision.is_allowed:
        message = (
            CONTACT_RATE_LIMITED_MESSAGE.format(minutes=_minutes(decision.retry_after))
            if decision.is_counted
            else CONTACT_UNAVAILABLE_MESSAGE
        )
        response = _render_form_page(page, request, form, status=429, message=message)
        response["Retry-After"] = str(decision.retry_after)
        return response
    if form.is_spam:
        return redirect(_sent_url(page))
    if not form.is_valid():
        return _render_form_page(page, request, form, status=400)
    token_key = f"leads:submission:{form.submission_token}"
    if not cache.add(token_key, 1, timeout=CLAIM_SECONDS):
        # The same form sent twice: the first one counts.
        return redirect(_sent_url(page))
    form.request = request
    try:
        page.process_form_submission(form)
    except Exception:
        cache.delete(token_key)
        raise
    return redirect(_sent_url(page))


def _render_form_page(page, request, form, *, status: int = 200, message: str = ""):
    context = page.get_context(request)
    context["form"] = form
    context["message"] = message
    return TemplateResponse(request, page.get_template(request), context, status=status)
