"""The session room's pages: the room itself (pre-join, waiting room and call on one
page; the JavaScript in static/rooms/room.js does the rest) and the small endpoints it
calls: a join token with the page's configuration, a file sent during the session, the
browser-made recording (peer-to-peer adapter), and "delivered by phone".

Views stay thin (DESIGN.md §2): commerce.rooms' selectors decide who may enter and when,
its services do every write. Only the booking's client and practitioner get anything but
404, staff included. The JSON endpoints answer errors as {"code", "detail"}, never 500."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import user_must_enrol_mfa
from commerce.bookings.directory import viewer_zone_for
from commerce.errors import CommerceError
from commerce.rooms.errors import RoomClosed
from commerce.rooms.models import Room
from commerce.rooms.selectors import RoomAccess, room_for_participant, room_window
from commerce.rooms.services import (
    join_token_issue,
    recording_store,
    room_fallback_phone_set,
    room_file_share,
    room_join_config,
    room_mark_delivered_by_phone,
)
from integrations.video import get_video_provider
from marketplace.practitioners.access import practitioner_view

logger = logging.getLogger(__name__)

CONSENT_VALUES = {"1", "on", "true", "yes"}


def _json_error(code: str, detail: str, status: int) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=status)


def _not_found() -> JsonResponse:
    return _json_error("not_found", "Not found.", 404)


def _closed_error(access: RoomAccess) -> JsonResponse:
    """409 while the room has not opened yet (come back later), 410 once it has closed
    (it will not open again): the page tells the two apart."""
    window = room_window(access.booking)
    if window.state == "early":
        return _json_error(
            "room_not_open", "The room opens 10 minutes before the session starts.", 409
        )
    return _json_error("room_closed", "The session has ended and the room is closed.", 410)


def _json_access(request: HttpRequest, booking_id: int) -> RoomAccess | JsonResponse:
    """The caller's way into the room, or the JSON answer refusing it: 401 signed out,
    404 for anyone who is not a participant (never 403: that would confirm the booking
    exists)."""
    if not request.user.is_authenticated:
        return _json_error("not_authenticated", "Sign in to use the session room.", 401)
    try:
        return room_for_participant(user=request.user, booking_id=booking_id)
    except Http404:
        return _not_found()


def _domain_error(error: CommerceError) -> JsonResponse:
    return _json_error(error.api_code, str(error.detail), error.api_status)


def _validation_detail(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages) or "The file was refused."


def _wants_consent(request: HttpRequest) -> bool:
    return request.POST.get("consent", "").strip().lower() in CONSENT_VALUES


def _chime_bundle_url() -> str:
    """The live adapter's browser bundle (built by `make assets`), or "" when rooms are
    peer to peer or the bundle is missing from the static manifest: then the page offers
    the phone fallback rather than failing to render."""
    if get_video_provider().name != "chime":
        return ""
    try:
        return static("dist/rooms-chime.js")
    except ValueError:
        logger.error("rooms: static/dist/rooms-chime.js is not built; run `make assets`")
        return ""


@require_GET
@login_required
def room_view(request: HttpRequest, booking_id: int) -> HttpResponse:
    """The room page for the booking's client or practitioner: when it opens, the room,
    or that it has ended, in the viewer's time zone."""
    access = room_for_participant(user=request.user, booking_id=booking_id)
    # Practitioners need a second factor for client data (RequireMfaMiddleware guards
    # /dashboard/); the room shows a client's face and their files, so the same rule.
    if access.role == "practitioner" and user_must_enrol_mfa(user=access.user):
        messages.warning(
            request,
            "Your role needs two-factor authentication. Set up an authenticator app to continue.",
        )
        return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.path})}")
    booking = access.booking
    zone = viewer_zone_for(request, fallback=booking.practitioner.zone)
    other = access.other_user
    if access.role == "client":
        other_name = booking.practitioner.display_name
        booking_url = reverse("booking-detail", args=[booking.pk])
    else:
        other_name = other.get_full_name() or other.email.split("@", 1)[0]
        booking_url = reverse("practice-booking", args=[booking.pk])
    response = render(
        request,
        "rooms/room.html",
        {
            "booking": booking,
            "role": access.role,
            "other_name": other_name,
            "window": room_window(booking),
            "viewer_time_zone": zone,
            "viewer_time_zone_name": str(zone),
            "booking_url": booking_url,
            "open_minutes_before": settings.ROOM_OPENS_MINUTES,
            "chime_src": _chime_bundle_url(),
            "fallback_phone": Room.objects.filter(booking_id=booking.pk)
            .values_list("fallback_phone", flat=True)
            .first()
            or "",
        },
    )
    # The signalling socket is on this origin; CSP Level 3 lets 'self' match ws(s):, but
    # older Safari does not, so the exact origin is named, plus the live adapter's hosts.
    scheme = "wss" if request.is_secure() else "ws"
    response._csp_update = {  # type: ignore[attr-defined]
        "connect-src": [f"{scheme}://{request.get_host()}", *settings.ROOM_CSP_CONNECT_SRC],
        "media-src": ["'self'", "blob:"],
    }
    return response


