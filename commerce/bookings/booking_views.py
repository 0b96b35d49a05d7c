"""A client's booking pages: book a time from a practitioner's profile and pay for it
(card through Checkout, credits, the membership allowance or a sponsor), the
confirmation, the return from Checkout, and /account/bookings/ with cancellation under
the service's policy and moving a booking to another time while that is allowed.

Views stay thin: the booking services decide everything (DESIGN.md §2). Whatever the
input, a page answers with a message: 400 for bad parameters, a redirect to the profile
with fresh times when the time was taken, the form again when the payment cannot be
made; never a 500."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from commerce.bookings.directory import (
    BROWSER_ZONE_COOKIE,
    practitioner_public,
    viewer_zone_for,
)
from commerce.bookings.models import Booking
from commerce.bookings.selectors import Slot, bookable_slots, reschedule_slots
from commerce.bookings.services import (
    booking_can_reschedule,
    booking_cancel,
    booking_confirm_with_credits,
    booking_confirm_with_membership,
    booking_confirm_with_sponsor,
    booking_hold,
    booking_record_card_paid,
    booking_release_hold,
    booking_reschedule,
    booking_start_card_checkout,
)
from commerce.bookings.services.holds import allowance_price, card_price_for, hold_duration
from commerce.bookings.services.zones import client_time_zone_adopt
from commerce.credits.models import CreditTransaction
from commerce.credits.selectors import credits_available
from commerce.errors import CommerceError, Conflict, InsufficientCredits, InvalidRequest, NotFound
from commerce.memberships.selectors import membership_current
from commerce.partners.models import SponsorPool
from commerce.partners.selectors import pool_eligible_for
from commerce.payments.models import ConnectedAccount
from commerce.payments.services import checkout_session_sync
from integrations.stripe import get_gateway
from integrations.stripe.types import StripeError
from marketplace.clients.consent.errors import ConsentRequired
from marketplace.clients.consent.selectors import consent_missing_for
from marketplace.clients.intake.selectors import intake_prompt
from marketplace.practitioners.models import PractitionerProfile, Service
from money import Money

PayWith = Booking.PayWith
Status = Booking.Status

TIME_CHOICES_DAYS = 14
TIME_CHOICES_LIMIT = 12
RESCHEDULE_DAYS = 21
RESCHEDULE_LIMIT = 30
PAST_PER_PAGE = 20
_MAX_PARAMETER_LENGTH = 64
_TAKEN_CODES = ("slot_taken", "slot_unavailable", "hold_expired")


class BadParameters(Exception):
    """The booking address is not one we can act on (shown on a 400 page)."""


# ---------- reading the address ----------


def _service_from(practitioner: PractitionerProfile, raw: str) -> Service:
    raw = (raw or "").strip()
    if not raw:
        raise BadParameters("Choose a service to book from the practitioner's profile.")
    if not raw.isdigit() or len(raw) > 18:
        raise BadParameters("That service number is not valid.")
    for service in practitioner.active_services:
        if service.pk == int(raw):
            return service
    raise BadParameters(f"{practitioner.display_name} does not offer that service.")


def _start_from(raw: str) -> datetime | None:
    """The requested start as an aware datetime, or None when none was given. A "+" in
    an offset that arrives unencoded reads as a space; it is put back."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if len(raw) > _MAX_PARAMETER_LENGTH:
        raise BadParameters("That start time is not valid.")
    raw = raw.replace(" ", "+")
    try:
        value = parse_datetime(raw)
    except (ValueError, OverflowError):
        value = None
    if value is None:
        raise BadParameters("That start time is not valid.")
    if timezone.is_naive(value):
        raise BadParameters("The start time needs a time zone offset.")
    return value.astimezone(UTC)


def _start_parameter(starts_at: datetime) -> str:
    return starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def booking_start_url(*, slug: str, service_id: int, starts_at: datetime | None = None) -> str:
    url = f"{reverse('booking-start', args=[slug])}?service={service_id}"
    if starts_at is not None:
        url += f"&start={_start_parameter(starts_at)}"
    return url


# ---------- what is free and how a person can pay ----------


def _open_slots(service: Service, *, start: datetime, end: datetime, now: datetime) -> list[Slot]:
    return bookable_slots(service=service, start=start, end=end, now=now)


