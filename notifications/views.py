"""The notification centre's pages: the list at /account/notifications/ (open one, mark all
read), the unread count the bell polls when it has no socket, and the settings page
(the category × channel matrix, quiet hours, the daily digest, the mobile number)."""

from __future__ import annotations

import zoneinfo
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from notifications import selectors, services
from notifications.forms import NotificationSettingsForm
from notifications.kinds import Category, Channel
from notifications.models import Notification
from notifications.preferences import is_available
from notifications.unsubscribe import user_for_unsubscribe_token

PER_PAGE = 20
# Ids beyond a bigint name nothing and must not reach the database driver.
MAX_ID = 2**63 - 1
PUSH_TOGGLE_TEMPLATE = "webpush/_push_toggle.html"

CATEGORY_HELP = {
    Category.BOOKINGS: "Confirmations, changes and cancellations.",
    Category.REMINDERS: "Before each session, and forms to fill in before it.",
    Category.MESSAGES: "That a practitioner wrote to you (never what they wrote).",
    Category.PAYMENTS: "Credits added or expiring, membership renewals.",
    Category.COURSES: "Enrolments, new lessons and certificates.",
    Category.MARKETING: "News and offers from Aeyia. Off unless you switch it on.",
    Category.REQUIRED: "Receipts, security alerts and changes to our terms.",
}


def _person(request: HttpRequest) -> User:
    # Behind login_required: the request's user is a signed-in account.
    return cast(User, request.user)


