"""Consent pages.

The client's own, not tied to one record (consent is signed before a first booking, when
no record exists yet): /account/care/consents/ (the documents, their standing and the
history), /account/care/consents/<kind>/ (read and sign) and .../withdraw/. A `next`
address on this site brings the client back to the booking they were making.

On the record: /dashboard/practice/clients/<record_id>/consent/ shows the practitioner
the client's standing; /account/care/<record_id>/consent/ shows it to the client. Reads
and writes are audited."""

import ipaddress

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from marketplace.clients.consent.errors import ConsentError
from marketplace.clients.consent.forms import ConsentSignForm
from marketplace.clients.consent.models import ConsentKind
from marketplace.clients.consent.selectors import consent_history, consent_statuses
from marketplace.clients.consent.services import consent_sign, consent_withdraw
from marketplace.clients.records.pages import (
    audit_read,
    client_side,
    practitioner_side,
    record_frame,
)
from privacy.audit import audit

HISTORY_LIMIT = 50


def client_ip(request: HttpRequest) -> str | None:
    """The client's address by the sign-in rate limits' rule (trusted proxy hops), or
    None when it is not an address."""
    try:
        candidate = get_adapter(request).get_client_ip(request)
    except Exception:  # noqa: BLE001 - a malformed X-Forwarded-For must not stop signing
        candidate = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def _user_agent(request: HttpRequest) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:500]


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _status_for(request: HttpRequest, kind: str):
    if kind not in ConsentKind.values:
        raise Http404("No such consent document.")
    statuses = consent_statuses(client=request.user, kinds=[kind])
    if not statuses:
        raise Http404("No such consent document.")
    return statuses[0]


@login_required
def consents_page(request: HttpRequest) -> HttpResponse:
    statuses = consent_statuses(client=request.user)
    history = list(consent_history(client=request.user)[:HISTORY_LIMIT])
    audit(
        actor=request.user,
        action="read",
        subject_user_id=request.user.pk,
        object_type="consent_signatures",
        object_id=request.user.pk,
        request=request,
    )
    return render(
        request,
        "consent/consents.html",
        {"statuses": statuses, "history": history, "next": _next_url(request)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def consent_sign_page(request: HttpRequest, kind: str) -> HttpResponse:
    status = _status_for(request, kind)
    next_url = _next_url(request)
    form = ConsentSignForm(request.POST or None, initial={"version": status.version.pk})
    code = 200
    if request.method == "POST":
        if form.is_valid():
            if form.cleaned_data["version"] != status.version.pk:
                form.add_error(
                    None,
                    "This document has just been updated. Read the new version below and "
                    "sign again.",
                )
                code = 409
            else:
                try:
                    consent_sign(
                        client=request.user,
                        version=status.version,
                        typed_name=form.cleaned_data["typed_name"],
                        ip_address=client_ip(request),
                        user_agent=_user_agent(request),
                        request=request,
                    )
                except ConsentError as error:
                    form.add_error("typed_name" if error.api_status == 400 else None, error.detail)
                    code = error.api_status
                else:
                    messages.success(request, f"Thank you: you signed the {status.label.lower()}.")
                    return redirect(next_url or "care-consents")
        else:
            code = 400
        form = _refresh_version(form, status)
    return render(
        request,
        "consent/sign.html",
        {"status": status, "version": status.version, "form": form, "next": next_url},
        status=code,
    )


def _refresh_version(form: ConsentSignForm, status) -> ConsentSignForm:
    """Re-rendered, the form carries the version now shown."""
    data = form.data.copy()
    data["version"] = str(status.version.pk)
    form.data = data
    return form


@login_required
@require_http_methods(["GET", "POST"])
def consent_withdraw_page(request: HttpRequest, kind: str) -> HttpResponse:
    status = _status_for(request, kind)
    if request.method == "POST":
        try:
            consent_withdraw(
                client=request.user,
                kind=kind,
                ip_address=client_ip(request),
                user_agent=_user_agent(request),
                request=request,
            )
        except ConsentError as error:
            messages.error(request, error.detail)
            return redirect("care-consents")
        messages.success(
            request,
            f"You withdrew your {status.label.lower()}. It takes effect now: you will be "
            "asked to sign again before your next booking.",
        )
        return redirect("care-consents")
    if not status.can_withdraw:
        messages.info(request, "There is no signed consent of this kind to withdraw.")
        return redirect("care-consents")
    return render(request, "consent/withdraw.html", {"status": status})


def _record_consent_page(request, record_id: int, *, side: str) -> HttpResponse:
    """The client's standing, for the client or their practitioner (staff under
    break-glass too; a grantee was not granted it: 404)."""
    if side == "client":
        access = client_side(request, record_id)
    else:
        access = practitioner_side(request, record_id)
        if access.role == "grantee":
            raise Http404("No such record.")
    statuses = consent_statuses(client=access.record.client)
    audit_read(request, access, object_type="consent_status")
    return render(
        request,
        "consent/record_status.html",
        {**record_frame(request, access, active="consent"), "statuses": statuses},
    )


@login_required
def practice_record_consent(request: HttpRequest, record_id: int) -> HttpResponse:
    return _record_consent_page(request, record_id, side="practitioner")


@login_required
def client_record_consent(request: HttpRequest, record_id: int) -> HttpResponse:
    return _record_consent_page(request, record_id, side="client")
