"""The intake of a care record over REST:
GET /api/v1/care-records/{record_id}/intake/ (the intakes asked and answered),
GET and PUT /api/v1/care-records/{record_id}/intake/{booking_id}/ (one booking's intake;
the client may answer or change it until the session starts, 409 `intake_locked` after).
Same rules as the pages: 404 for anyone `record_access` does not name; every read and
write is audited."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from config.pagination import MAX_ID, StrictLimitOffsetPagination
from config.schema import errors
from integrations.typeform import get_typeform
from marketplace.clients.intake import selectors, services
from marketplace.clients.intake.errors import IntakeInvalid, IntakeNotAsked
from marketplace.clients.intake.models import IntakeResponse
from marketplace.clients.intake.references import HIDDEN_FIELD, booking_reference
from marketplace.clients.records.access import BREAK_GLASS, CLIENT, PRACTITIONER, record_access
from privacy.audit import audit

ROLES = (CLIENT, PRACTITIONER, BREAK_GLASS)


def _access(request, record_id: int):
    """The caller's access to the record (DRF answers Http404 as 404 `not_found`)."""
    if not 0 < int(record_id) <= MAX_ID:
        raise NotFound("No such record.")
    access = record_access(user=request.user, record_id=record_id)
    if access.role not in ROLES:
        raise NotFound("No such record.")
    return access


def _status(item: selectors.IntakeItem) -> str:
    if item.is_done:
        return "completed"
    return "not_completed" if item.is_locked else "to_do"


class IntakeItemSerializer(serializers.Serializer):
    booking_id = serializers.IntegerField()
    service_name = serializers.CharField(help_text="Empty when the booking was cancelled.")
    starts_at = serializers.DateTimeField(allow_null=True)
    status = serializers.CharField(
        help_text="to_do (can be answered), completed, or not_completed (locked unanswered)."
    )
    locked = serializers.BooleanField(help_text="The session has started: no more changes.")
    source = serializers.CharField(help_text="form (our own questions) or typeform.")
    submitted_at = serializers.DateTimeField(allow_null=True)


class QuestionSerializer(serializers.Serializer):
    id = serializers.CharField()
    kind = serializers.ChoiceField(
        choices=[
            "short_text",
            "long_text",
            "single_choice",
            "multiple_choice",
            "scale",
            "date",
            "yes_no",
        ]
    )
    label = serializers.CharField()
    help = serializers.CharField(allow_blank=True)
    required = serializers.BooleanField()
    choices = serializers.ListField(child=serializers.CharField())
    scale_min = serializers.IntegerField(allow_null=True)
    scale_max = serializers.IntegerField(allow_null=True)
    min_label = serializers.CharField(allow_blank=True)
    max_label = serializers.CharField(allow_blank=True)


class AnswerRowSerializer(serializers.Serializer):
    question = serializers.CharField()
    answer = serializers.CharField(allow_blank=True)


class IntakeDetailSerializer(IntakeItemSerializer):
    form_title = serializers.CharField(allow_blank=True)
    form_version = serializers.IntegerField(allow_null=True)
    questions = QuestionSerializer(many=True, help_text="The questions to answer (own forms).")
    answers = serializers.DictField(
        help_text="By question id (own forms): text, a choice, a list of choices, a whole "
        "number for a scale, YYYY-MM-DD for a date, true/false for yes/no."
    )
    answer_rows = AnswerRowSerializer(many=True, help_text="Questions and answers as shown.")
    typeform_url = serializers.CharField(
        allow_blank=True, help_text="Where the client fills a linked Typeform form."
    )


class IntakeSubmitSerializer(serializers.Serializer):
    answers = serializers.DictField(
        help_text="By question id; see the detail's `answers` for the value of each kind."
    )


class IntakePagination(StrictLimitOffsetPagination):
    default_limit = 20
    max_limit = 100


def _item_data(item: selectors.IntakeItem) -> dict[str, Any]:
    response = item.response
    return {
        "booking_id": item.booking_id,
        "service_name": item.service_name,
        "starts_at": item.starts_at,
        "status": _status(item),
        "locked": item.is_locked,
        "source": "typeform" if item.is_typeform else "form",
        "submitted_at": response.submitted_at if response is not None else None,
    }