def _zone(user) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(user.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(selectors.notifications_for(_person(request)), PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except (EmptyPage, PageNotAnInteger):
        raise Http404("No such page.") from None
    return render(
        request,
        "notifications/pages/list.html",
        {
            "page": page,
            "unread": selectors.unread_count(_person(request)),
            "time_zone": _zone(request.user),
        },
    )


def _same_site_path(link: str) -> str | None:
    """The link if it is a path on this site ("/account/bookings/7/"), else None: a
    notification's link comes from our own code, but a redirect is never a way off-site."""
    if not link.startswith("/") or link.startswith(("//", "/\\")):
        return None
    if not url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return None
    return link


@login_required
@require_POST
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    if not 0 < notification_id <= MAX_ID:
        raise Http404("No such notification.")
    try:
        notification = services.notification_mark_read(
            user=_person(request), notification_id=notification_id
        )
    except Notification.DoesNotExist:
        raise Http404("No such notification.") from None
    return redirect(_same_site_path(notification.link) or "notifications")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    marked = services.notifications_mark_all_read(user=_person(request))
    if marked:
        messages.success(
            request, f"Marked {marked} notification{'s' if marked != 1 else ''} as read."
        )
    else:
        messages.info(request, "You had no unread notifications.")
    return redirect("notifications")


@never_cache
@require_GET
def notification_unread_count(request: HttpRequest) -> HttpResponse:
    """{"unread": n} for the bell's poll. Signed out: 401, so the script stops asking."""
    if not request.user.is_authenticated:
        return JsonResponse(
            {"code": "not_authenticated", "detail": "Sign in to see your notifications."},
            status=401,
        )
    # The idle-session middleware pushed the session's expiry forward for this request; a
    # tab left open polls every minute, and that must not keep an idle session alive.
    if hasattr(request, "session"):
        request.session.modified = False
    return JsonResponse({"unread": selectors.unread_count(_person(request))})


def _push_toggle_available() -> bool:
    try:
        get_template(PUSH_TOGGLE_TEMPLATE)
    except TemplateDoesNotExist:
        return False
    return True


def _settings_initial(user) -> dict:
    saved = selectors.settings_for(user)
    contact = selectors.contact_point_for(user)
    return {
        "quiet_start": saved.quiet_start,
        "quiet_end": saved.quiet_end,
        "email_digest": saved.email_digest,
        "digest_hour": saved.digest_hour,
        "phone_number": contact.phone_number if contact else "",
        "sms_opt_in": bool(contact and contact.sms_opt_in),
    }


def _save_settings(user, form: NotificationSettingsForm, initial: dict) -> None:
    """Everything on the page in one transaction: a refused phone number saves nothing."""
    with transaction.atomic():
        for category, channel, enabled in form.preference_changes():
            services.preference_set(user=user, category=category, channel=channel, enabled=enabled)
        quiet_start, quiet_end = form.quiet_hours
        services.notification_settings_update(
            user=user,
            quiet_start=quiet_start,
            quiet_end=quiet_end,
            digest=form.cleaned_data["email_digest"],
            digest_hour=form.cleaned_data["digest_hour"],
        )
        phone_number = form.cleaned_data["phone_number"].strip()
        sms_opt_in = form.cleaned_data["sms_opt_in"]
        # Saving the same number and answer again must not renew the consent time.
        if (phone_number, sms_opt_in) != (initial["phone_number"], initial["sms_opt_in"]):
            services.contact_point_set(user=user, phone_number=phone_number, sms_opt_in=sms_opt_in)


def _rows(form: NotificationSettingsForm) -> list[dict]:
    """The matrix as the template draws it: each cell its bound field, or why it has none."""
    rows = []
    for row in form.matrix:
        cells = []
        for cell in row.cells:
            name = f"pref_{row.category}_{cell.channel}"
            if name in form.fields:
                state = "field"
            elif cell.locked:
                state = "locked"
            elif cell.channel == Channel.SMS and is_available(row.category, cell.channel):
                state = "needs_phone"
            else:
                state = "unavailable"
            cells.append(
                {
                    "channel": Channel(cell.channel),
                    "state": state,
                    "field": form[name] if state == "field" else None,
                }
            )
        rows.append(
            {
                "category": row.category,
                "label": row.label,
                "help": CATEGORY_HELP.get(Category(row.category), ""),
                "cells": cells,
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    user = _person(request)
    initial = _settings_initial(user)
    matrix = selectors.preferences_matrix(user)
    status = 200
    if request.method == "POST":
        form = NotificationSettingsForm(request.POST, matrix=matrix, initial=initial)
        if form.is_valid():
            try:
                _save_settings(user, form, initial)
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, "Your notification settings are saved.")
                return redirect("notification-settings")
        status = 400
    else:
        form = NotificationSettingsForm(matrix=matrix, initial=initial)
    contact = selectors.contact_point_for(user)
    return render(
        request,
        "notifications/pages/settings.html",
        {
            "form": form,
            "rows": _rows(form),
            "channels": list(Channel),
            "contact": contact,
            "time_zone": _zone(user),
            "push_toggle": _push_toggle_available(),
        },
        status=status,
    )


# The services' ValidationError codes, and the field each one is about.
SERVICE_ERROR_FIELDS = {
    "phone_number": "phone_number",
    "quiet_hours": "quiet_end",
    "digest_hour": "digest_hour",
}


def _add_service_errors(form: NotificationSettingsForm, error: ValidationError) -> None:
    """A service's ValidationError on the form, next to the field it is about."""
    items = (
        error.error_list
        if hasattr(error, "error_list")
        else [item for errors in error.error_dict.values() for item in errors]
    )
    for item in items:
        form.add_error(SERVICE_ERROR_FIELDS.get(item.code or ""), item.messages)


# CSRF-exempt on purpose: mail clients send the RFC 8058 one-click POST with no token and
# no session. The signed token in the URL is the proof the request comes from the email.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def marketing_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The List-Unsubscribe link of "News and offers" emails. GET shows a button (mail
    scanners open links); a POST, the button's or a mail client's one-click, turns news
    and offers off for email. Idempotent; an unknown token is a 404 page."""
    person = user_for_unsubscribe_token(token)
    if person is None:
        return render(request, "notifications/pages/unsubscribe_invalid.html", status=404)
    done = request.method == "POST"
    if done:
        services.preference_set(
            user=person, category=Category.MARKETING, channel=Channel.EMAIL, enabled=False
        )
    return render(request, "notifications/pages/unsubscribe.html", {"done": done})
