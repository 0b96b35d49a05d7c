"""Client documents over REST (decision 0032).

GET  /api/v1/care-records/{record_id}/documents/            metadata, newest first (paged)
POST /api/v1/care-records/{record_id}/documents/            multipart: file, title, visibility
GET  /api/v1/care-records/{record_id}/documents/{id}/       one document's metadata
PATCH /api/v1/care-records/{record_id}/documents/{id}/      {"shared_with_client": bool}
DELETE /api/v1/care-records/{record_id}/documents/{id}/     the uploader's own
GET  /api/v1/care-records/{record_id}/documents/{id}/download/   the decrypted file, streamed

The same 404 rules as the pages (records.access plus `document_visible_to`). A refused
file is a 400 `invalid_document` naming why; a damaged stored file a 409
`document_unreadable`; the key service unreachable a 503 `key_service_unavailable`."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from config.pagination import MAX_ID, StrictLimitOffsetPagination
from config.parsers import SafeMultiPartParser
from config.schema import errors
from integrations.kms.types import KmsError
from marketplace.clients.documents.models import ClientDocument
from marketplace.clients.documents.selectors import document_for, documents_for
from marketplace.clients.documents.services import (
    OBJECT_TYPE,
    TITLE_MAX,
    DocumentUnreadable,
    document_chunks,
    document_delete,
    document_share,
    document_upload,
)
from marketplace.clients.documents.validation import ALLOWED_TYPES
from marketplace.clients.documents.views import streaming_download
from marketplace.clients.records.access import record_access
from privacy.audit import audit


class DocumentSerializer(serializers.ModelSerializer):
    title = serializers.CharField()
    file_name = serializers.CharField(source="original_filename")
    uploaded_by_you = serializers.SerializerMethodField()
    shared_with_client = serializers.SerializerMethodField()

    class Meta:
        model = ClientDocument
        fields = [
            "id",
            "title",
            "file_name",
            "content_type",
            "size",
            "sha256",
            "uploader_side",
            "visibility",
            "shared_with_client",
            "uploaded_by_you",
            "created_at",
        ]
        read_only_fields = fields

    def get_uploaded_by_you(self, document) -> bool:
        return document.uploaded_by_id == self.context["request"].user.pk

    def get_shared_with_client(self, document) -> bool:
        return document.uploader_side == "client" or document.visibility == "shared_with_client"


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="PDF, PNG, JPEG, GIF, WebP, HEIC, DOCX, XLSX or PPTX.")
    title = serializers.CharField(max_length=TITLE_MAX, required=False, allow_blank=True)
    visibility = serializers.ChoiceField(
        choices=[
            ClientDocument.Visibility.PRIVATE,
            ClientDocument.Visibility.SHARED_WITH_CLIENT,
        ],
        required=False,
        help_text="A practitioner's upload: private (default) or shared_with_client. A "
        "client's upload is always shared with the practitioner.",
    )


class ShareSerializer(serializers.Serializer):
    shared_with_client = serializers.BooleanField()


class DocumentsPagination(StrictLimitOffsetPagination):
    default_limit = 50
    max_limit = 100


def _invalid(error: ValidationError) -> Response:
    return Response(
        {
            "code": "invalid_document",
            "detail": " ".join(error.messages),
            "fields": {"file": [getattr(error, "code", None) or "invalid"]},
        },
        status=status.HTTP_400_BAD_REQUEST,
    )


def _record(request, record_id):
    if record_id > MAX_ID:
        raise Http404("No such record.")
    return record_access(user=request.user, record_id=record_id)


class DocumentListView(APIView):
    """The documents of a care record the caller may see, and uploads into it (the
    record's client and practitioner only)."""

    parser_classes = [SafeMultiPartParser]
    pagination_class = DocumentsPagination

    @extend_schema(
        operation_id="care_record_documents_list", responses=DocumentSerializer(many=True)
    )
    def get(self, request, record_id: int):
        access = _record(request, record_id)
        paginator = DocumentsPagination()
        page = paginator.paginate_queryset(documents_for(access), request, view=self)
        audit(
            actor=request.user,
            action="read",
            subject_user_id=access.record.client_id,
            object_type="client_documents",
            object_id=access.record.pk,
            request=request,
        )
        data = DocumentSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        operation_id="care_record_documents_upload",
        request={"multipart/form-data": UploadSerializer},
        responses={201: DocumentSerializer, **errors(503)},
    )
    def post(self, request, record_id: int):
        access = _record(request, record_id)
        if access.role not in ("client", "practitioner"):
            raise Http404("No such record.")
        serializer = UploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            document = document_upload(
                record=access.record,
                uploaded_by=request.user,
                file=serializer.validated_data["file"],
                title=serializer.validated_data.get("title", ""),
                visibility=serializer.validated_data.get("visibility"),
                request=request,
            )
        except ValidationError as error:
            return _invalid(error)
        except KmsError:
            return _unavailable()
        return Response(
            DocumentSerializer(document, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


def _unavailable() -> Response:
    return Response(
        {"code": "key_service_unavailable", "detail": "Documents cannot be opened just now."},
        status=status.HTTP_503_SERVICE_UNAVAILABLE,
    )


class DocumentDetailView(APIView):
    """One document's metadata; PATCH shares or unshares a practitioner's own upload;
    DELETE removes the caller's own upload (kept hidden until the retention purge)."""

    parser_classes = [JSONParser]

    def _document(self, request, record_id: int, document_id: int):
        access = _record(request, record_id)
        if document_id > MAX_ID:
            raise Http404("No such document.")
        return access, document_for(access, document_id)

    @extend_schema(operation_id="care_record_documents_retrieve", responses=DocumentSerializer)
    def get(self, request, record_id: int, document_id: int):
        access, document = self._document(request, record_id, document_id)
        audit(
            actor=request.user,
            action="read",
            subject_user_id=access.record.client_id,
            object_type=OBJECT_TYPE,
            object_id=document.pk,
            request=request,
        )
        return Response(DocumentSerializer(document, context={"request": request}).data)

    @extend_schema(
        operation_id="care_record_documents_share",
        request=ShareSerializer,
        responses=DocumentSerializer,
    )
    def patch(self, request, record_id: int, document_id: int):
        access, document = self._document(request, record_id, document_id)
        serializer = ShareSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if access.role != "practitioner":
            raise Http404("No such document.")
        try:
            document_share(
                document=document,
                actor=request.user,
                shared=serializer.validated_data["shared_with_client"],
                request=request,
            )
        except ValidationError as error:
            return Response(
                {"code": error.code or "invalid", "detail": " ".join(error.messages)},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(DocumentSerializer(document, context={"request": request}).data)

    @extend_schema(operation_id="care_record_documents_delete", responses={204: None})
    def delete(self, request, record_id: int, document_id: int):
        _access, document = self._document(request, record_id, document_id)
        try:
            document_delete(document=document, actor=request.user, request=request)
        except ValidationError as error:
            return Response(
                {"code": error.code or "invalid", "detail": " ".join(error.messages)},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


class DocumentDownloadView(APIView):
    """The decrypted file, streamed as an attachment (Cache-Control private, no-store).
    Every frame is authenticated before the first byte is sent."""

    @extend_schema(
        operation_id="care_record_documents_download",
        responses={
            **{
                (200, kind.content_type): OpenApiResponse(
                    OpenApiTypes.BINARY, description="The file, as an attachment."
                )
                for kind in ALLOWED_TYPES
            },
            **errors(409, 503),
        },
    )
    def get(self, request, record_id: int, document_id: int):
        access = _record(request, record_id)
        if document_id > MAX_ID:
            raise Http404("No such document.")
        document = document_for(access, document_id)
        try:
            chunks = document_chunks(document)
        except DocumentUnreadable:
            return Response(
                {
                    "code": "document_unreadable",
                    "detail": "The stored file failed its integrity check and is not served.",
                },
                status=status.HTTP_409_CONFLICT,
            )
        except KmsError:
            return _unavailable()
        audit(
            actor=request.user,
            action="download",
            subject_user_id=access.record.client_id,
            object_type=OBJECT_TYPE,
            object_id=document.pk,
            request=request,
            details={"role": access.role},
        )
        return streaming_download(document, chunks)


PREFIX = "care-records/<int:record_id>/documents/"

urlpatterns = [
    path(PREFIX, DocumentListView.as_view(), name="api-care-documents"),
    path(
        f"{PREFIX}<int:document_id>/",
        DocumentDetailView.as_view(),
        name="api-care-document",
    ),
    path(
        f"{PREFIX}<int:document_id>/download/",
        DocumentDownloadView.as_view(),
        name="api-care-document-download",
    ),
]
