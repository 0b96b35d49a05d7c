"""Session notes over REST, under the record:
GET/POST /api/v1/care-records/{record_id}/notes/, GET/PATCH .../notes/{note_id}/ and
POST .../sign/, .../addenda/, .../share/, .../unshare/.

The client lists and reads only the notes shared with them; the practitioner their own
(and writes them); a grantee the notes granted to them. Anyone else: 404. A signed note
cannot be edited (409 note_signed); only addenda are added. Every call is audited."""

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from config.pagination import MAX_ID, StrictLimitOffsetPagination
from config.schema import errors
from marketplace.clients.notes.models import SessionNote
from marketplace.clients.notes.selectors import note_for_access, notes_for_access
from marketplace.clients.notes.services import (
    FIELD_MAX_LENGTH,
    note_add_addendum,
    note_create,
    note_share,
    note_sign,
    note_unshare,
    note_update,
)
from marketplace.clients.records.access import record_access
from marketplace.clients.records.pages import audit_read


class NoteContentSerializer(serializers.Serializer):
    text = serializers.CharField(
        required=False, allow_blank=True, max_length=FIELD_MAX_LENGTH, help_text="Free-form."
    )
    subjective = serializers.CharField(
        required=False, allow_blank=True, max_length=FIELD_MAX_LENGTH
    )
    objective = serializers.CharField(required=False, allow_blank=True, max_length=FIELD_MAX_LENGTH)
    assessment = serializers.CharField(
        required=False, allow_blank=True, max_length=FIELD_MAX_LENGTH
    )
    plan = serializers.CharField(required=False, allow_blank=True, max_length=FIELD_MAX_LENGTH)


class AddendumSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    body = serializers.CharField()
    content_sha256 = serializers.CharField()
    created_at = serializers.DateTimeField()


class NoteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    booking = serializers.IntegerField(source="booking_id")
    session_label = serializers.CharField()
    session_starts_at = serializers.DateTimeField(allow_null=True)
    format = serializers.ChoiceField(choices=SessionNote.Format.choices)
    content = NoteContentSerializer()
    status = serializers.ChoiceField(choices=SessionNote.Status.choices)
    content_sha256 = serializers.CharField(help_text="SHA-256 of the content at signing.")
    signed_at = serializers.DateTimeField(allow_null=True)
    shared_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    addenda = AddendumSerializer(many=True, source="addenda.all")


class NoteCreateSerializer(serializers.Serializer):
    booking = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    format = serializers.ChoiceField(choices=SessionNote.Format.choices)
    content = NoteContentSerializer()


class NoteUpdateSerializer(serializers.Serializer):
    content = NoteContentSerializer()


class AddendumInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=FIELD_MAX_LENGTH)


class NotePagination(StrictLimitOffsetPagination):
    default_limit = 50
    max_limit = 200


def _access(request, record_id: int):
    if record_id > MAX_ID:
        raise Http404("No such record.")
    return record_access(user=request.user, record_id=record_id)


def _author_access(request, record_id: int):
    access = _access(request, record_id)
    if access.role != "practitioner":
        raise Http404("No such record.")
    return access


def _note(access, note_id: int) -> SessionNote:
    if note_id > MAX_ID:
        raise Http404("No such note.")
    return note_for_access(access, note_id)


def _audit_read(request, access, *, object_type: str, object_id: int) -> None:
    """A read (with the viewer's role; for a grantee, the grants it went through)."""
    details = None
    if access.role == "grantee":
        details = {"via": "sharing_grant", "grant_ids": list(access.scope.grant_ids)}
    audit_read(request, access, object_type=object_type, object_id=object_id, details=details)


