"""Sharing grants over REST.

The client's: GET/POST /api/v1/sharing-grants/ (their grants; a new one names a record of
theirs, a practitioner by profile slug, the items and the end), POST
/api/v1/sharing-grants/{grant_id}/revoke/. The grantee's: GET /api/v1/shared-with-me/
(active grants made to them, with the items they can read). Audited."""

from django.http import Http404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from config.pagination import MAX_ID, StrictLimitOffsetPagination
from config.schema import errors
from marketplace.clients.records.access import record_access
from marketplace.clients.sharing.errors import SharingInvalid
from marketplace.clients.sharing.models import SharingGrant
from marketplace.clients.sharing.selectors import grants_of_client, grants_received, resolve_items
from marketplace.clients.sharing.services import (
    MAX_ITEMS,
    PURPOSE_MAX_LENGTH,
    sharing_grant_create,
    sharing_grant_revoke,
)
from marketplace.practitioners.models import PractitionerProfile
from privacy.audit import audit


class GrantItemSerializer(serializers.Serializer):
    type = serializers.CharField(
        max_length=100, help_text='The item\'s model, e.g. "clinical_notes.sessionnote".'
    )
    id = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class GrantItemOutSerializer(GrantItemSerializer):
    kind = serializers.CharField()
    description = serializers.CharField()
    visible = serializers.BooleanField(help_text="False once the client no longer sees it.")


class GrantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    record = serializers.IntegerField(source="record_id")
    grantee = serializers.CharField(source="grantee.slug")
    grantee_name = serializers.CharField(source="grantee.display_name")
    purpose = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    state = serializers.ChoiceField(choices=["active", "expired", "revoked"])
    items = serializers.SerializerMethodField()

    @extend_schema_field(GrantItemOutSerializer(many=True))
    def get_items(self, grant):
        items = [
            {
                "type": item["model_label"],
                "id": item["object"].pk,
                "kind": item["kind"],
                "description": item["description"],
                "visible": item["visible"],
            }
            for item in resolve_items(grant)
            if item["visible"] or not self.context.get("visible_only")
        ]
        return GrantItemOutSerializer(items, many=True).data


class GrantCreateSerializer(serializers.Serializer):
    record = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    grantee = serializers.SlugField(max_length=80, help_text="The practitioner's profile slug.")
    items = GrantItemSerializer(many=True, min_length=1, max_length=MAX_ITEMS)
    expires_at = serializers.DateTimeField(help_text="ISO 8601 with offset; at most a year ahead.")
    purpose = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=PURPOSE_MAX_LENGTH
    )


class GrantPagination(StrictLimitOffsetPagination):
    default_limit = 50
    max_limit = 200


class GrantsView(GenericAPIView):
    """GET: the grants the caller made as a client, newest first. POST: grant another
    practitioner read access to chosen items of one of the caller's records until
    `expires_at` (400 for items the client cannot see, a bad practitioner or end; 409
    consent_required while the sharing consent is unsigned)."""

    serializer_class = GrantSerializer
    pagination_class = GrantPagination

    @extend_schema(responses=GrantSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(grants_of_client(client=request.user))
        audit(
            actor=request.user,
            action="read",
            subject_user_id=request.user.pk,
            object_type="sharing_grants",
            object_id=request.user.pk,
            request=request,
        )
        return self.get_paginated_response(GrantSerializer(page, many=True).data)

    @extend_schema(
        request=GrantCreateSerializer, responses={201: GrantSerializer, **errors(404, 409)}
    )
    def post(self, request):
        data = GrantCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        access = record_access(user=request.user, record_id=data.validated_data["record"])
        if access.role != "client":
            raise Http404("No such record.")
        grantee = PractitionerProfile.objects.filter(
            slug=data.validated_data["grantee"], status__in=PractitionerProfile.BOOKABLE_STATUSES
        ).first()
        if grantee is None:
            raise SharingInvalid("No practitioner has that profile slug.", code="invalid_grantee")
        expires_at = data.validated_data["expires_at"]
        if timezone.is_naive(expires_at):
            raise SharingInvalid("expires_at needs a UTC offset.", code="invalid_expiry")
        grant = sharing_grant_create(
            record=access.record,
            client=request.user,
            grantee=grantee,
            items=[(item["type"], item["id"]) for item in data.validated_data["items"]],
            expires_at=expires_at,
            purpose=data.validated_data["purpose"],
            request=request,
        )
        grant = grants_of_client(client=request.user).get(pk=grant.pk)
        return Response(GrantSerializer(grant).data, status=201)


class GrantRevokeView(APIView):
    """POST: end the grant now (idempotent; 409 grant_expired for one already over)."""

    @extend_schema(request=None, responses={200: GrantSerializer, **errors(409)})
    def post(self, request, grant_id: int):
        grant = (
            SharingGrant.objects.filter(pk=grant_id, record__client=request.user).first()
            if grant_id <= MAX_ID
            else None
        )
        if grant is None:
            raise Http404("No such grant.")
        sharing_grant_revoke(grant=grant, client=request.user, request=request)
        grant = grants_of_client(client=request.user).get(pk=grant.pk)
        return Response(GrantSerializer(grant).data)


class SharedWithMeView(GenericAPIView):
    """GET: the active grants made to the caller as a practitioner, with the items they
    may read (each read of an item is audited where it is opened)."""

    serializer_class = GrantSerializer
    pagination_class = GrantPagination

    @extend_schema(responses=GrantSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(grants_received(user=request.user))
        for grant in page:
            audit(
                actor=request.user,
                action="read",
                subject_user_id=grant.record.client_id,
                object_type="sharing_grant",
                object_id=grant.pk,
                request=request,
                details={"record_id": grant.record_id, "role": "grantee", "via": "sharing_grant"},
            )
        return self.get_paginated_response(
            GrantSerializer(page, many=True, context={"visible_only": True}).data
        )


urlpatterns = [
    path("sharing-grants/", GrantsView.as_view(), name="api-sharing-grants"),
    path(
        "sharing-grants/<int:grant_id>/revoke/",
        GrantRevokeView.as_view(),
        name="api-sharing-grant-revoke",
    ),
    path("shared-with-me/", SharedWithMeView.as_view(), name="api-shared-with-me"),
]
