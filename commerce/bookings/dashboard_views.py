"""The practitioner's practice dashboard under /dashboard/practice/: a week calendar of
bookings with a page per booking (cancelling it, moving it to another free time,
reporting a no-show), availability (weekly rules, date
overrides, time off, the private calendar feed, external calendars), services and the
practitioner's own clients.

Under /dashboard/, so a second factor is required (accounts.middleware.RequireMfaMiddleware).
Only practitioners with a profile get in (403 for anyone else); another practitioner's
booking, service or availability row is a 404. Every page runs in the practitioner's time
zone: times are shown and entered in it."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commerce.bookings.dashboard_forms import (
    AvailabilityRuleForm,
    BookingCancelForm,
    DateOverrideForm,
    ExternalCalendarForm,
    ServiceForm,
    TimeOffForm,
    format_iso_week,
    parse_iso_week,
    week_days,
)
from commerce.bookings.directory import practitioner_go_live
from commerce.bookings.feeds import (
    CalendarFeedToken,
    calendar_feed_revoke,
    calendar_feed_rotate,
)
from commerce.bookings.models import (
    AvailabilityRule,
    Booking,
    DateOverride,
    ExternalCalendar,
    TimeOff,
)
from commerce.bookings.selectors import reschedule_slots
from commerce.bookings.services import (
    booking_can_reschedule,
    booking_cancel,
    booking_mark_no_show,
    booking_reschedule,
)
from commerce.bookings.services.availability import (
    availability_row_delete,
    availability_rule_create,
    date_override_create,
    external_calendar_add,
    time_off_create,
)
from commerce.bookings.services.cancellations import no_show_refund_percent
from commerce.errors import Conflict, InvalidRequest
from commerce.rooms.selectors import attendance_for
from marketplace.clients.records.selectors import records_as_practitioner
from marketplace.practitioners.access import practitioner_view
from marketplace.practitioners.models import Service
from marketplace.practitioners.services import service_save, service_set_active

Status = Booking.Status
CALENDAR_STATUSES = (
    Status.HELD,
    Status.CONFIRMED,
    Status.COMPLETED,
    Status.NO_SHOW,
    Status.CANCELLED,
)
# A client is someone a session was arranged with: holds that never became a booking
# (expired, or still being paid) do not count.
CLIENT_STATUSES = (Status.CONFIRMED, Status.COMPLETED, Status.NO_SHOW, Status.CANCELLED)
SESSION_STATUSES = (Status.CONFIRMED, Status.COMPLETED, Status.NO_SHOW)
CLIENTS_PER_PAGE = 50
STATUS_BADGES = {
    Status.HELD: "badge--warning",
    Status.CONFIRMED: "badge--success",
    Status.COMPLETED: "badge--neutral",
    Status.CANCELLED: "badge--neutral",
    Status.NO_SHOW: "badge--danger",
    Status.EXPIRED: "badge--neutral",
}


def practice_view(view):
    """A practitioner's own page (marketplace's practitioner_view: role, MFA policy,
    profile as the second argument), run in the practitioner's time zone."""

    @practitioner_view
    @wraps(view)
    def wrapped(request, practitioner, *args, **kwargs):
        with timezone.override(practitioner.zone):
            return view(request, practitioner, *args, **kwargs)

    return wrapped


def short_name(user) -> str:
    """ "Ada L." — what a week view shows of a client."""
    first, last = user.first_name.strip(), user.last_name.strip()
    if first and last:
        return f"{first} {last[0]}."
    return first or last or user.email.split("@", 1)[0]


# ---------- Calendar and bookings ----------


@dataclass(frozen=True)
class CalendarDay:
    day: date
    is_today: bool
    bookings: list[Booking]


def _local_midnight(day: date, zone) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone)


