"""/api/v1/notifications/: the signed-in person's in-app notifications (paged, newest
first), marking one or all read, and their preferences (the category × channel matrix,
quiet hours, the daily digest). The same rules as the pages: someone else's notification
is a 404, required notifications cannot be turned off, bad input saves nothing."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.pagination import MAX_ID, StrictLimitOffsetPagination
from notifications import selectors, services
from notifications.kinds import Category, Channel
from notifications.models import Notification

# Seven categories × four channels: a longer list repeats itself.
MAX_PREFERENCE_CHANGES = len(Category) * len(Channel)


class NotificationSerializer(serializers.ModelSerializer):
    category = serializers.ChoiceField(choices=Category.choices)
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "type_key",
            "category",
            "title",
            "body",
            "link",
            "created_at",
            "read_at",
            "is_read",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "link": {"help_text": "A path on this site to open (the thing it is about)."},
            "title": {"help_text": "One line, in the person's language."},
        }

    def get_is_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class NotificationPagination(StrictLimitOffsetPagination):
    default_limit = 20
    max_limit = 100


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many were unread and are now read.")
    unread = serializers.IntegerField(help_text="Unread notifications left (0).")


class PreferenceCellSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    enabled = serializers.BooleanField()
    locked = serializers.BooleanField(help_text="Required: always on, cannot be changed.")
    available = serializers.BooleanField(
        help_text="The category can use this channel (text messages also need a mobile "
        "number with consent, set on the settings page)."
    )


class PreferenceRowSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.choices)
    label = serializers.CharField()
    channels = PreferenceCellSerializer(many=True)


@extend_schema_field(
    {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "22:00"}
)
class LocalTimeField(serializers.TimeField):
    """A wall-clock time in the person's zone as "HH:MM". Not OpenAPI's `format: time`,
    which is RFC 3339's full-time and demands an offset a quiet hour does not have."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M"], **kwargs)


class PreferencesSerializer(serializers.Serializer):
    preferences = PreferenceRowSerializer(many=True)
    quiet_start = LocalTimeField(
        allow_null=True, help_text="Quiet hours start, local time in time_zone (null: none)."
    )
    quiet_end = LocalTimeField(allow_null=True)
    email_digest = serializers.BooleanField(help_text="One email a day for non-urgent kinds.")
    digest_hour = serializers.IntegerField(min_value=0, max_value=23)
    time_zone = serializers.CharField(help_text="The person's time zone (IANA name).")


class PreferenceChangeSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    enabled = serializers.BooleanField()


class PreferencesUpdateSerializer(serializers.Serializer):
    """Every field is optional: what is left out stays as it is. Quiet hours are given
    together (both times, or both null for none)."""

    preferences = PreferenceChangeSerializer(
        many=True, required=False, max_length=MAX_PREFERENCE_CHANGES
    )
    quiet_start = LocalTimeField(required=False, allow_null=True)
    quiet_end = LocalTimeField(required=False, allow_null=True)
    email_digest = serializers.BooleanField(required=False)
    digest_hour = serializers.IntegerField(required=False, min_value=0, max_value=23)

    def validate(self, attrs):
        given = {"quiet_start", "quiet_end"} & attrs.keys()
        if len(given) == 1:
            missing = ({"quiet_start", "quiet_end"} - given).pop()
            raise serializers.ValidationError(
                {missing: ["Give quiet_start and quiet_end together (both null for none)."]}
            )
        return attrs


def _preferences(user) -> dict:
    saved = selectors.settings_for(user)
    return {
        "preferences": [
            {
                "category": row.category,
                "label": row.label,
                "channels": [
                    {
                        "channel": cell.channel,
                        "enabled": cell.enabled,
                        "locked": cell.locked,
                        "available": cell.available,
                    }
                    for cell in row.cells
                ],
            }
            for row in selectors.preferences_matrix(user)
        ],
        "quiet_start": saved.quiet_start,
        "quiet_end": saved.quiet_end,
        "email_digest": saved.email_digest,
        "digest_hour": saved.digest_hour,
        "time_zone": user.time_zone,
    }


