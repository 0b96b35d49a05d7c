"""Hosted pages of the offline Stripe, mounted at /stripe-local/: Checkout, Connect
onboarding and the billing portal. They stand in for Stripe's own pages, so a person can
pay, be declined, onboard or update a card without leaving the machine. They exist only
while `STRIPE_GATEWAY` names the offline Stripe, and each address carries a keyed token
(see `local.hosted`)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.module_loading import import_string
from django.views.decorators.http import require_http_methods

from integrations.stripe.local import StripeLocalGateway, hosted, simulator, store
from integrations.stripe.types import StripeError
from money import format_amount


def _offline_stripe_only(view):
    """404 unless the offline Stripe is the configured gateway (never in production)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            gateway_class = import_string(settings.STRIPE_GATEWAY)
        except ImportError as error:
            raise Http404 from error
        if not (isinstance(gateway_class, type) and issubclass(gateway_class, StripeLocalGateway)):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _load(object_id: str, object_type: str, token: str | None) -> dict[str, Any]:
    if not hosted.token_is_valid(object_id, token):
        raise Http404
    try:
        return store.get(object_id, object_type)
    except StripeError as error:
        raise Http404 from error


# Checkout -------------------------------------------------------------------------------


class CheckoutForm(forms.Form):
    email = forms.EmailField(label="Email", required=False)


@_offline_stripe_only
@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest, session_id: str) -> HttpResponse:
    """Stripe Checkout, offline: what is bought, the total, and Pay / Decline card /
    Cancel. Pay completes the session and redirects to its success_url; a decline keeps
    it open; Cancel goes back to cancel_url, as Stripe's back link does."""
    _load(session_id, "checkout.session", request.GET.get("k"))
    with transaction.atomic():
        session = simulator.expire_if_due(session_id)
    asks_for_email = (
        session["status"] == "open" and not session["customer"] and not session["customer_email"]
    )
    form = CheckoutForm(request.POST or None)
    status = 200
    declined = False
    error = ""

    if request.method == "POST" and session["status"] == "open":
        action = request.POST.get("action")
        if action == "cancel":
            return HttpResponseRedirect(session["cancel_url"])
        if action in ("pay", "decline") and form.is_valid():
            email = form.cleaned_data["email"] or None
            if action == "pay" and asks_for_email and not email:
                form.add_error("email", "Enter the email address for your receipt.")
            else:
                try:
                    with transaction.atomic():
                        if action == "pay":
                            session = simulator.checkout_pay(session_id, email=email)
                        else:
                            session = simulator.checkout_decline(session_id, email=email)
                except StripeError as refused:
                    error = str(refused)
                    session = store.get(session_id, "checkout.session")
                else:
                    if action == "pay":
                        return HttpResponseRedirect(
                            session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)
                        )
                    declined = True
                    status = 402
        elif action not in ("pay", "decline"):
            error = "Choose Pay, Decline card or Cancel."
            status = 400
        if form.errors:
            status = 400

    context = {
        "session": session,
        "line_items": [
            {
                "name": item["description"],
                "quantity": item["quantity"],
                "unit": format_amount(item["price"]["unit_amount"], item["currency"]),
                "total": format_amount(item["amount_total"], item["currency"]),
                "interval": (item["price"].get("recurring") or {}).get("interval"),
            }
            for item in simulator.line_items_of(session_id)
        ],
        "total": format_amount(session["amount_total"], session["currency"]),
        "payee": _payee(session_id),
        "form": form,
        "asks_for_email": asks_for_email,
        "email": _known_email(session),
        "declined": declined,
        "error": error,
        "success_url": session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id),
    }
    return render(request, "stripe_local/checkout.html", context, status=status)


def _payee(session_id: str) -> str | None:
    destination = store.get_internal(session_id, "checkout.session")["payment_intent_data"].get(
        "destination"
    )
    if not destination:
        return None
    account = store.get(destination, "account")
    return account["business_profile"].get("name") or account.get("email") or destination


def _known_email(session: dict[str, Any]) -> str | None:
    if session.get("customer"):
        return store.get(session["customer"], "customer").get("email")
    return session.get("customer_email") or (session.get("customer_details") or {}).get("email")


# Connect onboarding ---------------------------------------------------------------------

SORT_CODE = re.compile(r"^\d{2}-?\d{2}-?\d{2}$")
ACCOUNT_NUMBER = re.compile(r"^\d{6,17}$")


class OnboardingForm(forms.Form):
    business_name = forms.CharField(label="Name shown to clients", max_length=100)
    holder_name = forms.CharField(label="Account holder name", max_length=100)
    routing_number = forms.CharField(
        label="Sort code",
        max_length=8,
        help_text="Six digits, for example 10-88-00 (Stripe's test sort code).",
    )
    account_number = forms.CharField(
        label="Account number",
        max_length=17,
        help_text="For example 00012345 (Stripe's test account number).",
    )

    def clean_routing_number(self) -> str:
        value = self.cleaned_data["routing_number"].strip()
        if not SORT_CODE.match(value):
            raise forms.ValidationError("Enter a six-digit sort code.")
        return value.replace("-", "")

    def clean_account_number(self) -> str:
        value = self.cleaned_data["account_number"].strip().replace(" ", "")
        if not ACCOUNT_NUMBER.match(value):
            raise forms.ValidationError("Enter the account number in digits.")
        return value


