"""Availability and bookings:
GET /api/v1/practitioners/{slug}/services/ and GET /api/v1/practitioners/{slug}/slots/
(public); POST/GET /api/v1/bookings/, POST /api/v1/bookings/{id}/cancel/,
/reschedule/ and /no-show/ (signed in)."""

from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Q
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from commerce.bookings.models import Booking
from commerce.bookings.selectors import bookable_slots, slots_in_zone
from commerce.bookings.services import (
    booking_cancel,
    booking_confirm_with_credits,
    booking_confirm_with_membership,
    booking_confirm_with_sponsor,
    booking_hold,
    booking_mark_no_show,
    booking_reschedule,
    booking_start_card_checkout,
)
from commerce.errors import InvalidRequest, NotFound
from config.pagination import MAX_ID, StrictLimitOffsetPagination
from config.schema import errors
from marketplace.practitioners.models import PractitionerProfile, Service
from marketplace.practitioners.selectors import practitioners_bookable_unloaded

MAX_RANGE = timedelta(days=62)


def _bookable_practitioner(slug: str) -> PractitionerProfile:
    practitioner = practitioners_bookable_unloaded().filter(slug=slug).first()
    if practitioner is None:
        raise NotFound("No such practitioner.")
    return practitioner


class ServiceSerializer(serializers.ModelSerializer):
    modality = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    modality_name = serializers.CharField(source="modality.name", read_only=True)
    accepts = serializers.SerializerMethodField()

    class Meta:
        model = Service
        fields = [
            "id",
            "name",
            "description",
            "modality",
            "modality_name",
            "duration_minutes",
            "price",
            "currency",
            "credit_price",
            "member_price",
            "is_online",
            "location",
            "minimum_notice_minutes",
            "maximum_advance_days",
            "accepts",
            "cancellation_tiers",
        ]
        read_only_fields = fields

    def get_accepts(self, service: Service) -> list[str]:
        methods = {
            "card": service.accepts_card,
            "credits": service.accepts_credits,
            "membership": service.accepts_membership,
            "sponsor": service.accepts_sponsor,
        }
        return [name for name, accepted in methods.items() if accepted]


class PractitionerServicesView(APIView):
    """Active services of a verified or active practitioner (404 for anyone else)."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, UserRateThrottle]

    @extend_schema(responses=ServiceSerializer(many=True))
    def get(self, request, slug: str):
        practitioner = _bookable_practitioner(slug)
        services = (
            Service.objects.filter(practitioner=practitioner, is_active=True)
            .select_related("modality")
            .order_by("name", "pk")
        )
        return Response(ServiceSerializer(services, many=True).data)


class SlotQuerySerializer(serializers.Serializer):
    service = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    start = serializers.CharField()
    end = serializers.CharField()
    tz = serializers.CharField(required=False, default="UTC")


class SlotSerializer(serializers.Serializer):
    start = serializers.DateTimeField(help_text="UTC.")
    end = serializers.DateTimeField(help_text="UTC.")
    local_start = serializers.DateTimeField(help_text="In the requested zone.")
    local_end = serializers.DateTimeField(help_text="In the requested zone.")


class SlotsResponseSerializer(serializers.Serializer):
    service = serializers.IntegerField()
    time_zone = serializers.CharField()
    practitioner_time_zone = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    slots = SlotSerializer(many=True)


def _instant(raw: str, name: str):
    try:
        value = parse_datetime(raw.strip())
    except ValueError:
        value = None
    if value is None:
        raise InvalidRequest(f"{name} must be an ISO 8601 date-time.", code="invalid_datetime")
    if timezone.is_naive(value):
        raise InvalidRequest(
            f"{name} needs a UTC offset (e.g. 2030-01-07T09:00:00Z).", code="invalid_datetime"
        )
    return value


def _zone(raw: str) -> ZoneInfo:
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise InvalidRequest(
            "tz must be an IANA time zone name such as Europe/London.", code="invalid_time_zone"
        ) from error


class PractitionerSlotsView(APIView):
    """Bookable times of one service starting in [start, end) (at most 62 days), in UTC
    and in the requested zone (`tz`, default UTC)."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, UserRateThrottle]

    @extend_schema(
        parameters=[
            OpenApiParameter("service", int, required=True),
            OpenApiParameter("start", str, required=True, description="ISO 8601 with offset."),
            OpenApiParameter("end", str, required=True, description="ISO 8601 with offset."),
            OpenApiParameter("tz", str, description="IANA zone for local times."),
        ],
        responses=SlotsResponseSerializer,
    )
    def get(self, request, slug: str):
        query = SlotQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start = _instant(query.validated_data["start"], "start")
        end = _instant(query.validated_data["end"], "end")
        zone = _zone(query.validated_data["tz"])
        if end <= start or end - start > MAX_RANGE:
            raise InvalidRequest(
                f"end must be after start and at most {MAX_RANGE.days} days later.",
                code="invalid_range",
            )
        practitioner = _bookable_practitioner(slug)
        service = (
            Service.objects.filter(
                pk=query.validated_data["service"], practitioner=practitioner, is_active=True
            )
            .select_related("practitioner")
            .first()
        )
        if service is None:
            raise NotFound("No such service.")
        slots = bookable_slots(service=service, start=start, end=end)
        local = slots_in_zone(slots, zone)
        return Response(
            {
                "service": service.pk,
                "time_zone": zone.key,
                "practitioner_time_zone": practitioner.time_zone,
                "start": start,
                "end": end,
                "slots": [
                    {
                        "start": slot.starts_at,
                        "end": slot.ends_at,
                        "local_start": local_slot.starts_at.isoformat(),
                        "local_end": local_slot.ends_at.isoformat(),
                    }
                    for slot, local_slot in zip(slots, local, strict=True)
                ],
            }
        )


