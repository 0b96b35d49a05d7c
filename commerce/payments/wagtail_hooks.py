"""Staff screens: payments with refunds, disputes, and the Stripe webhook event log with
re-processing of failed events. Staff hold view permissions (and add_refund /
change_webhookevent for the actions) through the Staff group."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.views.generic import InspectView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from commerce.errors import CommerceError
from commerce.payments.forms import RefundForm
from commerce.payments.models import Dispute, Payment, WebhookEvent
from commerce.payments.services import refund_create
from commerce.payments.webhooks import webhook_event_reprocess
from money import Money
from money.admin_ui import MoneyInspectMixin, money_column


class PaymentInspectView(MoneyInspectMixin, InspectView):
    money_fields = ("amount", "application_fee_amount", "amount_refunded")


class DisputeInspectView(MoneyInspectMixin, InspectView):
    money_fields = ("amount",)


class PaymentViewSet(ModelViewSet):
    model = Payment
    inspect_view_class = PaymentInspectView
    icon = "form"
    menu_label = "Payments"
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = ["description", "user", money_column("amount"), "status", "created_at"]
    list_filter = ["status", "purpose"]
    search_fields = ["description", "user__email", "payment_intent_id", "checkout_session_id"]
    inspect_template_name = "payments/admin/payment_inspect.html"
    inspect_view_fields = [
        "user",
        "purpose",
        "description",
        "amount",
        "currency",
        "application_fee_amount",
        "amount_refunded",
        "status",
        "paid_at",
        "payment_intent_id",
        "checkout_session_id",
        "created_at",
    ]
    form_fields = ["description"]


class DisputeViewSet(ModelViewSet):
    model = Dispute
    inspect_view_class = DisputeInspectView
    icon = "warning"
    menu_label = "Disputes"
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = ["stripe_id", "payment", money_column("amount"), "reason", "status", "opened_at"]
    list_filter = ["status"]
    form_fields = ["status"]


class WebhookEventViewSet(ModelViewSet):
    model = WebhookEvent
    icon = "resubmit"
    menu_label = "Stripe events"
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = ["type", "stripe_id", "endpoint", "status", "attempts", "received_at"]
    list_filter = ["status", "endpoint", "type"]
    search_fields = ["stripe_id", "type"]
    inspect_template_name = "payments/admin/event_inspect.html"
    inspect_view_fields = [
        "stripe_id",
        "type",
        "endpoint",
        "account",
        "status",
        "attempts",
        "last_error",
        "received_at",
        "processed_at",
        "payload",
    ]
    form_fields = ["status"]


class CommerceGroup(ViewSetGroup):
    menu_label = "Payments"
    menu_icon = "form"
    menu_order = 310
    items = (
        PaymentViewSet("payments"),
        DisputeViewSet("disputes"),
        WebhookEventViewSet("stripe_events"),
    )


@hooks.register("register_admin_viewset")
def register_commerce_viewsets():
    return CommerceGroup()


def refund_view(request, pk: int):
    if not request.user.has_perm("payments.add_refund"):
        raise PermissionDenied
    payment = get_object_or_404(Payment, pk=pk)
    form = RefundForm(request.POST or None, payment=payment)
    if request.method == "POST" and form.is_valid():
        amount = form.cleaned_data["amount"]
        try:
            refund = refund_create(
                payment=payment,
                amount=None if amount is None else amount.amount,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                created_by=request.user,
            )
        except CommerceError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(
                request, f"Refund of {Money(refund.amount, payment.currency)} requested."
            )
            return redirect(reverse("payments:inspect", args=[payment.pk]))
    return TemplateResponse(
        request,
        "payments/admin/refund.html",
        {"payment": payment, "form": form, "refunds": payment.refunds.all()},
    )


@require_POST
def reprocess_view(request, pk: int):
    if not request.user.has_perm("payments.change_webhookevent"):
        raise PermissionDenied
    event = get_object_or_404(WebhookEvent, pk=pk)
    if event.status != WebhookEvent.Status.FAILED:
        messages.warning(request, "Only failed events can be processed again.")
    else:
        webhook_event_reprocess(event=event)
        messages.success(request, f"{event.type} {event.stripe_id} queued again.")
    return redirect(reverse("stripe_events:inspect", args=[event.pk]))


@hooks.register("register_admin_urls")
def register_commerce_urls():
    return [
        path("payments/<int:pk>/refund/", refund_view, name="payments_refund"),
        path("stripe-events/<int:pk>/reprocess/", reprocess_view, name="stripe_events_reprocess"),
    ]
