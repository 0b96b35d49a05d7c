"""A practitioner's payout account (Stripe Connect Express) and earnings statement. Under
/dashboard/, so MFA is required (accounts.middleware.RequireMfaMiddleware)."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.roles import Role
from accounts.selectors import user_roles
from commerce.payments import services
from commerce.payments.models import ConnectedAccount
from commerce.payments.selectors import earnings_statement
from integrations.stripe.types import StripeError
from money import Money


def _practitioner_only(request) -> None:
    if Role.PRACTITIONER not in user_roles(user=request.user):
        raise PermissionDenied


@login_required
def payouts(request):
    _practitioner_only(request)
    account = ConnectedAccount.objects.filter(owner=request.user).first()
    rows = earnings_statement(account=account) if account else []
    return render(request, "payments/payouts.html", {"account": account, "rows": rows})


@login_required
@require_POST
def connect(request):
    _practitioner_only(request)
    try:
        url = services.connected_account_start_onboarding(
            user=request.user,
            refresh_url=request.build_absolute_uri(reverse("payouts")),
            return_url=request.build_absolute_uri(reverse("payouts-return")),
        )
    except StripeError:
        messages.error(request, "Stripe is unavailable right now. Please try again shortly.")
        return redirect("payouts")
    return HttpResponseRedirect(url, status=303)


@login_required
def connect_return(request):
    """Back from onboarding: read the account's state now rather than wait for Stripe's
    account.updated event."""
    _practitioner_only(request)
    account = ConnectedAccount.objects.filter(owner=request.user).first()
    if account is not None:
        try:
            account = services.connected_account_refresh(account=account)
        except StripeError:
            messages.warning(request, "We could not reach Stripe; the status may lag behind.")
        else:
            if account.charges_enabled and account.payouts_enabled:
                messages.success(request, "Your payout account is ready.")
            else:
                messages.info(request, "Stripe needs a few more details before payouts start.")
    return redirect("payouts")


@login_required
def earnings_csv(request):
    _practitioner_only(request)
    account = ConnectedAccount.objects.filter(owner=request.user).first()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="aeyia-earnings.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["date", "description", "paid with", "gross", "platform fee", "net", "currency", "payout"]
    )
    for row in earnings_statement(account=account) if account else []:
        writer.writerow(
            [
                row.date.date().isoformat(),
                _safe_cell(row.description),
                row.method,
                # Major units in the row's currency (the next column), e.g. 60.00 GBP
                # or 6000 JPY.
                Money(row.gross, row.currency).decimal_string(),
                Money(row.platform_fee, row.currency).decimal_string(),
                Money(row.net, row.currency).decimal_string(),
                row.currency.upper(),
                row.payout_state,
            ]
        )
    return response


def _safe_cell(value: str) -> str:
    # Spreadsheets run cells that start with these as formulas (CSV injection).
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