class NotificationListView(GenericAPIView):
    """The signed-in person's in-app notifications, newest first (`?limit=&offset=`)."""

    permission_classes = [IsAuthenticated]
    serializer_class = NotificationSerializer
    pagination_class = NotificationPagination

    @extend_schema(operation_id="notifications_list", responses=NotificationSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(selectors.notifications_for(request.user))
        return self.get_paginated_response(NotificationSerializer(page, many=True).data)


class NotificationReadView(GenericAPIView):
    """Marks one of the person's notifications read (idempotent)."""

    permission_classes = [IsAuthenticated]
    serializer_class = NotificationSerializer

    @extend_schema(
        operation_id="notifications_read", request=None, responses={200: NotificationSerializer}
    )
    def post(self, request, notification_id: int):
        if not 0 < notification_id <= MAX_ID:
            raise Http404("No such notification.")
        try:
            notification = services.notification_mark_read(
                user=request.user, notification_id=notification_id
            )
        except Notification.DoesNotExist:
            raise Http404("No such notification.") from None
        return Response(NotificationSerializer(notification).data)


class NotificationReadAllView(GenericAPIView):
    """Marks every unread notification of the person read."""

    permission_classes = [IsAuthenticated]
    serializer_class = ReadAllSerializer

    @extend_schema(
        operation_id="notifications_read_all", request=None, responses={200: ReadAllSerializer}
    )
    def post(self, request):
        marked = services.notifications_mark_all_read(user=request.user)
        return Response({"marked": marked, "unread": 0})


class NotificationPreferencesView(APIView):
    """What the person gets, on which channel, and when (the settings page's matrix).

    An APIView, not a GenericAPIView: there is no object to look up, and DRF's OPTIONS
    answer for a PUT asks a GenericAPIView for one."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="notifications_preferences", responses=PreferencesSerializer)
    def get(self, request):
        return Response(PreferencesSerializer(_preferences(request.user)).data)

    @extend_schema(
        operation_id="notifications_preferences_update",
        request=PreferencesUpdateSerializer,
        responses={200: PreferencesSerializer},
    )
    def put(self, request):
        data = PreferencesUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = data.validated_data
        user = request.user
        # One transaction: a refused change (a required kind, a channel the kind does not
        # use) leaves everything as it was.
        with transaction.atomic():
            for index, change in enumerate(changes.get("preferences", [])):
                try:
                    services.preference_set(
                        user=user,
                        category=change["category"],
                        channel=change["channel"],
                        enabled=change["enabled"],
                    )
                except DjangoValidationError as error:
                    raise serializers.ValidationError(
                        {"preferences": {index: error.messages}}
                    ) from error
            if changes.keys() & {"quiet_start", "quiet_end", "email_digest", "digest_hour"}:
                saved = selectors.settings_for(user)
                try:
                    services.notification_settings_update(
                        user=user,
                        quiet_start=changes.get("quiet_start", saved.quiet_start),
                        quiet_end=changes.get("quiet_end", saved.quiet_end),
                        digest=changes.get("email_digest", saved.email_digest),
                        digest_hour=changes.get("digest_hour", saved.digest_hour),
                    )
                except DjangoValidationError as error:
                    field = "quiet_end" if error.code == "quiet_hours" else "non_field_errors"
                    raise serializers.ValidationError({field: error.messages}) from error
        return Response(PreferencesSerializer(_preferences(user)).data)


urlpatterns = [
    path("notifications/", NotificationListView.as_view(), name="api-notifications"),
    path(
        "notifications/read-all/",
        NotificationReadAllView.as_view(),
        name="api-notifications-read-all",
    ),
    path(
        "notifications/preferences/",
        NotificationPreferencesView.as_view(),
        name="api-notification-preferences",
    ),
    path(
        "notifications/<int:notification_id>/read/",
        NotificationReadView.as_view(),
        name="api-notification-read",
    ),
]
