"""Every write about memberships: joining through Checkout, mirroring the Stripe
subscription, monthly credit allowances, cancel/resume, grace period and downgrade."""

import logging
from datetime import UTC, datetime, timedelta
from typing import Literal

from django.conf import settings
from django.db import transaction
from django.utils import dateformat, timezone

from accounts.models import User
from commerce.errors import Conflict, InvalidRequest, NotFound
from commerce.memberships.models import Membership, MembershipCheckout, MembershipPlan
from commerce.payments.services import stripe_customer_ensure
from integrations.klaviyo.events import track_event_on_commit
from integrations.stripe import get_gateway
from integrations.stripe.types import CheckoutRequest, LineItem, Subscription
from notifications.kinds import Category, Channel, NotificationType
from notifications.kinds import register as register_notification_type
from notifications.services import notify

logger = logging.getLogger(__name__)

CHECKOUT_ID_KEY = "aeyia_membership_checkout_id"
USER_ID_KEY = "aeyia_user_id"
PLAN_KEY = "aeyia_plan"
_ACTIVE_STRIPE_STATES = {"active", "trialing"}
_GRACE_STRIPE_STATES = {"past_due", "unpaid"}
_ENDED_STRIPE_STATES = {"canceled", "incomplete_expired"}


def _ts(value: int | None) -> datetime | None:
    return datetime.fromtimestamp(value, tz=UTC) if value else None


def _stripe_interval(plan: MembershipPlan) -> Literal["month", "year"]:
    """The plan's billing interval in Stripe's words (the choices use the same ones)."""
    if plan.interval == MembershipPlan.Interval.MONTH:
        return "month"
    if plan.interval == MembershipPlan.Interval.YEAR:
        return "year"
    raise ValueError(f"Plan {plan.slug} has an unknown interval {plan.interval!r}.")


def plan_for_slug(slug: str) -> MembershipPlan:
    plan = MembershipPlan.objects.filter(slug=str(slug)[:40], is_active=True).first()
    if plan is None:
        raise InvalidRequest("There is no such membership plan.", code="invalid_plan")
    return plan


@transaction.atomic
def membership_checkout_start(
    *, user: User, plan: MembershipPlan, success_url: str, cancel_url: str
) -> MembershipCheckout:
    """Starts joining a paid plan: a Checkout session in subscription mode whose
    subscription carries who and what, so every later event can be traced back."""
    if plan.is_free:
        raise InvalidRequest("The free plan needs no payment.", code="free_plan")
    # One person's checkouts are serialised on their row, and an open checkout for the
    # same plan is reused: two tabs (or a double click) lead to one Stripe session, so the
    # person cannot end up paying for two subscriptions.
    User.objects.select_for_update().filter(pk=user.pk).first()
    open_checkout = (
        MembershipCheckout.objects.filter(
            user=user,
            plan=plan,
            completed_at__isnull=True,
            created_at__gte=timezone.now() - timedelta(hours=23),
        )
        .exclude(checkout_url="")
        .order_by("-created_at")
        .first()
    )
    current = Membership.objects.select_for_update().filter(user=user).first()
    if current is not None and current.is_current:
        raise Conflict(
            f"You are already a member on the {current.plan.name} plan. Cancel it before "
            "joining another.",
            code="already_member",
        )
    if open_checkout is not None:
        return open_checkout
    checkout = MembershipCheckout.objects.create(user=user, plan=plan)
    customer = stripe_customer_ensure(user=user)
    who = {USER_ID_KEY: str(user.pk), PLAN_KEY: plan.slug, CHECKOUT_ID_KEY: str(checkout.pk)}
    session = get_gateway().create_checkout_session(
        idempotency_key=f"membership-checkout-{checkout.pk}",
        request=CheckoutRequest(
            mode="subscription",
            line_items=(
                LineItem(
                    name=f"Aeyia {plan.name} membership",
                    amount=plan.price,
                    currency=plan.currency,
                    recurring_interval=_stripe_interval(plan),
                ),
            ),
            success_url=success_url,
            cancel_url=cancel_url,
            client_reference_id=f"membership-checkout-{checkout.pk}",
            metadata=who,
            customer_id=customer.stripe_id,
            subscription_metadata=who,
        ),
    )
    checkout.checkout_session_id = session.id
    checkout.checkout_url = session.url or ""
    checkout.save(update_fields=["checkout_session_id", "checkout_url"])
    return checkout


