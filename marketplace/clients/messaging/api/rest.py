"""/api/v1/care-records/<record_id>/messages/: the record's conversations (with unread
counts), a conversation's messages (paged, oldest first), posting, marking read and
closing. The same 404 rules as the pages (records.access); every read and write audited."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.errors import DomainError
from config.pagination import MAX_ID, StrictLimitOffsetPagination
from config.schema import errors
from marketplace.clients.messaging import selectors, services
from marketplace.clients.messaging.models import (
    BODY_MAX_LENGTH,
    SUBJECT_MAX_LENGTH,
    Message,
    Thread,
)
from marketplace.clients.records.access import Access, record_access

READERS = {"client", "practitioner", "break_glass"}
WRITERS = {"client", "practitioner"}


def _access(request, record_id, *, roles=READERS) -> Access:
    access = record_access(user=request.user, record_id=record_id)
    if access.role not in roles:
        raise Http404("No such record.")
    return access


def _thread(access: Access, thread_id) -> Thread:
    if not 0 < int(thread_id) <= MAX_ID:
        raise Http404("No such conversation.")
    thread = Thread.objects.filter(pk=thread_id, record=access.record).first()
    if thread is None:
        raise Http404("No such conversation.")
    return thread


class ThreadSerializer(serializers.ModelSerializer):
    unread = serializers.IntegerField(read_only=True, help_text="Messages to you not yet read.")
    is_closed = serializers.BooleanField(read_only=True)

    class Meta:
        model = Thread
        fields = [
            "id",
            "subject",
            "created_at",
            "last_message_at",
            "closed_at",
            "is_closed",
            "unread",
        ]
        read_only_fields = fields


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()


class MessageSerializer(serializers.ModelSerializer):
    thread_id = serializers.IntegerField(read_only=True)
    sender_id = serializers.IntegerField(read_only=True)
    from_me = serializers.SerializerMethodField()
    attachment = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "thread_id", "sender_id", "from_me", "body", "attachment", "created_at"]
        read_only_fields = fields

    @extend_schema_field(AttachmentSerializer(allow_null=True))
    def get_attachment(self, message: Message) -> dict | None:
        """The attached document (download it through the documents API)."""
        document = message.attachment
        if document is None or document.deleted_at is not None:
            return None
        return {
            "id": document.pk,
            "title": document.title,
            "content_type": document.content_type,
            "size": document.size,
        }

    def get_from_me(self, message: Message) -> bool:
        request = self.context.get("request")
        return bool(request and message.sender_id == request.user.pk)


class NewMessageSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=BODY_MAX_LENGTH)
    attachment = serializers.FileField(
        required=False, help_text="Optional file (multipart); stored in the record's documents."
    )


class NewThreadSerializer(NewMessageSerializer):
    subject = serializers.CharField(max_length=SUBJECT_MAX_LENGTH)


class ThreadPagination(StrictLimitOffsetPagination):
    default_limit = 25
    max_limit = 100


class MessagePagination(StrictLimitOffsetPagination):
    default_limit = 50
    max_limit = 200


class ThreadListView(GenericAPIView):
    """The record's conversations, newest activity first, each with its unread count."""

    permission_classes = [IsAuthenticated]
    serializer_class = ThreadSerializer
    pagination_class = ThreadPagination

    @extend_schema(
        operation_id="care_record_messages_threads", responses=ThreadSerializer(many=True)
    )
    def get(self, request, record_id: int):
        access = _access(request, record_id)
        threads = self.paginate_queryset(
            selectors.threads_with_unread(user=request.user, record=access.record)
        )
        services.record_messages_read(access=access, user=request.user, request=request)
        return self.get_paginated_response(ThreadSerializer(threads, many=True).data)

    @extend_schema(
        operation_id="care_record_messages_start",
        request={
            "application/json": NewThreadSerializer,
            "multipart/form-data": NewThreadSerializer,
        },
        responses={
            201: inline_serializer(
                "PostedThread", {"thread": ThreadSerializer(), "message": MessageSerializer()}
            )
        },
    )
    def post(self, request, record_id: int):
        access = _access(request, record_id, roles=WRITERS)
        data = NewThreadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            posted = services.thread_start(
                access=access,
                user=request.user,
                subject=data.validated_data["subject"],
                body=data.validated_data["body"],
                attachment=data.validated_data.get("attachment"),
                request=request,
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError({"attachment": error.messages}) from error
        posted.thread.unread = 0
        return Response(
            {
                "thread": ThreadSerializer(posted.thread).data,
                "message": MessageSerializer(posted.message, context={"request": request}).data,
            },
            status=status.HTTP_201_CREATED,
        )


class ThreadMessagesView(GenericAPIView):
    """A conversation's messages, oldest first (`?limit=&offset=`). Reading them is
    audited; it does not mark them read (POST .../read/ does)."""

    permission_classes = [IsAuthenticated]
    serializer_class = MessageSerializer
    pagination_class = MessagePagination

    @extend_schema(operation_id="care_record_messages_list", responses=MessageSerializer(many=True))
    def get(self, request, record_id: int, thread_id: int):
        access = _access(request, record_id)
        thread = _thread(access, thread_id)
        page = self.paginate_queryset(selectors.thread_messages(thread=thread))
        services.thread_read_audit(access=access, thread=thread, user=request.user, request=request)
        return self.get_paginated_response(
            MessageSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(
        operation_id="care_record_messages_post",
        request={
            "application/json": NewMessageSerializer,
            "multipart/form-data": NewMessageSerializer,
        },
        responses={201: MessageSerializer, **errors(409)},
    )
    def post(self, request, record_id: int, thread_id: int):
        access = _access(request, record_id, roles=WRITERS)
        thread = _thread(access, thread_id)
        data = NewMessageSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            message = services.message_post(
                access=access,
                thread=thread,
                user=request.user,
                body=data.validated_data["body"],
                attachment=data.validated_data.get("attachment"),
                request=request,
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError({"attachment": error.messages}) from error
        return Response(
            MessageSerializer(message, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ThreadReadView(GenericAPIView):
    """Marks the conversation read up to now for the signed-in participant."""

    permission_classes = [IsAuthenticated]
    serializer_class = ThreadSerializer

    @extend_schema(
        operation_id="care_record_messages_mark_read",
        request=None,
        responses={200: ThreadSerializer},
    )
    def post(self, request, record_id: int, thread_id: int):
        access = _access(request, record_id, roles=WRITERS)
        thread = _thread(access, thread_id)
        services.thread_mark_read(access=access, thread=thread, user=request.user, request=request)
        thread = selectors.threads_with_unread(user=request.user, record=access.record).get(
            pk=thread.pk
        )
        return Response(ThreadSerializer(thread).data)


class ThreadCloseView(GenericAPIView):
    """The practitioner closes the conversation (idempotent)."""

    permission_classes = [IsAuthenticated]
    serializer_class = ThreadSerializer

    @extend_schema(
        operation_id="care_record_messages_close", request=None, responses={200: ThreadSerializer}
    )
    def post(self, request, record_id: int, thread_id: int):
        access = _access(request, record_id, roles=WRITERS)
        thread = _thread(access, thread_id)
        if access.role != "practitioner":
            raise DomainError("Only the practitioner can close a conversation.", code="forbidden")
        services.thread_close(access=access, thread=thread, user=request.user, request=request)
        thread = selectors.threads_with_unread(user=request.user, record=access.record).get(
            pk=thread.pk
        )
        return Response(ThreadSerializer(thread).data)


urlpatterns = [
    path(
        "care-records/<int:record_id>/messages/",
        ThreadListView.as_view(),
        name="api-care-messages",
    ),
    path(
        "care-records/<int:record_id>/messages/<int:thread_id>/",
        ThreadMessagesView.as_view(),
        name="api-care-message-thread",
    ),
    path(
        "care-records/<int:record_id>/messages/<int:thread_id>/read/",
        ThreadReadView.as_view(),
        name="api-care-message-thread-read",
    ),
    path(
        "care-records/<int:record_id>/messages/<int:thread_id>/close/",
        ThreadCloseView.as_view(),
        name="api-care-message-thread-close",
    ),
]