@require_GET
@practice_view
def calendar_week(request, practitioner):
    zone = practitioner.zone
    today = timezone.localdate(timezone=zone)
    week = request.GET.get("week")
    if week is None:
        monday = today - timedelta(days=today.weekday())
    else:
        try:
            monday = parse_iso_week(week)
        except ValueError:
            return render(
                request,
                "bookings/dashboard/bad_week.html",
                {"this_week_url": reverse("practice-calendar")},
                status=400,
            )
    days = week_days(monday)
    # Local midnights, so a week across a daylight-saving change is 167 or 169 hours.
    bookings = (
        Booking.objects.filter(
            practitioner=practitioner,
            status__in=CALENDAR_STATUSES,
            starts_at__gte=_local_midnight(days[0], zone),
            starts_at__lt=_local_midnight(days[-1] + timedelta(days=1), zone),
        )
        .select_related("service", "client")
        .order_by("starts_at", "pk")
    )
    by_day: dict[date, list[Booking]] = {day: [] for day in days}
    bookings = list(bookings)
    for booking in bookings:
        # The profile is already loaded: attendance_for reads its user id, query-free.
        booking.practitioner = practitioner
    attendance = attendance_for(bookings)
    now = timezone.now()
    for booking in bookings:
        booking.attendance = attendance.get(booking.pk) if booking.service.is_online else None
        booking.has_started = booking.starts_at <= now
        booking.can_no_show = booking.status == Status.CONFIRMED and booking.has_started
        booking.client_short_name = short_name(booking.client)
        booking.status_badge = STATUS_BADGES.get(booking.status, "badge--neutral")
        by_day[booking.starts_at.astimezone(zone).date()].append(booking)
    return render(
        request,
        "bookings/dashboard/calendar.html",
        {
            "practitioner": practitioner,
            "days": [CalendarDay(day, day == today, by_day[day]) for day in days],
            "week_start": days[0],
            "week_end": days[-1],
            "previous_week": format_iso_week(monday - timedelta(days=7)),
            "next_week": format_iso_week(monday + timedelta(days=7)),
            "is_this_week": days[0] <= today <= days[-1],
            "session_count": sum(
                1 for day in by_day.values() for b in day if b.status in SESSION_STATUSES
            ),
            "go_live": practitioner_go_live(practitioner=practitioner, today=today),
            "section": "calendar",
        },
    )


def _own_booking(practitioner, booking_id: int) -> Booking:
    booking = get_object_or_404(
        Booking.objects.select_related("service", "client", "payment"),
        pk=booking_id,
        practitioner=practitioner,
    )
    # The profile is already loaded: the slot maths and permission checks need it.
    booking.practitioner = practitioner
    booking.service.practitioner = practitioner
    return booking


@require_GET
@practice_view
def booking_detail(request, practitioner, booking_id: int):
    booking = _own_booking(practitioner, booking_id)
    return _render_booking(request, practitioner, booking, BookingCancelForm())


def _render_booking(request, practitioner, booking, form, status=200):
    zone = practitioner.zone
    local_start = booking.starts_at.astimezone(zone)
    monday = local_start.date() - timedelta(days=local_start.weekday())
    now = timezone.now()
    can_no_show = booking.status == Status.CONFIRMED and booking.starts_at <= now
    return render(
        request,
        "bookings/dashboard/booking_detail.html",
        {
            "practitioner": practitioner,
            "booking": booking,
            "status_badge": STATUS_BADGES.get(booking.status, "badge--neutral"),
            "can_cancel": booking.is_live and booking.starts_at > now,
            "can_move": booking_can_reschedule(booking=booking, by=request.user, now=now),
            "can_no_show": can_no_show,
            "no_show_percent": no_show_refund_percent(booking) if can_no_show else None,
            "form": form,
            "week": format_iso_week(monday),
            "section": "calendar",
        },
        status=status,
    )


@require_POST
@practice_view
def booking_cancel_view(request, practitioner, booking_id: int):
    booking = _own_booking(practitioner, booking_id)
    form = BookingCancelForm(request.POST)
    if not form.is_valid():
        return _render_booking(request, practitioner, booking, form)
    was_held = booking.status == Status.HELD
    try:
        booking = booking_cancel(
            booking=booking, by=request.user, reason=form.cleaned_data["reason"]
        )
    except Conflict as error:
        messages.error(request, f"This session could not be cancelled: {error.detail}")
    else:
        messages.success(
            request,
            "Cancelled. The client had not paid yet, so the time is simply free again."
            if was_held
            else "Session cancelled. The client gets everything they paid back and an email "
            "telling them.",
        )
    return redirect("practice-booking", booking_id=booking.pk)


