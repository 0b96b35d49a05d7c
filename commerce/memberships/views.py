"""Membership pages: plans and pricing, joining through Checkout, managing a membership."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from commerce.errors import CommerceError
from commerce.memberships import services
from commerce.memberships.models import Membership
from commerce.memberships.selectors import membership_current, membership_plans_active
from integrations.stripe import get_gateway
from integrations.stripe.types import StripeError


def plans(request):
    """Pricing: every active plan with what it includes, and the person's current one."""
    current = membership_current(user=request.user)
    return render(
        request,
        "memberships/plans.html",
        {"plans": membership_plans_active(), "current": current},
    )


@login_required
@require_POST
def join(request, slug: str):
    try:
        plan = services.plan_for_slug(slug)
        checkout = services.membership_checkout_start(
            user=request.user,
            plan=plan,
            success_url=request.build_absolute_uri(reverse("membership-welcome"))
            + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=request.build_absolute_uri(reverse("membership-plans")),
        )
    except CommerceError as error:
        messages.error(request, error.detail)
        return redirect("membership-plans")
    except StripeError:
        messages.error(request, "Payments are unavailable right now. Please try again shortly.")
        return redirect("membership-plans")
    return HttpResponseRedirect(checkout.checkout_url, status=303)


@login_required
def welcome(request):
    """Checkout's return page: applies the completed session at once, so the person is a
    member when the page loads even if the webhook is still on its way."""
    session_id = request.GET.get("session_id", "")[:255]
    if session_id:
        try:
            session = get_gateway().retrieve_checkout_session(session_id)
        except StripeError:
            session = None
        if session is not None and session.status == "complete":
            services.membership_activate_from_checkout(
                session={
                    "id": session.id,
                    "mode": session.mode,
                    "status": session.status,
                    "subscription": session.subscription_id,
                    "metadata": dict(session.metadata),
                },
                observed_at=timezone.now(),
            )
    membership = membership_current(user=request.user)
    return render(request, "memberships/welcome.html", {"membership": membership})


@login_required
def manage(request):
    membership = Membership.objects.select_related("plan").filter(user=request.user).first()
    return render(
        request,
        "memberships/manage.html",
        {"membership": membership, "current": membership_current(user=request.user)},
    )


@login_required
@require_POST
def cancel(request):
    return _change(request, cancel=True, done="Your membership will end at the end of this period.")


@login_required
@require_POST
def resume(request):
    return _change(request, cancel=False, done="Your membership will renew as usual.")


def _change(request, *, cancel: bool, done: str):
    try:
        services.membership_set_cancel_at_period_end(user=request.user, cancel=cancel)
    except CommerceError as error:
        messages.error(request, error.detail)
    except StripeError:
        messages.error(request, "Payments are unavailable right now. Please try again shortly.")
    else:
        messages.success(request, done)
    return redirect("membership-manage")


@login_required
@require_POST
def update_card(request):
    try:
        url = services.membership_billing_portal_url(
            user=request.user, return_url=request.build_absolute_uri(reverse("membership-manage"))
        )
    except CommerceError as error:
        messages.error(request, error.detail)
        return redirect("membership-manage")
    except StripeError:
        messages.error(request, "Payments are unavailable right now. Please try again shortly.")
        return redirect("membership-manage")
    return HttpResponseRedirect(url, status=303)