def _is_offered(service: Service, starts_at: datetime, *, now: datetime) -> bool:
    slots = _open_slots(service, start=starts_at, end=starts_at + timedelta.resolution, now=now)
    return bool(slots) and slots[0].starts_at == starts_at


@dataclass(frozen=True)
class PaymentChoice:
    value: str
    label: str
    detail: str
    note: str = ""
    is_available: bool = True


def _sponsor_can_pay(pool: SponsorPool, service: Service) -> bool:
    if pool.unit == SponsorPool.Unit.SESSION:
        return True
    return bool(service.credit_price) and pool.client_remaining >= service.credit_price


def payment_choices(*, user, service: Service) -> list[PaymentChoice]:
    """The ways this person can pay for this service now: card when the service takes it
    and the practitioner can be paid by card (at the member price for members); credits
    when the service takes them (shown with the person's balance, unavailable when it is
    too low); the membership allowance for current members when the service takes it
    (unavailable when spent); a sponsor when a pool the person is enrolled in can cover
    the session."""
    choices = []
    if service.accepts_card and service.price:
        payouts_ready = ConnectedAccount.objects.filter(
            owner_id=service.practitioner.user_id, charges_enabled=True
        ).exists()
        if payouts_ready:
            price = card_price_for(service=service, client=user)
            member_note = (
                f" Your member price (usually {Money(service.price, service.currency)})."
                if price != service.price
                else ""
            )
            choices.append(
                PaymentChoice(
                    value=PayWith.CARD,
                    label="Card",
                    detail=Money(price, service.currency).format(),
                    note=f"You pay on a secure checkout page next.{member_note}",
                )
            )
    if service.accepts_credits and service.credit_price:
        balance = credits_available(user=user)
        needed = service.credit_price
        enough = balance >= needed
        choices.append(
            PaymentChoice(
                value=PayWith.CREDITS,
                label="Credits",
                detail=f"{needed} credit{'s' if needed != 1 else ''}",
                note=(
                    f"You have {balance} credit{'s' if balance != 1 else ''} available."
                    if enough
                    else f"You have {balance} credit{'s' if balance != 1 else ''} available: "
                    f"not enough for this session."
                ),
                is_available=enough,
            )
        )
    if service.accepts_membership and membership_current(user=user) is not None:
        left = credits_available(user=user, grant_kinds=[CreditTransaction.Kind.ALLOWANCE])
        needed = allowance_price(service)
        enough = left >= needed
        choices.append(
            PaymentChoice(
                value=PayWith.MEMBERSHIP,
                label="Membership allowance",
                detail=f"{needed} credit{'s' if needed != 1 else ''} of your allowance",
                note=(
                    f"You have {left} allowance credit{'s' if left != 1 else ''} left this period."
                    if enough
                    else f"You have {left} allowance credit{'s' if left != 1 else ''} left: "
                    "not enough for this session until your membership renews."
                ),
                is_available=enough,
            )
        )
    if service.accepts_sponsor:
        pools = [pool for pool in pool_eligible_for(user=user) if _sponsor_can_pay(pool, service)]
        if pools:
            pool = pools[0]
            choices.append(
                PaymentChoice(
                    value=PayWith.SPONSOR,
                    label="Sponsored session",
                    detail=f"Paid by {pool.partner.name}",
                    note=f"From {pool.name}.",
                )
            )
    return choices


# ---------- booking a time ----------


def _problem(request: HttpRequest, message: str, *, practitioner=None, status=400):
    return render(
        request,
        "bookings/booking_problem.html",
        {"message": message, "practitioner": practitioner},
        status=status,
    )


def _back_to_profile(request: HttpRequest, practitioner: PractitionerProfile, when: str):
    messages.error(
        request,
        f"Sorry, {when} is no longer free: someone else has just booked it, or it has "
        "passed. Here are the latest free times.",
    )
    return HttpResponseRedirect(
        reverse("practitioner-profile", args=[practitioner.slug]), status=303
    )


def _when(starts_at: datetime, zone) -> str:
    return date_format(starts_at.astimezone(zone), "l j F, H:i")


