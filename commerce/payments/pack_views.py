"""Buying credit packs by card through Checkout."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from commerce.credits.models import CreditPack
from commerce.credits.wording import credit_count
from commerce.errors import CommerceError
from commerce.payments import services
from integrations.stripe import get_gateway
from integrations.stripe.types import StripeError


def packs(request):
    return render(
        request,
        "payments/credit_packs.html",
        {"packs": CreditPack.objects.filter(is_active=True).order_by("sort_order", "price")},
    )


@login_required
@require_POST
def buy(request):
    try:
        payment = services.credit_pack_checkout_create(
            user=request.user,
            pack_id=request.POST.get("pack", ""),
            success_url=request.build_absolute_uri(reverse("credit-packs-done"))
            + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=request.build_absolute_uri(reverse("credit-packs")),
        )
    except CommerceError as error:
        messages.error(request, error.detail)
        return redirect("credit-packs")
    except StripeError:
        messages.error(request, "Payments are unavailable right now. Please try again shortly.")
        return redirect("credit-packs")
    return HttpResponseRedirect(payment.checkout_url, status=303)


@login_required
def done(request):
    """Checkout's return page: applies the paid session at once, then shows the credits."""
    session_id = request.GET.get("session_id", "")[:255]
    payment = None
    if session_id:
        try:
            session = get_gateway().retrieve_checkout_session(session_id)
        except StripeError:
            session = None
        if session is not None:
            payment = services.checkout_session_sync(session=session)
    if payment is not None and payment.user_id == request.user.pk and payment.paid_at:
        messages.success(request, f"{credit_count(payment.credit_count)} added to your account.")
    else:
        messages.info(request, "Your payment is being confirmed; the credits will appear shortly.")
    return redirect("credits_statement")
