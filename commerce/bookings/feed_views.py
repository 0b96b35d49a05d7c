"""The practitioner's private calendar feed, `GET /calendar/<token>.ics`. No login (a
calendar app cannot log in): the secret token in the URL is the credential, so an
unknown or revoked token is a plain 404 and the response is never cached publicly."""

from datetime import timedelta

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from commerce.bookings import ics
from commerce.bookings.feeds import CalendarFeedToken
from commerce.bookings.models import Booking

FEED_PAST = timedelta(days=30)
FEED_FUTURE = timedelta(days=180)
FEED_STATUSES = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED)


def feed_bookings(practitioner, *, now=None):
    """Confirmed (and since completed) sessions from 30 days ago to 180 days ahead, in
    one query whatever their number."""
    now = timezone.now() if now is None else now
    return (
        Booking.objects.filter(
            practitioner=practitioner,
            status__in=FEED_STATUSES,
            starts_at__gte=now - FEED_PAST,
            starts_at__lte=now + FEED_FUTURE,
        )
        .select_related("service", "practitioner", "client")
        .order_by("starts_at", "pk")
    )


@require_GET
def calendar_feed(request, token: str) -> HttpResponse:
    feed = (
        CalendarFeedToken.objects.select_related("practitioner")
        .filter(token=token, revoked_at__isnull=True)
        .first()
    )
    if feed is None:
        raise Http404("No such calendar.")
    body = ics.practitioner_feed(feed.practitioner, feed_bookings(feed.practitioner))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="aeyia.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
