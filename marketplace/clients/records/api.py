"""REST for the care record: /api/v1/care-records/ (the records the caller may open as
client or practitioner), /api/v1/care-records/<id>/ (one, 404 for anyone else) and
/api/v1/care-records/access-log/ (who accessed the caller's records). Section apps mount
their own endpoints under /api/v1/care-records/<record_id>/<section>/. Every read is
audited like the pages."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from config.pagination import MAX_OFFSET, StrictLimitOffsetPagination
from marketplace.clients.records import pages, sections
from marketplace.clients.records.access import (
    CLIENT,
    PRACTITIONER,
    Access,
    record_access,
    records_for,
)
from marketplace.clients.records.selectors import access_events, access_history
from privacy.audit import audit


class RecordsPagination(StrictLimitOffsetPagination):
    default_limit = 20
    max_limit = 100


def _paging_parameters(pagination) -> list[OpenApiParameter]:
    return [
        OpenApiParameter(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": pagination.max_limit},
            description=f"Items per page (default {pagination.default_limit}, at most "
            f"{pagination.max_limit}).",
        ),
        OpenApiParameter(
            "offset",
            {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
            description="Items to skip.",
        ),
    ]


class PartySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class CareRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    role = serializers.ChoiceField(
        choices=["client", "practitioner", "grantee", "break_glass"],
        help_text="What the caller is to this record.",
    )
    client = PartySerializer()
    practitioner = PartySerializer(help_text="The practitioner's profile id and public name.")
    opened_at = serializers.DateTimeField()
    last_contact_at = serializers.DateTimeField(allow_null=True)
    sections = SectionSerializer(many=True)


class CareRecordPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = CareRecordSerializer(many=True)


class AccessEventSerializer(serializers.Serializer):
    who = serializers.CharField()
    what = serializers.CharField()
    when = serializers.DateTimeField()
    record_id = serializers.IntegerField(allow_null=True)


class AccessEventPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = AccessEventSerializer(many=True)


def _record_data(access: Access) -> dict:
    record = access.record
    side = "client" if access.role == CLIENT else "practitioner"
    return {
        "id": record.pk,
        "role": access.role,
        "client": {"id": record.client_id, "name": pages.client_name(record.client)},
        "practitioner": {"id": record.practitioner_id, "name": record.practitioner.display_name},
        "opened_at": record.opened_at,
        "last_contact_at": record.last_contact_at,
        "sections": [
            {"key": section.key, "label": section.label}
            for section, _ in sections.tabs(side=side, record_id=record.pk)
        ],
    }


class CareRecordListView(GenericAPIView):
    """The care records the caller may open as their client or practitioner, newest
    first."""

    serializer_class = CareRecordSerializer
    pagination_class = RecordsPagination

    def get_queryset(self):
        return records_for(self.request.user).select_related(
            "client", "practitioner", "practitioner__user"
        )

    @extend_schema(
        responses=CareRecordPageSerializer,
        parameters=_paging_parameters(RecordsPagination),
        operation_id="care_records_list",
    )
    def get(self, request):
        user = request.user
        records = self.paginate_queryset(self.get_queryset())
        data = [
            _record_data(
                Access(record=record, role=CLIENT if record.client_id == user.pk else PRACTITIONER)
            )
            for record in records
        ]
        audit(
            actor=user,
            action="read",
            subject_user_id=user.pk if all(r.client_id == user.pk for r in records) else None,
            object_type="care_record_list",
            object_id=user.pk,
            request=request,
            details={"count": len(records), "api": True},
        )
        return self.get_paginated_response(data)


class CareRecordDetailView(GenericAPIView):
    """One care record: 404 unless the caller is its client or practitioner (or holds a
    grant or an emergency access to it)."""

    serializer_class = CareRecordSerializer

    @extend_schema(responses=CareRecordSerializer, operation_id="care_records_retrieve")
    def get(self, request, record_id: int):
        access = record_access(user=request.user, record_id=record_id)
        pages.audit_read(request, access, details={"api": True})
        return Response(_record_data(access))


class AccessLogPagination(StrictLimitOffsetPagination):
    default_limit = 25
    max_limit = 100


class CareRecordAccessLogView(GenericAPIView):
    """Who, other than the caller, read or changed the caller's care records and other
    personal data, newest first."""

    serializer_class = AccessEventSerializer
    pagination_class = AccessLogPagination

    def get_queryset(self):
        return access_history(user=self.request.user)

    @extend_schema(
        responses=AccessEventPageSerializer,
        parameters=_paging_parameters(AccessLogPagination),
        operation_id="care_records_access_log",
    )
    def get(self, request):
        entries = self.paginate_queryset(self.get_queryset())
        events = access_events(entries)
        audit(
            actor=request.user,
            action="read",
            subject_user_id=request.user.pk,
            object_type="access_log",
            object_id=request.user.pk,
            request=request,
            details={"api": True},
        )
        return self.get_paginated_response(AccessEventSerializer(events, many=True).data)


urlpatterns = [
    path("care-records/", CareRecordListView.as_view(), name="care-api-records"),
    path(
        "care-records/access-log/",
        CareRecordAccessLogView.as_view(),
        name="care-api-access-log",
    ),
    path(
        "care-records/<int:record_id>/",
        CareRecordDetailView.as_view(),
        name="care-api-record",
    ),
]
