"""Consent over REST.

The client's own: GET /api/v1/consents/ (each published document, its current version
and the caller's standing), POST /api/v1/consents/ {kind, version, typed_name} (sign),
POST /api/v1/consents/{kind}/withdraw/. On the record:
GET /api/v1/care-records/{record_id}/consents/ (the record's client's standing; the
client and the practitioner, 404 for anyone else). A booking the client has not signed
for answers 409 `consent_required` with the documents to sign."""

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from config.pagination import MAX_ID
from config.schema import errors
from marketplace.clients.consent.errors import ConsentConflict, ConsentInvalid
from marketplace.clients.consent.models import ConsentKind
from marketplace.clients.consent.selectors import consent_statuses
from marketplace.clients.consent.services import TYPED_NAME_MAX, consent_sign, consent_withdraw
from marketplace.clients.consent.views import client_ip
from marketplace.clients.records.access import record_access
from marketplace.clients.records.pages import audit_read
from privacy.audit import audit


class ConsentEventSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["signed", "withdrawn"])
    version = serializers.IntegerField(source="version.number")
    at = serializers.DateTimeField(source="created_at")


class ConsentStatusSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ConsentKind.choices)
    title = serializers.CharField(source="version.title")
    needed_for = serializers.CharField()
    version = serializers.IntegerField(source="version.number")
    version_id = serializers.IntegerField(source="version.pk")
    sha256 = serializers.CharField(source="version.sha256")
    published_at = serializers.DateTimeField(source="version.published_at")
    state = serializers.ChoiceField(choices=["signed", "outdated", "withdrawn", "unsigned"])
    latest = ConsentEventSerializer(allow_null=True)


class ConsentDocumentSerializer(ConsentStatusSerializer):
    body = serializers.CharField(source="version.body", help_text="The text to read and sign.")


class SignInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ConsentKind.choices)
    version = serializers.IntegerField(
        min_value=1, max_value=2**31, help_text="The version number being signed (the current)."
    )
    typed_name = serializers.CharField(max_length=TYPED_NAME_MAX)


def _ua(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:500]


class MyConsentsView(APIView):
    """GET: every published consent document with its current text and the caller's
    standing. POST {kind, version, typed_name}: sign the current version (the typed name
    must match the account's name; 409 consent_outdated when `version` is not the current
    one)."""

    @extend_schema(responses=ConsentDocumentSerializer(many=True))
    def get(self, request):
        statuses = consent_statuses(client=request.user)
        audit(
            actor=request.user,
            action="read",
            subject_user_id=request.user.pk,
            object_type="consent_signatures",
            object_id=request.user.pk,
            request=request,
        )
        return Response(ConsentDocumentSerializer(statuses, many=True).data)

    @extend_schema(
        request=SignInputSerializer,
        responses={201: ConsentStatusSerializer, **errors(409)},
    )
    def post(self, request):
        data = SignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        kind = data.validated_data["kind"]
        statuses = consent_statuses(client=request.user, kinds=[kind])
        if not statuses:
            raise ConsentInvalid("No such consent document is published.", code="invalid_kind")
        status = statuses[0]
        if data.validated_data["version"] != status.version.number:
            raise ConsentConflict(
                "This version is no longer the current one: read the new text and sign it.",
                code="consent_outdated",
            )
        consent_sign(
            client=request.user,
            version=status.version,
            typed_name=data.validated_data["typed_name"],
            ip_address=client_ip(request),
            user_agent=_ua(request),
            request=request,
        )
        status = consent_statuses(client=request.user, kinds=[kind])[0]
        return Response(ConsentStatusSerializer(status).data, status=201)


class ConsentWithdrawView(APIView):
    """POST: withdraw the caller's signed consent of `kind`, at once (409 not_signed when
    none stands)."""

    @extend_schema(request=None, responses={200: ConsentStatusSerializer, **errors(409)})
    def post(self, request, kind: str):
        if kind not in ConsentKind.values:
            raise Http404("No such consent document.")
        statuses = consent_statuses(client=request.user, kinds=[kind])
        if not statuses:
            raise Http404("No such consent document.")
        consent_withdraw(
            client=request.user,
            kind=kind,
            ip_address=client_ip(request),
            user_agent=_ua(request),
            request=request,
        )
        status = consent_statuses(client=request.user, kinds=[kind])[0]
        return Response(ConsentStatusSerializer(status).data)


class RecordConsentsView(APIView):
    """GET: the record's client's standing for every published consent document (the
    client or the practitioner; 404 for anyone else)."""

    @extend_schema(responses=ConsentStatusSerializer(many=True))
    def get(self, request, record_id: int):
        if record_id > MAX_ID:
            raise Http404("No such record.")
        access = record_access(user=request.user, record_id=record_id)
        if access.role not in ("client", "practitioner", "break_glass"):
            raise Http404("No such record.")
        statuses = consent_statuses(client=access.record.client)
        audit_read(request, access, object_type="consent_status")
        return Response(ConsentStatusSerializer(statuses, many=True).data)


urlpatterns = [
    path("consents/", MyConsentsView.as_view(), name="api-consents"),
    path(
        "consents/<slug:kind>/withdraw/",
        ConsentWithdrawView.as_view(),
        name="api-consent-withdraw",
    ),
]

record_urlpatterns = [
    path(
        "care-records/<int:record_id>/consents/",
        RecordConsentsView.as_view(),
        name="api-care-record-consents",
    ),
]