@_offline_stripe_only
@require_http_methods(["GET", "POST"])
def connect_onboarding(request: HttpRequest, account_id: str) -> HttpResponse:
    """Stripe's Express onboarding, offline. A used or expired link goes to the link's
    refresh_url (where our site makes a new link), as Stripe does; finishing enables
    charges and payouts and returns to return_url; "Finish later" returns unchanged."""
    link_id = request.GET.get("link", "")
    _load(link_id, "account_link", request.GET.get("k"))
    link = store.get(link_id, "account_link")
    internal = store.get_internal(link_id, "account_link")
    if internal["account"] != account_id:
        raise Http404
    if internal["is_used"] or (request.method == "GET" and link["expires_at"] <= store.now()):
        return HttpResponseRedirect(internal["refresh_url"])
    account = store.get(account_id, "account")

    form = OnboardingForm(request.POST or None, initial={"business_name": ""})
    if request.method == "POST":
        if request.POST.get("action") == "later":
            with transaction.atomic():
                simulator.use_account_link(link_id)
            return HttpResponseRedirect(internal["return_url"])
        if form.is_valid():
            with transaction.atomic():
                simulator.use_account_link(link_id)
                simulator.complete_onboarding(account_id, **form.cleaned_data)
            return HttpResponseRedirect(internal["return_url"])
    return render(
        request,
        "stripe_local/connect.html",
        {"account": account, "form": form},
        status=400 if form.errors else 200,
    )


# Billing portal -------------------------------------------------------------------------


class CardForm(forms.Form):
    card_number = forms.CharField(
        label="Card number",
        max_length=23,
        help_text="Any test number, for example 4242 4242 4242 4242.",
    )

    def clean_card_number(self) -> str:
        digits = re.sub(r"[\s-]", "", self.cleaned_data["card_number"])
        if not digits.isdigit() or not 12 <= len(digits) <= 19:
            raise forms.ValidationError("Enter a card number of 12 to 19 digits.")
        return digits


@_offline_stripe_only
@require_http_methods(["GET", "POST"])
def billing_portal(request: HttpRequest, portal_session_id: str) -> HttpResponse:
    """Stripe's customer portal, offline: the member's subscriptions (cancel at period
    end, or resume), their card (replace it), and an outstanding invoice to pay."""
    portal = _load(portal_session_id, "billing_portal.session", request.GET.get("k"))
    customer_id = portal["customer"]
    card_form = CardForm(request.POST if request.POST.get("action") == "update_card" else None)

    if request.method == "POST":
        action = request.POST.get("action")
        subscription_id = request.POST.get("subscription", "")
        owned = {s["id"] for s in simulator.subscriptions_of(customer_id)}
        try:
            with transaction.atomic():
                if action == "update_card" and card_form.is_valid():
                    simulator.update_default_card(
                        customer_id, last4=card_form.cleaned_data["card_number"][-4:]
                    )
                    messages.success(request, "Your card was updated.")
                elif action in ("cancel", "resume", "pay") and subscription_id in owned:
                    if action == "pay":
                        simulator.retry_invoice(subscription_id)
                        messages.success(request, "Thank you: your invoice is paid.")
                    else:
                        simulator.set_cancel_at_period_end(subscription_id, action == "cancel")
                        messages.success(
                            request,
                            "Your plan will end at the close of the current period."
                            if action == "cancel"
                            else "Your plan will continue.",
                        )
                elif action != "update_card":
                    raise Http404
        except StripeError as refused:
            messages.error(request, str(refused))
        if not card_form.errors:
            return HttpResponseRedirect(request.get_full_path())

    customer = store.get(customer_id, "customer")
    method_id = (customer.get("invoice_settings") or {}).get("default_payment_method")
    open_invoice_ids = {i["id"] for i in simulator.open_invoices(customer_id)}
    subscriptions = []
    for subscription in simulator.subscriptions_of(customer_id):
        item = subscription["items"]["data"][0]
        price = item["price"]
        subscriptions.append(
            {
                "id": subscription["id"],
                "status": subscription["status"],
                "price": format_amount(price["unit_amount"] * item["quantity"], price["currency"]),
                "interval": price["recurring"]["interval"],
                "period_end": datetime.fromtimestamp(item["current_period_end"], tz=UTC),
                "cancel_at_period_end": subscription["cancel_at_period_end"],
                "has_open_invoice": subscription.get("latest_invoice") in open_invoice_ids,
            }
        )
        if not method_id:
            method_id = subscription.get("default_payment_method")
    card = store.get(method_id, "payment_method")["card"] if method_id else None
    return render(
        request,
        "stripe_local/billing.html",
        {
            "portal": portal,
            "customer": customer,
            "card": card,
            "subscriptions": subscriptions,
            "card_form": card_form,
        },
        status=400 if card_form.errors else 200,
    )
