"""Staff screen: Wagtail admin → Deliveries. One row per channel of each notification,
filterable by channel, state and type, searchable by email address, with counts by
state. Message bodies and contexts are never shown: they may carry health details.
Staff hold the view permission through the Staff group (migration 0002)."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from notifications.delivery import SENDING_UNKNOWN_AFTER
from notifications.models import Delivery

UNKNOWN = "unknown (worker lost mid-send)"


def status_label(delivery: Delivery) -> str:
    """The state, except that a row claimed long ago and still `sending` is "unknown":
    its worker died, the provider may or may not have the message, and it is never
    re-sent automatically."""
    if (
        delivery.state == Delivery.State.SENDING
        and delivery.claimed_at is not None
        and timezone.now() - delivery.claimed_at > SENDING_UNKNOWN_AFTER
    ):
        return UNKNOWN
    label = delivery.get_state_display()
    if delivery.skip_reason:
        return f"{label}: {delivery.skip_reason}"
    if delivery.provider_status and delivery.provider_status != delivery.state:
        return f"{label} (provider: {delivery.provider_status})"
    return label


def address(delivery: Delivery) -> str:
    return delivery.notification.address


def state_counts() -> dict[str, int]:
    """How many deliveries are queued (pending or held), sent, failed and bounced, plus
    the "unknown" ones stuck in sending."""
    rows = dict(Delivery.objects.values_list("state").annotate(total=Count("pk")).order_by())
    stuck = Delivery.objects.filter(
        state=Delivery.State.SENDING, claimed_at__lt=timezone.now() - SENDING_UNKNOWN_AFTER
    ).count()
    return {
        "queued": rows.get(Delivery.State.PENDING, 0) + rows.get(Delivery.State.HELD, 0),
        "sent": rows.get(Delivery.State.SENT, 0),
        "failed": rows.get(Delivery.State.FAILED, 0),
        "bounced": rows.get(Delivery.State.BOUNCED, 0),
        "skipped": rows.get(Delivery.State.SKIPPED, 0),
        "unknown": stuck,
    }


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Delivery records are evidence of what was sent: nobody adds, edits or deletes
    them here, superusers included; viewing needs `notifications.view_delivery`."""

    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        actions = [action for action in actions if action not in ("add", "change", "delete")]
        return super().users_with_any_permission(actions)


class DeliveryIndexView(IndexView):
    template_name = "notifications/admin/deliveries_index.html"

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("notification__recipient")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["state_counts"] = state_counts()
        return context


class DeliveryInspectView(InspectView):
    def get_fields(self):
        return [
            "channel",
            "state",
            "attempts",
            "created_at",
            "claimed_at",
            "sent_at",
            "next_attempt_at",
            "provider_message_id",
            "provider_status",
            "skip_reason",
            "last_error",
        ]


class DeliveryViewSet(ModelViewSet):
    model = Delivery
    icon = "mail"
    menu_label = "Deliveries"
    menu_order = 330
    add_to_admin_menu = True
    index_view_class = DeliveryIndexView
    inspect_view_class = DeliveryInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    # Required by ModelViewSet; the policy above refuses every edit.
    form_fields = ["skip_reason"]
    list_display = [
        Column("created_at", label="Queued at", sort_key="created_at"),
        Column("type", label="Type", accessor="notification.type_key"),
        Column("address", label="Recipient", accessor=address),
        "channel",
        Column("status", label="Status", accessor=status_label),
        "attempts",
        "sent_at",
    ]
    list_filter = ["channel", "state", "notification__type_key"]
    search_fields = ["notification__recipient__email", "notification__email"]
    ordering = ["-created_at", "-pk"]


register_permission_policy(Delivery, ReadOnlyPermissionPolicy(Delivery))


@hooks.register("register_admin_viewset")
def register_delivery_viewset():
    return DeliveryViewSet("deliveries")
