"""The practitioner directory:
GET /api/v1/practitioners/?q=&modality=&online=&max_price=&available_on=&tz=&limit=&offset=
GET /api/v1/practitioners/{slug}/

Only verified or active practitioners exist here; anyone else is 404. Every bad filter is a
400 with a stable code, and the query count does not grow with the page size."""

import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.urls import path, reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from commerce.bookings.api.rest import ServiceSerializer
from commerce.bookings.directory import practitioner_directory, practitioner_public
from commerce.errors import InvalidRequest, NotFound
from config.pagination import MAX_OFFSET, StrictLimitOffsetPagination
from marketplace.practitioners.models import Modality, PractitionerProfile

MAX_QUERY_LENGTH = 200
MAX_PRICE = 10_000_000  # minor units: far above any session price
# available_on may look as far ahead as any service can be booked (730 days at most).
MAX_DAYS_AHEAD = 730
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,80}$")
_MINOR_UNITS = re.compile(r"^[0-9]{1,12}$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


class DirectoryPagination(StrictLimitOffsetPagination):
    """limit (1–100, default 20) and offset (≥ 0); anything else is a 400, not ignored."""

    default_limit = 20
    max_limit = 100


def directory_filters(params) -> dict:
    """The query string as practitioner_directory's keyword arguments, or InvalidRequest
    with a stable code (invalid_query, unknown_modality, invalid_online, invalid_price,
    invalid_date, invalid_time_zone)."""
    filters: dict = {}

    text = params.get("q", "").strip()
    if len(text) > MAX_QUERY_LENGTH or "\x00" in text:
        raise InvalidRequest(
            f"q must be at most {MAX_QUERY_LENGTH} characters of text.", code="invalid_query"
        )
    filters["text"] = text

    modality = params.get("modality", "").strip()
    if modality:
        if not _SLUG.match(modality) or not Modality.objects.filter(slug=modality).exists():
            raise InvalidRequest(f"No modality {modality[:80]!r}.", code="unknown_modality")
        filters["modality_slug"] = modality

    online = params.get("online", "").strip().lower()
    if online:
        if online not in _TRUE | _FALSE:
            raise InvalidRequest("online must be true or false.", code="invalid_online")
        filters["is_online"] = online in _TRUE

    max_price = params.get("max_price", "").strip()
    if max_price:
        if not _MINOR_UNITS.match(max_price) or int(max_price) > MAX_PRICE:
            raise InvalidRequest(
                "max_price must be a whole number of minor units (pence), e.g. 6000 for £60.",
                code="invalid_price",
            )
        filters["max_price"] = int(max_price)

    zone = None
    raw_zone = params.get("tz", "").strip()
    if raw_zone:
        try:
            zone = ZoneInfo(raw_zone)
        except (ZoneInfoNotFoundError, ValueError, TypeError, OSError) as error:
            raise InvalidRequest(
                "tz must be an IANA time zone name such as Europe/London.",
                code="invalid_time_zone",
            ) from error

    available_on = params.get("available_on", "").strip()
    if available_on:
        filters["available_on"] = _day(available_on)
        filters["zone"] = zone
    return filters


def _day(raw: str) -> date:
    try:
        day = date.fromisoformat(raw) if _ISO_DATE.match(raw) else None
    except ValueError:
        day = None
    if day is None:
        raise InvalidRequest("available_on must be a date, YYYY-MM-DD.", code="invalid_date")
    today = timezone.now().date()
    if not today - timedelta(days=1) <= day <= today + timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidRequest(
            f"available_on must be from today to {MAX_DAYS_AHEAD} days ahead.",
            code="invalid_date",
        )
    return day


class ModalitySerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class PriceSerializer(serializers.Serializer):
    amount = serializers.IntegerField(help_text="Minor units.")
    currency = serializers.CharField()


class PractitionerSummarySerializer(serializers.Serializer):
    slug = serializers.SlugField()
    display_name = serializers.CharField()
    is_verified = serializers.SerializerMethodField()
    bio = serializers.CharField()
    languages = serializers.SerializerMethodField()
    time_zone = serializers.CharField()
    modalities = serializers.SerializerMethodField()
    offers_online = serializers.SerializerMethodField()
    offers_in_person = serializers.SerializerMethodField()
    from_price = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    profile_url = serializers.SerializerMethodField()

    def get_is_verified(self, practitioner: PractitionerProfile) -> bool:
        return practitioner.status in PractitionerProfile.BOOKABLE_STATUSES

    def get_languages(self, practitioner: PractitionerProfile) -> list[str]:
        return [name.strip() for name in practitioner.languages.split(",") if name.strip()]

    @extend_schema(responses=ModalitySerializer(many=True))
    def get_modalities(self, practitioner: PractitionerProfile) -> list[dict]:
        seen: dict[str, str] = {}
        for service in practitioner.active_services:
            seen.setdefault(service.modality.slug, service.modality.name)
        return [{"slug": slug, "name": name} for slug, name in sorted(seen.items())]

    def get_offers_online(self, practitioner: PractitionerProfile) -> bool:
        return any(service.is_online for service in practitioner.active_services)

    def get_offers_in_person(self, practitioner: PractitionerProfile) -> bool:
        return any(not service.is_online for service in practitioner.active_services)

    @extend_schema(responses=PriceSerializer(allow_null=True))
    def get_from_price(self, practitioner: PractitionerProfile) -> dict | None:
        priced = [
            service
            for service in practitioner.active_services
            if service.accepts_card and service.price is not None
        ]
        if not priced:
            return None
        cheapest = min(priced, key=lambda service: service.price)
        return {"amount": cheapest.price, "currency": cheapest.currency}

    def get_url(self, practitioner: PractitionerProfile) -> str:
        return self._absolute(reverse("api-practitioner-detail", args=[practitioner.slug]))

    def get_profile_url(self, practitioner: PractitionerProfile) -> str:
        return self._absolute(reverse("practitioner-profile", args=[practitioner.slug]))

    def _absolute(self, url: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class PractitionerDetailSerializer(PractitionerSummarySerializer):
    services = serializers.SerializerMethodField()

    @extend_schema(responses=ServiceSerializer(many=True))
    def get_services(self, practitioner: PractitionerProfile) -> list[dict]:
        return ServiceSerializer(practitioner.active_services, many=True).data


class PractitionerPageSerializer(serializers.Serializer):
    """One page of the directory (documentation only)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PractitionerSummarySerializer(many=True)


class PractitionerListView(APIView):
    """Verified and active practitioners, by name, filtered and paginated."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, UserRateThrottle]

    @extend_schema(
        operation_id="practitioners_list",
        parameters=[
            OpenApiParameter("q", str, description="Text in the name, bio or a modality."),
            OpenApiParameter("modality", str, description="A modality slug."),
            OpenApiParameter(
                "online",
                bool,
                description="true: offers an online service; false: an in-person one.",
            ),
            OpenApiParameter(
                "max_price",
                int,
                description="Offers a card-paid service at most this price (minor units).",
            ),
            OpenApiParameter(
                "available_on",
                str,
                description="YYYY-MM-DD: has a bookable slot starting that day.",
            ),
            OpenApiParameter(
                "tz",
                str,
                description="IANA zone available_on is read in (default: each practitioner's own).",
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": DirectoryPagination.max_limit},
                description="1–100, default 20.",
            ),
            OpenApiParameter("offset", {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET}),
        ],
        responses=PractitionerPageSerializer,
    )
    def get(self, request):
        filters = directory_filters(request.query_params)
        paginator = DirectoryPagination()
        page = paginator.paginate_queryset(practitioner_directory(**filters), request, view=self)
        data = PractitionerSummarySerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


class PractitionerDetailView(APIView):
    """One verified or active practitioner with their active services (404 otherwise)."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, UserRateThrottle]

    @extend_schema(responses=PractitionerDetailSerializer)
    def get(self, request, slug: str):
        practitioner = practitioner_public(slug=slug)
        if practitioner is None:
            raise NotFound("No such practitioner.")
        return Response(
            PractitionerDetailSerializer(practitioner, context={"request": request}).data
        )


urlpatterns = [
    path("practitioners/", PractitionerListView.as_view(), name="api-practitioner-list"),
    path(
        "practitioners/<slug:slug>/",
        PractitionerDetailView.as_view(),
        name="api-practitioner-detail",
    ),
]