# ---------- bookings ----------


class BookingInputSerializer(serializers.Serializer):
    service = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    start = serializers.CharField(max_length=64, help_text="ISO 8601 with offset.")
    pay_with = serializers.ChoiceField(choices=Booking.PayWith.choices)


class CancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class RescheduleInputSerializer(serializers.Serializer):
    start = serializers.CharField(max_length=64, help_text="ISO 8601 with offset.")


class BookingSerializer(serializers.ModelSerializer):
    service_name = serializers.CharField(source="service.name", read_only=True)
    practitioner = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    practitioner_name = serializers.CharField(source="practitioner.display_name", read_only=True)
    start = serializers.DateTimeField(source="starts_at", read_only=True)
    end = serializers.DateTimeField(source="ends_at", read_only=True)
    checkout_url = serializers.SerializerMethodField()

    class Meta:
        model = Booking
        fields = [
            "id",
            "service",
            "service_name",
            "practitioner",
            "practitioner_name",
            "start",
            "end",
            "status",
            "pay_with",
            "price_amount",
            "price_currency",
            "price_credits",
            "hold_expires_at",
            "checkout_url",
            "confirmed_at",
            "cancelled_at",
            "rescheduled_at",
            "no_show_at",
            "refund_percent",
            "refund_amount",
            "created_at",
        ]
        read_only_fields = fields

    def get_checkout_url(self, booking: Booking) -> str | None:
        """Where to pay, while a card booking is held."""
        if booking.status != Booking.Status.HELD or booking.payment is None:
            return None
        return booking.payment.checkout_url or None


def _bookings_of(user):
    return Booking.objects.select_related("service", "practitioner", "payment")


class BookingPagination(StrictLimitOffsetPagination):
    default_limit = 50
    max_limit = 200


class BookingsView(GenericAPIView):
    """GET: the caller's own bookings as a client, latest session first
    (`?limit=&offset=`). POST {service, start, pay_with}: book a slot. Credits and sponsor
    bookings are confirmed at once; a card booking is held while the client pays at
    `checkout_url`; a member paying by card is charged the member price. Membership
    bookings spend the membership allowance only. 409 slot_taken / slot_unavailable,
    402 insufficient_credits / insufficient_allowance / membership_required /
    no_sponsorship, 404 for an unknown service."""

    serializer_class = BookingSerializer
    pagination_class = BookingPagination

    def get_queryset(self):
        return _bookings_of(self.request.user).filter(client=self.request.user)

    @extend_schema(responses=BookingSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset().order_by("-starts_at", "-pk"))
        return self.get_paginated_response(BookingSerializer(page, many=True).data)

    @extend_schema(
        request=BookingInputSerializer,
        responses={201: BookingSerializer, **errors(402, 404, 409)},
    )
    def post(self, request):
        data = BookingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service = Service.objects.filter(pk=data.validated_data["service"]).first()
        if service is None:
            raise NotFound("No such service.")
        starts_at = _instant(data.validated_data["start"], "start")
        pay_with = data.validated_data["pay_with"]
        booking = booking_hold(
            client=request.user, service=service, starts_at=starts_at, pay_with=pay_with
        )
        if pay_with == Booking.PayWith.CREDITS:
            booking = booking_confirm_with_credits(booking=booking)
        elif pay_with == Booking.PayWith.SPONSOR:
            booking = booking_confirm_with_sponsor(booking=booking)
        elif pay_with == Booking.PayWith.MEMBERSHIP:
            booking = booking_confirm_with_membership(booking=booking)
        elif pay_with == Booking.PayWith.CARD:
            done = request.build_absolute_uri(reverse("dashboard"))
            booking_start_card_checkout(
                booking=booking,
                success_url=f"{done}?booking={booking.pk}",
                cancel_url=f"{done}?booking={booking.pk}&cancelled=1",
            )
        booking = _bookings_of(request.user).get(pk=booking.pk)
        return Response(BookingSerializer(booking).data, status=201)