def _membership_for_subscription(
    *, subscription_id: str, metadata: dict
) -> tuple[Membership | None, MembershipPlan | None, User | None]:
    membership = (
        Membership.objects.select_for_update()
        .select_related("plan")
        .filter(stripe_subscription_id=subscription_id)
        .first()
    )
    plan = MembershipPlan.objects.filter(slug=metadata.get(PLAN_KEY, "")).first()
    user = None
    if str(metadata.get(USER_ID_KEY, "")).isdigit():
        user = User.objects.filter(pk=int(metadata[USER_ID_KEY])).first()
    if membership is None and user is not None:
        membership = (
            Membership.objects.select_for_update().select_related("plan").filter(user=user).first()
        )
    return membership, plan, user


@transaction.atomic
def membership_apply_subscription(
    *,
    subscription_id: str,
    stripe_status: str,
    metadata: dict,
    cancel_at_period_end: bool,
    current_period_end: datetime | None,
    observed_at: datetime,
) -> Membership | None:
    """Mirrors a subscription snapshot. Older snapshots than the last applied one are
    ignored, so out-of-order events converge on Stripe's latest state."""
    membership, plan, user = _membership_for_subscription(
        subscription_id=subscription_id, metadata=metadata
    )
    if (
        membership is not None
        and membership.stripe_state_at
        and (observed_at < membership.stripe_state_at)
    ):
        return membership
    if membership is None:
        if user is None or plan is None:
            logger.warning("subscription %s names no known person or plan", subscription_id)
            return None
        if stripe_status not in _ACTIVE_STRIPE_STATES:
            # Incomplete (first payment pending) or already over: nobody to make a member.
            return None
        membership = Membership(user=user, plan=plan)
    elif (
        membership.stripe_subscription_id
        and membership.stripe_subscription_id != subscription_id
        and membership.is_current
    ):
        # A different, older subscription of the same person: only its end matters.
        return membership
    was_current = membership.pk is not None and membership.is_current
    if plan is not None:
        membership.plan = plan
    membership.stripe_subscription_id = subscription_id
    membership.stripe_status = stripe_status
    membership.cancel_at_period_end = cancel_at_period_end
    if current_period_end:
        membership.current_period_end = current_period_end
    membership.stripe_state_at = observed_at
    if stripe_status in _ACTIVE_STRIPE_STATES:
        membership.status = Membership.Status.ACTIVE
        membership.grace_until = None
        membership.ended_at = None
    elif stripe_status in _GRACE_STRIPE_STATES:
        if membership.status != Membership.Status.ENDED:
            membership.status = Membership.Status.GRACE
            membership.grace_until = membership.grace_until or (
                timezone.now() + timedelta(days=settings.COMMERCE_GRACE_PERIOD_DAYS)
            )
    elif stripe_status in _ENDED_STRIPE_STATES and membership.status != Membership.Status.ENDED:
        membership.status = Membership.Status.ENDED
        membership.ended_at = timezone.now()
        membership.save()
        _email(membership, "ended")
        return membership
    membership.save()
    if membership.is_current and not was_current:
        _email(membership, "started")
        _track_started(membership)
    return membership


def membership_apply_gateway_subscription(*, subscription: Subscription) -> Membership | None:
    return membership_apply_subscription(
        subscription_id=subscription.id,
        stripe_status=subscription.status,
        metadata=dict(subscription.metadata),
        cancel_at_period_end=subscription.cancel_at_period_end,
        current_period_end=_ts(subscription.current_period_end),
        observed_at=timezone.now(),
    )


@transaction.atomic
def membership_activate_from_checkout(*, session: dict, observed_at: datetime) -> Membership | None:
    """A completed subscription Checkout makes the person a member at once, from the
    webhook or from the return page, whichever comes first."""
    if session.get("mode") != "subscription" or session.get("status") != "complete":
        return None
    metadata = session.get("metadata") or {}
    checkout_id = str(metadata.get(CHECKOUT_ID_KEY, ""))
    checkout = (
        MembershipCheckout.objects.select_for_update().filter(pk=int(checkout_id)).first()
        if checkout_id.isdigit()
        else MembershipCheckout.objects.select_for_update()
        .filter(checkout_session_id=session.get("id"))
        .first()
    )
    if checkout is None or not session.get("subscription"):
        return None
    if checkout.completed_at is None:
        checkout.completed_at = timezone.now()
        checkout.save(update_fields=["completed_at"])
    membership = Membership.objects.select_for_update().filter(user=checkout.user).first()
    if (
        membership is not None
        and membership.stripe_subscription_id == session["subscription"]
        and membership.is_current
    ):
        return membership
    if membership is None:
        membership = Membership(user=checkout.user, plan=checkout.plan)
    membership.plan = checkout.plan
    membership.stripe_subscription_id = session["subscription"]
    membership.status = Membership.Status.ACTIVE
    membership.grace_until = None
    membership.ended_at = None
    membership.cancel_at_period_end = False
    membership.save()
    _email(membership, "started")
    _track_started(membership)
    return membership