class NotesView(GenericAPIView):
    """GET: the notes the caller may read in this record, newest session first
    (`?limit=&offset=`). POST {booking, format, content}: a draft note (the record's
    practitioner only)."""

    serializer_class = NoteSerializer
    pagination_class = NotePagination

    @extend_schema(responses=NoteSerializer(many=True))
    def get(self, request, record_id: int):
        access = _access(request, record_id)
        page = self.paginate_queryset(notes_for_access(access))
        _audit_read(request, access, object_type="session_notes", object_id=access.record.pk)
        return self.get_paginated_response(NoteSerializer(page, many=True).data)

    @extend_schema(request=NoteCreateSerializer, responses={201: NoteSerializer})
    def post(self, request, record_id: int):
        access = _author_access(request, record_id)
        data = NoteCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note = note_create(
            record=access.record,
            author=request.user,
            booking_id=data.validated_data["booking"],
            note_format=data.validated_data["format"],
            content=dict(data.validated_data["content"]),
            request=request,
        )
        return Response(NoteSerializer(_note(access, note.pk)).data, status=201)


class NoteView(APIView):
    """GET: one note (audited). PATCH {content}: change a draft (author only; 409
    note_signed once signed)."""

    @extend_schema(responses=NoteSerializer)
    def get(self, request, record_id: int, note_id: int):
        access = _access(request, record_id)
        note = _note(access, note_id)
        _audit_read(request, access, object_type="session_note", object_id=note.pk)
        return Response(NoteSerializer(note).data)

    @extend_schema(request=NoteUpdateSerializer, responses={200: NoteSerializer, **errors(409)})
    def patch(self, request, record_id: int, note_id: int):
        access = _author_access(request, record_id)
        note = _note(access, note_id)
        data = NoteUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note_update(
            note=note,
            author=request.user,
            content=dict(data.validated_data["content"]),
            request=request,
        )
        return Response(NoteSerializer(_note(access, note.pk)).data)


class _NoteActionView(APIView):
    action_service = staticmethod(note_sign)

    @extend_schema(request=None, responses={200: NoteSerializer, **errors(409)})
    def post(self, request, record_id: int, note_id: int):
        access = _author_access(request, record_id)
        note = _note(access, note_id)
        type(self).action_service(note=note, author=request.user, request=request)
        return Response(NoteSerializer(_note(access, note.pk)).data)


class NoteSignView(_NoteActionView):
    """POST: sign (lock) a draft; its content's SHA-256 is kept. 409 note_signed."""

    action_service = staticmethod(note_sign)


class NoteShareView(_NoteActionView):
    """POST: share a signed note with the client (409 note_not_signed for a draft)."""

    action_service = staticmethod(note_share)


class NoteUnshareView(_NoteActionView):
    """POST: stop sharing the note with the client."""

    action_service = staticmethod(note_unshare)


class NoteAddendumView(APIView):
    """POST {body}: append a signed addendum to a signed note (409 note_not_signed)."""

    @extend_schema(request=AddendumInputSerializer, responses={201: NoteSerializer, **errors(409)})
    def post(self, request, record_id: int, note_id: int):
        access = _author_access(request, record_id)
        note = _note(access, note_id)
        data = AddendumInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note_add_addendum(
            note=note, author=request.user, body=data.validated_data["body"], request=request
        )
        return Response(NoteSerializer(_note(access, note.pk)).data, status=201)


_BASE = "care-records/<int:record_id>/notes/"

record_urlpatterns = [
    path(_BASE, NotesView.as_view(), name="api-care-notes"),
    path(f"{_BASE}<int:note_id>/", NoteView.as_view(), name="api-care-note"),
    path(f"{_BASE}<int:note_id>/sign/", NoteSignView.as_view(), name="api-care-note-sign"),
    path(
        f"{_BASE}<int:note_id>/addenda/",
        NoteAddendumView.as_view(),
        name="api-care-note-addendum",
    ),
    path(f"{_BASE}<int:note_id>/share/", NoteShareView.as_view(), name="api-care-note-share"),
    path(
        f"{_BASE}<int:note_id>/unshare/",
        NoteUnshareView.as_view(),
        name="api-care-note-unshare",
    ),
]