def _detail(request, access, booking_id: int) -> dict[str, Any]:
    record = access.record
    item = next(
        (i for i in selectors.record_intakes(record=record) if i.booking_id == booking_id), None
    )
    if item is None:
        raise NotFound("No intake for that booking.")
    response = item.response
    version = None
    if response is not None and response.source == IntakeResponse.Source.FORM:
        version = response.form_version
    elif response is None and item.link is not None and item.link.form is not None:
        version = services.latest_version(item.link.form)
    typeform_url = ""
    if (
        access.role == CLIENT
        and item.link is not None
        and item.link.is_typeform
        and not item.is_locked
    ):
        typeform_url = get_typeform().form_url(
            form_id=item.link.typeform_form_id,
            hidden={HIDDEN_FIELD: booking_reference(booking_id)},
        )
    answers: Any = response.answers if response is not None else {}
    return {
        **_item_data(item),
        "form_title": version.title if version is not None else "",
        "form_version": version.number if version is not None else None,
        "questions": list(version.questions) if version is not None else [],
        "answers": answers if isinstance(answers, dict) else {},
        "answer_rows": [
            {"question": row.question, "answer": row.answer}
            for row in (selectors.answer_rows(response) if response is not None else [])
        ],
        "typeform_url": typeform_url,
    }


class RecordIntakeListView(APIView):
    """The intakes of a care record: one per confirmed booking whose service asks for one,
    newest session first, and any answers kept from a cancelled booking."""

    pagination_class = IntakePagination

    @extend_schema(
        operation_id="care_record_intake_list",
        responses={200: IntakeItemSerializer(many=True)},
    )
    def get(self, request, record_id: int):
        access = _access(request, record_id)
        paginator = self.pagination_class()
        items = selectors.record_intakes(record=access.record)
        page = paginator.paginate_queryset(items, request, view=self)
        audit(
            actor=request.user,
            action="read",
            subject_user_id=access.record.client_id,
            object_type="care_record",
            object_id=access.record.pk,
            request=request,
        )
        return paginator.get_paginated_response(
            IntakeItemSerializer([_item_data(item) for item in page], many=True).data
        )


class RecordIntakeDetailView(APIView):
    """One booking's intake: its questions and answers. The client answers with PUT until
    the session starts."""

    @extend_schema(
        operation_id="care_record_intake_detail", responses={200: IntakeDetailSerializer}
    )
    def get(self, request, record_id: int, booking_id: int):
        access = _access(request, record_id)
        if not 0 < booking_id <= MAX_ID:
            raise NotFound("No intake for that booking.")
        data = _detail(request, access, booking_id)
        response = selectors.response_for_booking(record=access.record, booking_id=booking_id)
        audit(
            actor=request.user,
            action="read",
            subject_user_id=access.record.client_id,
            object_type="intake_response" if response is not None else "care_record",
            object_id=response.pk if response is not None else access.record.pk,
            request=request,
        )
        return Response(IntakeDetailSerializer(data).data)

    @extend_schema(
        operation_id="care_record_intake_submit",
        request=IntakeSubmitSerializer,
        responses={200: IntakeDetailSerializer, **errors(409)},
    )
    def put(self, request, record_id: int, booking_id: int):
        access = _access(request, record_id)
        if not 0 < booking_id <= MAX_ID:
            raise NotFound("No intake for that booking.")
        body = IntakeSubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.intake_response_submit(
                record=access.record,
                user=request.user,
                booking_id=booking_id,
                raw_answers=body.validated_data["answers"],
                request=request,
            )
        except IntakeInvalid as error:
            raise serializers.ValidationError({"answers": error.errors}) from error
        except IntakeNotAsked as error:
            raise NotFound(error.detail) from error
        return Response(IntakeDetailSerializer(_detail(request, access, booking_id)).data)


urlpatterns = [
    path(
        "care-records/<int:record_id>/intake/",
        RecordIntakeListView.as_view(),
        name="api-care-intake-list",
    ),
    path(
        "care-records/<int:record_id>/intake/<int:booking_id>/",
        RecordIntakeDetailView.as_view(),
        name="api-care-intake-detail",
    ),
]
