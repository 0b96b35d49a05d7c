"""POST /api/v1/leads/ — the lead form for apps and other front ends.

CSRF-exempt and unauthenticated on purpose, like the page endpoint: protection is the
honeypot (`website` must be empty), the per-address rate limit (LEADS_RATE_LIMIT) and
double opt-in. Every accepted submission answers 202 the same way, whether it created a
lead, updated one or was dropped as spam, so the endpoint tells nobody who is on the list.

Errors are {"code", "detail"}: 400 "invalid" (with "fields"), 429 "rate_limited" with
Retry-After, or 429 "temporarily_unavailable" when the limit cannot be counted (the cache
is down; decision 0019).
"""

from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.schema import errors
from marketing_site.leads.attribution import UTM_KEYS, Attribution, attribution_from_request
from marketing_site.leads.forms import LeadApiInput
from marketing_site.leads.ratelimit import lead_rate_limit_hit
from marketing_site.leads.services import lead_capture


class LeadInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    consent = serializers.BooleanField(help_text="Must be true.")
    consent_text = serializers.CharField(max_length=2000, help_text="Shown to the person.")
    interest = serializers.CharField(required=False, allow_blank=True, max_length=80)
    source_page = serializers.CharField(required=False, allow_blank=True, max_length=255)
    utm_source = serializers.CharField(required=False, allow_blank=True, max_length=120)
    utm_medium = serializers.CharField(required=False, allow_blank=True, max_length=120)
    utm_campaign = serializers.CharField(required=False, allow_blank=True, max_length=120)
    utm_term = serializers.CharField(required=False, allow_blank=True, max_length=120)
    utm_content = serializers.CharField(required=False, allow_blank=True, max_length=120)
    referrer = serializers.CharField(required=False, allow_blank=True, max_length=500)


def _attribution(request, data: dict) -> Attribution:
    """The cookie's touches, or those the app sends (an app has no cookie)."""
    attribution = attribution_from_request(request)
    sent = {key: data[key] for key in (*UTM_KEYS, "referrer") if data.get(key)}
    if not sent:
        return attribution
    touch = {**sent, "landing_page": data.get("source_page", "")}
    return Attribution(first_touch=attribution.first_touch or touch, last_touch=touch)


class LeadCreateView(APIView):
    authentication_classes: list = []  # no session, so no CSRF: see the module docstring
    permission_classes = [AllowAny]

    @extend_schema(
        request=LeadInputSerializer,
        responses={
            202: inline_serializer("LeadAccepted", {"status": serializers.CharField()}),
            **errors(400, 429),
        },
        summary="Capture a lead (double opt-in email follows)",
    )
    def post(self, request):
        decision = lead_rate_limit_hit(request)
        if not decision.is_allowed:
            body = (
                {
                    "code": "rate_limited",
                    "detail": "Too many sign-ups from this address. Try again later.",
                }
                if decision.is_counted
                else {
                    # The count cannot be kept (cache down): refused, not accepted blind.
                    "code": "temporarily_unavailable",
                    "detail": "Sign-ups are unavailable for a moment. Try again shortly.",
                }
            )
            return Response(
                body,
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(decision.retry_after)},
            )
        data = request.data if hasattr(request.data, "get") else {}
        if data.get("website"):
            return Response({"status": "received"}, status=status.HTTP_202_ACCEPTED)
        form = LeadApiInput(data)
        if not form.is_valid():
            return Response(
                {
                    "code": "invalid",
                    "detail": "The request has invalid fields.",
                    "fields": {key: list(errors) for key, errors in form.errors.items()},
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        cleaned = form.cleaned_data
        source_page = cleaned["source_page"]
        lead_capture(
            email=cleaned["email"],
            name=cleaned["name"],
            consent_text=cleaned["consent_text"],
            is_consent_given=True,
            interest=cleaned["interest"],
            source_page=source_page if source_page.startswith("/") else "",
            attribution=_attribution(request, cleaned),
            confirm_url_base=request.build_absolute_uri("/"),
        )
        return Response({"status": "received"}, status=status.HTTP_202_ACCEPTED)


urlpatterns = [
    path("leads/", LeadCreateView.as_view(), name="api-leads"),
]