RESCHEDULE_DAYS = 28
RESCHEDULE_LIMIT = 40


@require_http_methods(["GET", "POST"])
@practice_view
def booking_reschedule_view(request, practitioner, booking_id: int):
    """GET: free times this confirmed upcoming booking can move to (the practitioner may
    move any of theirs); POST {start}: move it and email both people."""
    booking = _own_booking(practitioner, booking_id)
    now = timezone.now()
    if not booking_can_reschedule(booking=booking, by=request.user, now=now):
        messages.error(request, "Only a confirmed session that has not started can be moved.")
        return redirect("practice-booking", booking_id=booking.pk)
    context = {
        "practitioner": practitioner,
        "booking": booking,
        "section": "calendar",
        "selected": "",
    }
    status = 200
    if request.method == "POST":
        raw = request.POST.get("start", "").strip()[:64]
        starts_at = None
        try:
            starts_at = datetime.fromisoformat(raw.replace("Z", "+00:00")) if raw else None
        except ValueError:
            starts_at = None
        if starts_at is None or timezone.is_naive(starts_at):
            context["error"], status = "Choose a new time.", 400
        else:
            previous = booking.starts_at
            try:
                booking = booking_reschedule(booking=booking, by=request.user, starts_at=starts_at)
            except Conflict as error:
                if error.api_code == "reschedule_not_allowed":
                    messages.error(request, error.detail)
                    return redirect("practice-booking", booking_id=booking.pk)
                context["error"], status = (
                    f"{starts_at.astimezone(practitioner.zone):%a %-d %b, %H:%M} is no longer "
                    "free. Choose another time.",
                    409,
                )
            except InvalidRequest as error:
                context["error"], status = error.detail, 400
            else:
                zone = practitioner.zone
                messages.success(
                    request,
                    f"Moved from {previous.astimezone(zone):%a %-d %b, %H:%M} to "
                    f"{booking.starts_at.astimezone(zone):%a %-d %b, %H:%M}. "
                    "The client has been emailed the new time.",
                )
                return redirect("practice-booking", booking_id=booking.pk)
    context["choices"] = [
        {"value": slot.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ"), "starts_at": slot.starts_at}
        for slot in reschedule_slots(
            booking=booking, start=now, end=now + timedelta(days=RESCHEDULE_DAYS), now=now
        )[:RESCHEDULE_LIMIT]
    ]
    return render(request, "bookings/dashboard/booking_reschedule.html", context, status=status)


@require_POST
@practice_view
def booking_no_show_view(request, practitioner, booking_id: int):
    """Records that the client did not come (confirmed, started); the policy's no-show
    share goes back to them and they are emailed."""
    booking = _own_booking(practitioner, booking_id)
    try:
        booking = booking_mark_no_show(booking=booking, by=request.user)
    except Conflict as error:
        messages.error(request, f"This session could not be marked as a no-show: {error.detail}")
    else:
        messages.success(
            request,
            "Recorded as a no-show. The client has been emailed"
            + (
                f" and gets {booking.refund_percent}% back under your policy."
                if booking.refund_percent
                else "; under your policy nothing is refunded."
            ),
        )
    return redirect("practice-booking", booking_id=booking.pk)


# ---------- Availability ----------


def _availability_context(request, practitioner, **forms) -> dict:
    now = timezone.now()
    today = timezone.localdate(timezone=practitioner.zone)
    feed = CalendarFeedToken.objects.filter(practitioner=practitioner).first()
    feed_url = (
        request.build_absolute_uri(reverse("bookings-calendar-feed", args=[feed.token]))
        if feed and feed.is_active
        else None
    )
    return {
        "practitioner": practitioner,
        "rules": AvailabilityRule.objects.filter(practitioner=practitioner).order_by(
            "weekday", "start_time"
        ),
        "overrides": DateOverride.objects.filter(
            practitioner=practitioner, date__gte=today
        ).order_by("date", "start_time"),
        "time_off": TimeOff.objects.filter(practitioner=practitioner, ends_at__gt=now).order_by(
            "starts_at"
        ),
        "calendars": ExternalCalendar.objects.filter(practitioner=practitioner).order_by("pk"),
        "feed": feed,
        "feed_url": feed_url,
        "rule_form": forms.get("rule_form") or AvailabilityRuleForm(prefix="rule"),
        "override_form": forms.get("override_form") or DateOverrideForm(prefix="override"),
        "time_off_form": forms.get("time_off_form") or TimeOffForm(prefix="timeoff"),
        "calendar_form": forms.get("calendar_form") or ExternalCalendarForm(prefix="calendar"),
        "section": "availability",
    }


@require_GET
@practice_view
def availability(request, practitioner):
    return render(
        request,
        "bookings/dashboard/availability.html",
        _availability_context(request, practitioner),
    )


def _add_row(request, practitioner, *, form, form_name: str, anchor: str, create, done: str):
    """Validates `form`, then `create(cleaned_data)`; errors from either show on the
    form, with the rest of the page, as a 200."""
    if form.is_valid():
        try:
            create(form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(f"{reverse('practice-availability')}#{anchor}")
    return render(
        request,
        "bookings/dashboard/availability.html",
        _availability_context(request, practitioner, **{form_name: form}),
    )


def _add_errors(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, field_messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, field_messages)


@require_POST
@practice_view
def rule_add(request, practitioner):
    return _add_row(
        request,
        practitioner,
        form=AvailabilityRuleForm(request.POST, prefix="rule"),
        form_name="rule_form",
        anchor="weekly-hours",
        create=lambda data: availability_rule_create(practitioner=practitioner, **data),
        done="Weekly hours added.",
    )


@require_POST
@practice_view
def override_add(request, practitioner):
    return _add_row(
        request,
        practitioner,
        form=DateOverrideForm(request.POST, prefix="override"),
        form_name="override_form",
        anchor="date-changes",
        create=lambda data: date_override_create(
            practitioner=practitioner,
            day=data["date"],
            start_time=data["start_time"],
            end_time=data["end_time"],
        ),
        done="Date change saved.",
    )


@require_POST
@practice_view
def time_off_add(request, practitioner):
    return _add_row(
        request,
        practitioner,
        form=TimeOffForm(request.POST, prefix="timeoff"),
        form_name="time_off_form",
        anchor="time-off",
        create=lambda data: time_off_create(practitioner=practitioner, **data),
        done="Time off added.",
    )


@require_POST
@practice_view
def calendar_add(request, practitioner):
    return _add_row(
        request,
        practitioner,
        form=ExternalCalendarForm(request.POST, prefix="calendar"),
        form_name="calendar_form",
        anchor="external-calendars",
        create=lambda data: external_calendar_add(
            practitioner=practitioner, ical_url=data["ical_url"]
        ),
        done="Calendar connected. Its busy times are imported shortly, then every hour.",
    )


_DELETABLE = {
    "rule": (AvailabilityRule, "weekly-hours", "Weekly hours removed."),
    "override": (DateOverride, "date-changes", "Date change removed."),
    "timeoff": (TimeOff, "time-off", "Time off removed."),
    "calendar": (ExternalCalendar, "external-calendars", "Calendar disconnected."),
}


@require_POST
@practice_view
def availability_delete(request, practitioner, kind: str, row_id: int):
    if kind not in _DELETABLE:
        raise Http404("No such kind of availability.")
    model, anchor, done = _DELETABLE[kind]
    row = get_object_or_404(model, pk=row_id, practitioner=practitioner)
    availability_row_delete(row=row)
    messages.success(request, done)
    return redirect(f"{reverse('practice-availability')}#{anchor}")


@require_POST
@practice_view
def feed_rotate(request, practitioner):
    had_feed = CalendarFeedToken.objects.filter(practitioner=practitioner).exists()
    calendar_feed_rotate(practitioner=practitioner)
    messages.success(
        request,
        "New calendar link made. The old link no longer works: subscribe to the new one."
        if had_feed
        else "Your private calendar link is ready.",
    )
    return redirect(f"{reverse('practice-availability')}#calendar-feed")


@require_POST
@practice_view
def feed_revoke(request, practitioner):
    calendar_feed_revoke(practitioner=practitioner)
    messages.success(request, "Calendar link switched off.")
    return redirect(f"{reverse('practice-availability')}#calendar-feed")


# ---------- Services ----------


@require_GET
@practice_view
def service_list(request, practitioner):
    services = (
        Service.objects.filter(practitioner=practitioner)
        .select_related("modality")
        .order_by("-is_active", "name", "pk")
    )
    return render(
        request,
        "bookings/dashboard/services.html",
        {"practitioner": practitioner, "services": services, "section": "services"},
    )


def _service_form_page(request, practitioner, service: Service | None):
    is_new = service is None
    instance = service or Service(practitioner=practitioner)
    if request.method == "POST":
        form = ServiceForm(request.POST, service=instance)
        if form.is_valid():
            form.apply_to(instance)
            try:
                service_save(service=instance)
            except ValidationError as error:
                form.add_model_errors(error)
            else:
                messages.success(
                    request, "Service added." if is_new else f"“{instance.name}” saved."
                )
                return redirect("practice-services")
    else:
        form = ServiceForm(service=instance)
    return render(
        request,
        "bookings/dashboard/service_form.html",
        {
            "practitioner": practitioner,
            "form": form,
            "service": service,
            "section": "services",
        },
    )


@require_http_methods(["GET", "POST"])
@practice_view
def service_add(request, practitioner):
    return _service_form_page(request, practitioner, None)


@require_http_methods(["GET", "POST"])
@practice_view
def service_edit(request, practitioner, service_id: int):
    service = get_object_or_404(Service, pk=service_id, practitioner=practitioner)
    return _service_form_page(request, practitioner, service)


@require_POST
@practice_view
def service_activate(request, practitioner, service_id: int, is_active: bool):
    service = get_object_or_404(Service, pk=service_id, practitioner=practitioner)
    service_set_active(service=service, is_active=is_active)
    messages.success(
        request,
        f"“{service.name}” is bookable again."
        if is_active
        else f"“{service.name}” is no longer offered. Booked sessions go ahead.",
    )
    return redirect("practice-services")


# ---------- Clients ----------


@require_GET
@practice_view
def client_list(request, practitioner):
    """The people with a booking with this practitioner, one aggregate query: sessions
    (confirmed, completed or missed), the last one before now and the next one."""
    now = timezone.now()
    sessions = Q(status__in=SESSION_STATUSES)
    clients = (
        Booking.objects.filter(practitioner=practitioner, status__in=CLIENT_STATUSES)
        .values("client_id", "client__first_name", "client__last_name", "client__email")
        .annotate(
            session_count=Count("pk", filter=sessions),
            last_session=Max("starts_at", filter=sessions & Q(starts_at__lt=now)),
            next_session=Min("starts_at", filter=Q(status=Status.CONFIRMED, starts_at__gte=now)),
        )
        .order_by("client__first_name", "client__last_name", "client_id")
    )
    page = Paginator(clients, CLIENTS_PER_PAGE).get_page(request.GET.get("page"))
    # Each client's care record (opened by their first confirmed booking), one query.
    records = dict(
        records_as_practitioner(request.user)
        .filter(client_id__in=[row["client_id"] for row in page.object_list])
        .values_list("client_id", "pk")
    )
    for row in page.object_list:
        row["record_id"] = records.get(row["client_id"])
    return render(
        request,
        "bookings/dashboard/clients.html",
        {"practitioner": practitioner, "page": page, "section": "clients"},
    )