class BookingCancelView(APIView):
    """POST {reason?}: cancel a booking the caller made, or one of their own sessions as
    the practitioner (404 for anyone else's). The service's policy decides the refund."""

    @extend_schema(request=CancelInputSerializer, responses={200: BookingSerializer, **errors(409)})
    def post(self, request, pk: int):
        data = CancelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = (
            _bookings_of(request.user)
            .filter(Q(client=request.user) | Q(practitioner__user=request.user), pk=pk)
            .first()
            if pk <= MAX_ID
            else None
        )
        if booking is None:
            raise NotFound("No such booking.")
        booking_cancel(booking=booking, by=request.user, reason=data.validated_data["reason"])
        booking = _bookings_of(request.user).get(pk=booking.pk)
        return Response(BookingSerializer(booking).data)


def _booking_for(user, pk: int, *, as_practitioner_only: bool = False) -> Booking:
    """A booking the caller is the client of (unless `as_practitioner_only`) or the
    practitioner of; NotFound (404) for anyone else's."""
    if pk > MAX_ID:
        raise NotFound("No such booking.")
    mine = (
        Q(practitioner__user=user)
        if as_practitioner_only
        else (Q(client=user) | Q(practitioner__user=user))
    )
    booking = _bookings_of(user).filter(mine, pk=pk).first()
    if booking is None:
        raise NotFound("No such booking.")
    return booking


class BookingRescheduleView(APIView):
    """POST {start}: move a confirmed booking to another free time of the same service.
    The client may while cancelling would still be fully refunded; the practitioner any
    upcoming booking. No money moves. 409 slot_taken / slot_unavailable /
    reschedule_not_allowed, 400 bad input, 404 anyone else's booking."""

    @extend_schema(
        request=RescheduleInputSerializer, responses={200: BookingSerializer, **errors(409)}
    )
    def post(self, request, pk: int):
        data = RescheduleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        starts_at = _instant(data.validated_data["start"], "start")
        booking = _booking_for(request.user, pk)
        booking_reschedule(booking=booking, by=request.user, starts_at=starts_at)
        booking = _bookings_of(request.user).get(pk=booking.pk)
        return Response(BookingSerializer(booking).data)


class BookingNoShowView(APIView):
    """POST: the practitioner reports that the client did not come (a confirmed session
    that has started). The service's policy for a no-show decides any refund. 409
    no_show_not_allowed; 404 unless the caller is the booking's practitioner."""

    @extend_schema(request=None, responses={200: BookingSerializer, **errors(409)})
    def post(self, request, pk: int):
        booking = _booking_for(request.user, pk, as_practitioner_only=True)
        booking_mark_no_show(booking=booking, by=request.user)
        booking = _bookings_of(request.user).get(pk=booking.pk)
        return Response(BookingSerializer(booking).data)


urlpatterns = [
    path(
        "practitioners/<slug:slug>/services/",
        PractitionerServicesView.as_view(),
        name="api-practitioner-services",
    ),
    path(
        "practitioners/<slug:slug>/slots/",
        PractitionerSlotsView.as_view(),
        name="api-practitioner-slots",
    ),
    path("bookings/", BookingsView.as_view(), name="api-bookings"),
    path("bookings/<int:pk>/cancel/", BookingCancelView.as_view(), name="api-booking-cancel"),
    path(
        "bookings/<int:pk>/reschedule/",
        BookingRescheduleView.as_view(),
        name="api-booking-reschedule",
    ),
    path("bookings/<int:pk>/no-show/", BookingNoShowView.as_view(), name="api-booking-no-show"),
]