@require_POST
def room_token_view(request: HttpRequest, booking_id: int) -> JsonResponse:
    """A single-use join token and what the page needs to connect with it:
    {"token", "config"}. 409 room_not_open before the window, 410 room_closed after."""
    access = _json_access(request, booking_id)
    if isinstance(access, JsonResponse):
        return access
    if room_window(access.booking).state != "open":
        return _closed_error(access)
    try:
        token = join_token_issue(user=access.user, booking=access.booking)
    except RoomClosed:
        # The window closed between the check above and the issue.
        return _closed_error(access)
    except CommerceError as error:
        return _domain_error(error)
    try:
        config = room_join_config(access=access, token=token)
    except CommerceError as error:
        # The video provider could not open the meeting (503 video_unavailable): the page
        # retries and meanwhile offers the phone fallback.
        return _domain_error(error)
    return JsonResponse({"token": str(token.token), "config": config})


@require_POST
def room_files_view(request: HttpRequest, booking_id: int) -> JsonResponse:
    """A file one participant sends the other during the session. It lands in the care
    record, so the sender must tick the consent box (400 consent_required otherwise); the
    other side is sent a link through the room's socket."""
    access = _json_access(request, booking_id)
    if isinstance(access, JsonResponse):
        return access
    upload = request.FILES.get("file")
    if upload is None:
        return _json_error("file_required", "Choose a file to send.", 400)
    if not _wants_consent(request):
        return _json_error(
            "consent_required",
            "Tick the box to save the file to the care record: room files are kept there.",
            400,
        )
    if room_window(access.booking).state != "open":
        return _closed_error(access)
    try:
        document = room_file_share(access=access, upload=upload, consent=True)
    except ValidationError as error:
        return _json_error("file_refused", _validation_detail(error), 400)
    except RoomClosed:
        return _closed_error(access)
    except CommerceError as error:
        return _domain_error(error)
    return JsonResponse(
        {"id": document.pk, "name": document.original_filename or document.title},
        status=201,
    )


@require_POST
def room_recording_view(request: HttpRequest, booking_id: int) -> JsonResponse:
    """The recording the practitioner's browser made (peer-to-peer adapter), uploaded when
    it stops. Refused (409 recording_not_consented) unless both participants consented."""
    access = _json_access(request, booking_id)
    if isinstance(access, JsonResponse):
        return access
    if access.role != "practitioner":
        # Only the practitioner's browser records; a client upload is not a thing.
        return _not_found()
    upload = request.FILES.get("file")
    if upload is None:
        return _json_error("file_required", "The recording file is missing.", 400)
    try:
        recording = recording_store(access=access, upload=upload)
    except ValidationError as error:
        return _json_error("file_refused", _validation_detail(error), 400)
    except CommerceError as error:
        return _domain_error(error)
    return JsonResponse({"id": recording.pk}, status=201)


@require_POST
@practitioner_view
def room_delivered_by_phone_view(request, practitioner, booking_id: int) -> HttpResponse:
    """The practitioner records that the session went ahead by phone (video could not
    start); the booking then counts as delivered. Back to the booking with a message."""
    access = room_for_participant(user=request.user, booking_id=booking_id)
    if access.role != "practitioner":
        raise Http404("No such room.")
    try:
        room_mark_delivered_by_phone(practitioner=access.user, booking=access.booking)
    except CommerceError as error:
        messages.error(request, f"This session could not be marked as delivered: {error.detail}")
    else:
        messages.success(request, "Recorded: this session was delivered by phone.")
    return redirect("practice-booking", booking_id=access.booking.pk)


@require_POST
@login_required
def room_fallback_phone_view(request: HttpRequest, booking_id: int) -> HttpResponse:
    """The practitioner's phone number for this session, shown to the client if video
    cannot start (international form; empty removes it). Back to the room with a message;
    404 for anyone but the session's practitioner."""
    access = room_for_participant(user=request.user, booking_id=booking_id)
    if access.role != "practitioner":
        raise Http404("No such room.")
    try:
        room_fallback_phone_set(
            practitioner=access.user,
            booking=access.booking,
            phone_number=request.POST.get("phone_number", "")[:40],
        )
    except ValidationError as error:
        messages.error(request, _validation_detail(error))
    except CommerceError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, "Saved: the client sees this number if video cannot start.")
    return redirect("room", booking_id=access.booking.pk)