def _track_started(membership: Membership) -> None:
    # Keyed on the subscription, so the return page and the webhook (whichever comes
    # second) do not count one membership twice in Klaviyo.
    track_event_on_commit(
        email=membership.user.email,
        metric="Membership Started",
        properties={
            "plan": membership.plan.slug,
            "plan_name": membership.plan.name,
            "billing_interval": membership.plan.interval,
            "currency": membership.plan.currency,
            "amount_minor": membership.plan.price,
        },
        unique_id=f"membership-{membership.pk}-{membership.stripe_subscription_id}-started",
    )


def _subscription_of_invoice(invoice: dict) -> tuple[str | None, dict]:
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or {}
    subscription = details.get("subscription") or invoice.get("subscription")
    if isinstance(subscription, dict):
        subscription = subscription.get("id")
    return subscription, dict(details.get("metadata") or {})


@transaction.atomic
def membership_record_invoice_paid(*, invoice: dict, observed_at: datetime) -> Membership | None:
    """A paid invoice (first or renewal) keeps the membership active and grants the
    plan's credit allowance for the period, once per invoice."""
    from commerce.credits.models import CreditTransaction
    from commerce.credits.services import credits_grant

    subscription_id, metadata = _subscription_of_invoice(invoice)
    if not subscription_id:
        return None
    membership, plan, user = _membership_for_subscription(
        subscription_id=subscription_id, metadata=metadata
    )
    was_current = membership is not None and membership.is_current
    if membership is None:
        if user is None or plan is None:
            return None
        membership = Membership(user=user, plan=plan, stripe_subscription_id=subscription_id)
    period_end = _ts(invoice.get("period_end"))
    lines = (invoice.get("lines") or {}).get("data") or []
    if lines and (lines[0].get("period") or {}).get("end"):
        period_end = _ts(lines[0]["period"]["end"])
    if membership.status != Membership.Status.ENDED:
        membership.status = Membership.Status.ACTIVE
        membership.grace_until = None
    if period_end and (
        membership.current_period_end is None or period_end > membership.current_period_end
    ):
        membership.current_period_end = period_end
    membership.stripe_subscription_id = membership.stripe_subscription_id or subscription_id
    membership.save()
    if membership.is_current and not was_current:
        _email(membership, "started")
        # The invoice may be the first event to arrive; the subscription and Checkout
        # events that follow find a current membership and send nothing.
        _track_started(membership)
    months = 12 if membership.plan.interval == MembershipPlan.Interval.YEAR else 1
    allowance = membership.plan.monthly_credit_allowance * months
    if allowance:
        credits_grant(
            user=membership.user,
            amount=allowance,
            kind=CreditTransaction.Kind.ALLOWANCE,
            source_type="invoice",
            source_id=str(invoice["id"]),
            expires_at=period_end,
            memo=f"{membership.plan.name} allowance",
        )
    return membership


@transaction.atomic
def membership_record_payment_failed(*, invoice: dict) -> Membership | None:
    """A failed renewal starts the grace period and tells the member, once per invoice."""
    subscription_id, metadata = _subscription_of_invoice(invoice)
    if not subscription_id:
        return None
    membership, _plan, _user = _membership_for_subscription(
        subscription_id=subscription_id, metadata=metadata
    )
    if membership is None or membership.status == Membership.Status.ENDED:
        return membership
    membership.status = Membership.Status.GRACE
    membership.grace_until = membership.grace_until or (
        timezone.now() + timedelta(days=settings.COMMERCE_GRACE_PERIOD_DAYS)
    )
    first_notice = membership.last_failed_invoice_id != str(invoice["id"])
    membership.last_failed_invoice_id = str(invoice["id"])
    membership.save()
    if first_notice:
        _email(membership, "payment_failed")
    return membership


