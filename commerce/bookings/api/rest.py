"""Public availability endpoints:
GET /api/v1/practitioners/{slug}/services/ and GET /api/v1/practitioners/{slug}/slots/."""

from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from commerce.bookings.selectors import slots_for_service, slots_in_zone
from commerce.errors import InvalidRequest, NotFound
from marketplace.practitioners.models import PractitionerProfile, Service

MAX_RANGE = timedelta(days=62)


def _bookable_practitioner(slug: str) -> PractitionerProfile:
    practitioner = PractitionerProfile.objects.filter(
        slug=slug, status__in=PractitionerProfile.BOOKABLE_STATUSES
    ).first()
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
    service = serializers.IntegerField(min_value=1)
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
        slots = slots_for_service(service=service, start=start, end=end)
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
]