@login_required
@require_http_methods(["GET", "POST"])
def booking_start_view(request: HttpRequest, slug: str) -> HttpResponse:
    """/practitioners/<slug>/book/?service=<id>&start=<ISO 8601>: the time, the price and
    the ways to pay; POST holds the time and pays (credits, sponsor) or opens Checkout
    (card). Without a start, the service's next free times to choose from."""
    practitioner = practitioner_public(slug=slug)
    if practitioner is None:
        raise Http404("No such practitioner.")
    try:
        service = _service_from(practitioner, request.GET.get("service", ""))
        starts_at = _start_from(request.GET.get("start", ""))
    except BadParameters as error:
        return _problem(request, str(error), practitioner=practitioner)
    # The practitioner comes with its services; the service needs it for the slot maths.
    service.practitioner = practitioner
    zone = viewer_zone_for(request, fallback=practitioner.zone)
    now = timezone.now()
    context = {
        "practitioner": practitioner,
        "service": service,
        "viewer_time_zone": zone,
        "hold_minutes": int(hold_duration().total_seconds() // 60),
    }

    if starts_at is None:
        if request.method == "POST":
            return _problem(request, "Choose a time before paying.", practitioner=practitioner)
        slots = _open_slots(
            service, start=now, end=now + timedelta(days=TIME_CHOICES_DAYS), now=now
        )[:TIME_CHOICES_LIMIT]
        context["time_choices"] = [
            {
                "starts_at": slot.starts_at,
                "url": booking_start_url(
                    slug=slug, service_id=service.pk, starts_at=slot.starts_at
                ),
            }
            for slot in slots
        ]
        return render(request, "bookings/booking_times.html", context)

    if service.practitioner.user_id == request.user.pk:
        return _problem(request, "You cannot book your own service.", practitioner=practitioner)

    choices = payment_choices(user=request.user, service=service)
    context.update(
        {
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(minutes=service.duration_minutes),
            "choices": choices,
            "policy": _policy_lines(service),
            "form_action": request.get_full_path(),
            "consents_url": f"{reverse('care-consents')}?"
            + urlencode({"next": request.get_full_path()}),
        }
    )
    when = _when(starts_at, zone)

    if request.method == "GET":
        if not _is_offered(service, starts_at, now=now):
            return _back_to_profile(request, practitioner, when)
        # A new consent version, a withdrawal or none signed yet: ask before paying.
        context["consent_missing"] = consent_missing_for(
            client=request.user, practitioner=practitioner, online=service.is_online
        )
        available = [choice for choice in choices if choice.is_available]
        context["selected"] = available[0].value if len(available) == 1 else ""
        return render(request, "bookings/booking_start.html", context)

    pay_with = request.POST.get("pay_with", "")
    context["selected"] = pay_with
    if pay_with not in {choice.value for choice in choices}:
        context["error"] = "Choose how you would like to pay."
        return render(request, "bookings/booking_start.html", context, status=400)

    # The emails that follow have no browser to ask: keep its zone for a client who
    # never chose one, so they show the times this page showed.
    client_time_zone_adopt(user=request.user, browser_zone=request.COOKIES.get(BROWSER_ZONE_COOKIE))
    try:
        booking = booking_hold(
            client=request.user, service=service, starts_at=starts_at, pay_with=pay_with
        )
    except ConsentRequired:
        context["consent_missing"] = consent_missing_for(
            client=request.user, practitioner=practitioner, online=service.is_online
        )
        return render(request, "bookings/booking_start.html", context, status=409)
    except Conflict as error:
        if error.api_code in _TAKEN_CODES:
            return _back_to_profile(request, practitioner, when)
        return _problem(request, error.detail, practitioner=practitioner, status=409)
    except NotFound as error:
        raise Http404(error.detail) from error
    except CommerceError as error:
        return _problem(request, error.detail, practitioner=practitioner)

    try:
        if pay_with == PayWith.CREDITS:
            booking_confirm_with_credits(booking=booking)
        elif pay_with == PayWith.MEMBERSHIP:
            booking_confirm_with_membership(booking=booking)
        elif pay_with == PayWith.SPONSOR:
            booking_confirm_with_sponsor(booking=booking)
        else:
            return _start_checkout(request, booking, context)
    except InsufficientCredits as error:
        context["error"] = _insufficient_message(error, service)
        context["suggest_credits"] = error.api_code == "insufficient_credits"
        context["choices"] = payment_choices(user=request.user, service=service)
        # Never leave a way to pay that cannot be used chosen.
        usable = {choice.value for choice in context["choices"] if choice.is_available}
        context["selected"] = pay_with if pay_with in usable else ""
        return render(request, "bookings/booking_start.html", context, status=402)
    except Conflict as error:
        if error.api_code in _TAKEN_CODES:
            return _back_to_profile(request, practitioner, when)
        context["error"] = error.detail
        return render(request, "bookings/booking_start.html", context, status=409)
    messages.success(request, "Your booking is confirmed.")
    return redirect("booking-detail", booking_id=booking.pk)


def _insufficient_message(error: InsufficientCredits, service: Service) -> str:
    if error.api_code == "no_sponsorship":
        return "Your sponsorship cannot cover this session. Choose another way to pay."
    if error.api_code == "insufficient_allowance":
        return "Your membership allowance for this period is used up. Choose another way to pay."
    if error.api_code == "membership_required":
        return "Your membership is not active. Choose another way to pay."
    return (
        f"You do not have enough credits for this session (it needs {service.credit_price}). "
        "Buy more credits or choose another way to pay."
    )


def _start_checkout(request: HttpRequest, booking: Booking, context: dict) -> HttpResponse:
    success_url = (
        request.build_absolute_uri(reverse("booking-paid", args=[booking.pk]))
        + "?session_id={CHECKOUT_SESSION_ID}"
    )
    cancel_url = request.build_absolute_uri(
        reverse("booking-checkout-cancelled", args=[booking.pk])
    )
    try:
        payment = booking_start_card_checkout(
            booking=booking, success_url=success_url, cancel_url=cancel_url
        )
    except StripeError:
        # Stripe never opened a checkout, so nothing can be paid: free the time now.
        booking_release_hold(booking=booking)
        context["error"] = "Card payments are unavailable right now. Please try again shortly."
        return render(request, "bookings/booking_start.html", context, status=503)
    return HttpResponseRedirect(payment.checkout_url, status=303)


def _policy_lines(service: Service) -> list[str]:
    """The cancellation policy in words, most generous tier first."""
    tiers = sorted(service.cancellation_tiers or [], key=lambda tier: -tier["hours_before"])
    lines = []
    for tier in tiers:
        hours = tier["hours_before"]
        percent = tier["refund_percent"]
        share = "a full refund" if percent == 100 else f"{percent}% back"
        if percent == 0:
            share = "no refund"
        lines.append(
            f"Cancel {hours} hour{'s' if hours != 1 else ''} or more before the start: {share}."
            if hours
            else f"Cancel any time before the start: {share}."
        )
    if not tiers or tiers[-1]["hours_before"] > 0:
        lines.append("Later than that: no refund.")
    return lines


# ---------- after paying ----------


def _own_booking(request: HttpRequest, booking_id: int) -> Booking:
    """The signed-in client's booking; 404 for anyone else's (DESIGN.md §6)."""
    return get_object_or_404(
        Booking.objects.select_related(
            "service", "service__modality", "practitioner", "payment", "pool_draw"
        ),
        pk=booking_id,
        client=request.user,
    )


@login_required
def booking_paid_view(request: HttpRequest, booking_id: int) -> HttpResponse:
    """Checkout's return page: applies the paid session at once (the webhook's later
    effects are then no-ops), then shows the confirmation."""
    booking = _own_booking(request, booking_id)
    session_id = request.GET.get("session_id", "")[:255]
    payment = booking.payment
    if payment is not None and session_id and session_id == payment.checkout_session_id:
        try:
            session = get_gateway().retrieve_checkout_session(session_id)
        except StripeError:
            session = None
        if session is not None:
            synced = checkout_session_sync(session=session)
            if synced is not None and synced.paid_at is not None:
                booking_record_card_paid(payment=synced)
    return redirect("booking-detail", booking_id=booking.pk)


@login_required
def booking_checkout_cancelled_view(request: HttpRequest, booking_id: int) -> HttpResponse:
    """Checkout's "back" link: the client chose not to pay, so their hold ends at once
    and the time is free again, and they return to choose again. (If the session was
    paid after all, the payment handler confirms or refunds it.)"""
    booking = _own_booking(request, booking_id)
    if booking.status == Status.HELD and (booking.payment is None or not booking.payment.paid_at):
        booking_release_hold(booking=booking)
        messages.info(request, "You have not been charged. Choose a time or another way to pay.")
    return redirect(
        booking_start_url(
            slug=booking.practitioner.slug,
            service_id=booking.service_id,
            starts_at=booking.starts_at if booking.starts_at > timezone.now() else None,
        )
    )


@login_required
def booking_detail_view(request: HttpRequest, booking_id: int) -> HttpResponse:
    """The confirmation (or the state of a booking later on)."""
    booking = _own_booking(request, booking_id)
    now = timezone.now()
    return render(
        request,
        "bookings/booking_detail.html",
        {
            "booking": booking,
            "viewer_time_zone": viewer_zone_for(request, fallback=booking.practitioner.zone),
            "is_pending": booking.status == Status.HELD and booking.hold_expires_at > now,
            "can_cancel": booking.status in Booking.LIVE_STATUSES and booking.starts_at > now,
            "can_move": booking_can_reschedule(booking=booking, by=request.user, now=now),
            "intake": intake_prompt(
                booking_id=booking.pk,
                client_id=booking.client_id,
                practitioner_id=booking.practitioner_id,
            ),
        },
    )


# ---------- the client's bookings ----------


@login_required
def account_bookings_view(request: HttpRequest) -> HttpResponse:
    """Upcoming bookings (confirmed, or held while paying) soonest first, then the rest
    newest first. Holds that ran out were never bookings and are left out."""
    now = timezone.now()
    mine = Booking.objects.filter(client=request.user).select_related(
        "service", "practitioner", "payment"
    )
    upcoming_filter = Q(status=Status.CONFIRMED, ends_at__gt=now) | Q(
        status=Status.HELD, hold_expires_at__gt=now, ends_at__gt=now
    )
    upcoming = list(mine.filter(upcoming_filter).order_by("starts_at", "pk"))
    for booking in upcoming:
        booking.can_move = booking_can_reschedule(booking=booking, by=request.user, now=now)
    past = (
        mine.exclude(upcoming_filter)
        .exclude(status__in=[Status.EXPIRED, Status.HELD])
        .order_by("-starts_at", "-pk")
    )
    page = Paginator(past, PAST_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "bookings/account_bookings.html",
        {
            "upcoming": upcoming,
            "page": page,
            "now": now,
            "viewer_time_zone": viewer_zone_for(
                request, fallback=upcoming[0].practitioner.zone if upcoming else UTC
            ),
        },
    )


@dataclass(frozen=True)
class RefundPreview:
    percent: int
    summary: str


def refund_preview(booking: Booking, *, now: datetime) -> RefundPreview:
    """What cancelling now gives back under the service's policy, in words, worked out
    the way booking_cancel does."""
    if booking.status == Status.HELD:
        return RefundPreview(100, "Nothing has been paid yet, so there is nothing to refund.")
    hours_before = (booking.starts_at - now).total_seconds() / 3600
    percent = booking.service.refund_percent_for(hours_before=hours_before)
    nothing = RefundPreview(
        percent, "You will get back nothing: under the cancellation policy it is too late."
    )
    if percent <= 0:
        return nothing
    if booking.pay_with == PayWith.CARD and booking.payment_id:
        amount = booking.payment.amount * percent // 100
        if amount <= 0 or booking.payment.paid_at is None:
            return nothing
        return RefundPreview(
            percent,
            f"You will get back {Money(amount, booking.payment.currency)} ({percent}%) "
            "to your card.",
        )
    if booking.pay_with == PayWith.CREDITS and booking.credit_spend_id:
        credits_back = (booking.price_credits or 0) * percent // 100
        if credits_back <= 0:
            return nothing
        return RefundPreview(
            percent,
            f"You will get back {credits_back} credit{'s' if credits_back != 1 else ''} "
            f"({percent}%).",
        )
    if booking.pay_with == PayWith.SPONSOR and booking.pool_draw_id:
        if percent < 100:
            return RefundPreview(
                percent,
                "You will get back nothing: a sponsored session is returned to your "
                "sponsor only when it is cancelled in time for a full refund.",
            )
        return RefundPreview(
            percent, "You will get back the sponsored session: it returns to your allowance."
        )
    return nothing


@login_required
@require_http_methods(["GET", "POST"])
def account_booking_cancel_view(request: HttpRequest, booking_id: int) -> HttpResponse:
    """GET: what cancelling now gives back; POST: cancel. If the refund changed between
    the two (a policy threshold passed), the page is shown again with the new figure."""
    booking = _own_booking(request, booking_id)
    now = timezone.now()
    if booking.status not in Booking.LIVE_STATUSES or booking.starts_at <= now:
        messages.error(request, "This booking can no longer be cancelled.")
        return redirect("account-bookings")
    preview = refund_preview(booking, now=now)
    zone = viewer_zone_for(request, fallback=booking.practitioner.zone)
    context = {"booking": booking, "preview": preview, "viewer_time_zone": zone}
    if request.method == "POST":
        if request.POST.get("expected_percent", "") != str(preview.percent):
            context["changed"] = True
            return render(request, "bookings/account_booking_cancel.html", context, status=409)
        try:
            booking = booking_cancel(
                booking=booking,
                by=request.user,
                reason=request.POST.get("reason", "")[:500],
            )
        except Conflict as error:
            messages.error(request, error.detail)
            return redirect("account-bookings")
        messages.success(request, f"Your booking on {_when(booking.starts_at, zone)} is cancelled.")
        return redirect("account-bookings")
    return render(request, "bookings/account_booking_cancel.html", context)


# ---------- moving a booking ----------


def _reschedule_choices(booking: Booking, *, now: datetime) -> list[Slot]:
    return reschedule_slots(
        booking=booking, start=now, end=now + timedelta(days=RESCHEDULE_DAYS), now=now
    )[:RESCHEDULE_LIMIT]


@login_required
@require_http_methods(["GET", "POST"])
def account_booking_reschedule_view(request: HttpRequest, booking_id: int) -> HttpResponse:
    """GET: the free times this booking can move to; POST {start}: move it. Allowed while
    cancelling would still give a full refund (booking_can_reschedule); otherwise back to
    the bookings list with the reason. A time taken meanwhile shows the page again with
    fresh times (409)."""
    booking = _own_booking(request, booking_id)
    now = timezone.now()
    zone = viewer_zone_for(request, fallback=booking.practitioner.zone)
    if not booking_can_reschedule(booking=booking, by=request.user, now=now):
        messages.error(
            request,
            "This booking can no longer be moved: the cancellation policy no longer gives a "
            "full refund, or it is not a confirmed upcoming session. You can still cancel it "
            "or contact the practitioner.",
        )
        return redirect("account-bookings")
    booking.service.practitioner = booking.practitioner
    context = {"booking": booking, "viewer_time_zone": zone, "selected": ""}
    status = 200
    if request.method == "POST":
        try:
            starts_at = _start_from(request.POST.get("start", ""))
        except BadParameters as error:
            starts_at, context["error"] = None, str(error)
        if starts_at is None:
            context.setdefault("error", "Choose a new time.")
            status = 400
        else:
            previous = booking.starts_at
            try:
                booking = booking_reschedule(booking=booking, by=request.user, starts_at=starts_at)
            except Conflict as error:
                if error.api_code == "reschedule_not_allowed":
                    messages.error(request, error.detail)
                    return redirect("account-bookings")
                context["error"] = (
                    f"Sorry, {_when(starts_at, zone)} is no longer free. Choose another time."
                )
                status = 409
            except InvalidRequest as error:
                context["error"], status = error.detail, 400
            else:
                messages.success(
                    request,
                    f"Moved from {_when(previous, zone)} to {_when(booking.starts_at, zone)}. "
                    "You and your practitioner have both been emailed.",
                )
                return redirect("account-bookings")
    context["choices"] = [
        {"value": _start_parameter(slot.starts_at), "starts_at": slot.starts_at}
        for slot in _reschedule_choices(booking, now=now)
    ]
    return render(request, "bookings/account_booking_reschedule.html", context, status=status)