def _require_paid_membership(user: User) -> tuple[Membership, str]:
    """The person's current paid membership and its Stripe subscription id."""
    membership = Membership.objects.select_related("plan").filter(user=user).first()
    if membership is None or not membership.is_current or not membership.stripe_subscription_id:
        raise NotFound("You have no paid membership.", code="no_membership")
    return membership, membership.stripe_subscription_id


def membership_set_cancel_at_period_end(*, user: User, cancel: bool) -> Membership:
    """Cancel at the end of the paid period (cancel=True) or undo that (resume)."""
    membership, subscription_id = _require_paid_membership(user)
    if membership.cancel_at_period_end == cancel:
        return membership
    version = int(membership.updated_at.timestamp() * 1000)
    subscription = get_gateway().set_subscription_cancel_at_period_end(
        idempotency_key=f"membership-{membership.pk}-cancel-at-period-end-{int(cancel)}-{version}",
        subscription_id=subscription_id,
        cancel_at_period_end=cancel,
    )
    return membership_apply_gateway_subscription(subscription=subscription) or membership


def membership_billing_portal_url(*, user: User, return_url: str) -> str:
    """Where a member updates their card (Stripe's billing portal)."""
    _require_paid_membership(user)
    customer = stripe_customer_ensure(user=user)
    return (
        get_gateway()
        .create_billing_portal_session(customer_id=customer.stripe_id, return_url=return_url)
        .url
    )


def memberships_downgrade_after_grace(*, now: datetime | None = None) -> int:
    """Ends memberships whose grace period ran out without a successful payment: the
    Stripe subscription is cancelled and the person is back on the free level."""
    now = now or timezone.now()
    due = list(
        Membership.objects.filter(status=Membership.Status.GRACE, grace_until__lte=now).values_list(
            "pk", flat=True
        )
    )
    ended = 0
    for pk in due:
        with transaction.atomic():
            membership = Membership.objects.select_for_update().get(pk=pk)
            # Paid meanwhile, or (like the query above) a grace without an end.
            if (
                membership.status != Membership.Status.GRACE
                or membership.grace_until is None
                or membership.grace_until > now
            ):
                continue
            if membership.stripe_subscription_id:
                get_gateway().cancel_subscription(
                    idempotency_key=f"membership-{membership.pk}-grace-end-"
                    f"{membership.stripe_subscription_id}",
                    subscription_id=membership.stripe_subscription_id,
                )
            membership.status = Membership.Status.ENDED
            membership.ended_at = now
            membership.save(update_fields=["status", "ended_at", "updated_at"])
            _email(membership, "ended")
            ended += 1
    return ended


# The confirmation of a new membership and a failed renewal are part of the contract and
# its billing (a receipt, a problem the member must act on): required. The end of a
# membership is news about the account that a person may choose to get only in the app.
MEMBERSHIP_CATEGORIES = {
    "started": Category.REQUIRED,
    "payment_failed": Category.REQUIRED,
    "ended": Category.PAYMENTS,
}


def register_notification_types() -> None:
    """Called from MembershipsConfig.ready."""
    for kind, category in MEMBERSHIP_CATEGORIES.items():
        register_notification_type(
            NotificationType(
                key=f"memberships.{kind}",
                category=category,
                channels=frozenset({Channel.IN_APP, Channel.EMAIL, Channel.PUSH}),
                urgent=kind == "payment_failed",
            )
        )


def _email(membership: Membership, kind: str) -> None:
    """Membership notices (started, payment_failed, ended) through the notification
    service, inside the caller's transaction: sent after it commits, once per start
    (subscription), failed invoice and end."""
    if kind == "started":
        occasion = (
            membership.stripe_subscription_id or f"at{int(membership.updated_at.timestamp())}"
        )
    elif kind == "payment_failed":
        occasion = membership.last_failed_invoice_id
    else:
        occasion = f"at{int((membership.ended_at or membership.updated_at).timestamp())}"
    plan = membership.plan
    notify(
        recipient=membership.user,
        type_key=f"memberships.{kind}",
        context={
            "membership_id": membership.pk,
            "first_name": membership.user.first_name,
            "plan_name": plan.name,
            "monthly_credit_allowance": plan.monthly_credit_allowance,
            "grace_until": (
                dateformat.format(membership.grace_until, "j F Y") if membership.grace_until else ""
            ),
        },
        dedupe_key=f"membership:{membership.pk}:{kind}:{occasion}",
        link="/account/membership/",
    )
