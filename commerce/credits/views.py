"""The signed-in client's credits page."""

import zoneinfo
from datetime import UTC, tzinfo

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from commerce.credits.selectors import (
    credits_available,
    credits_balance,
    credits_next_expiry,
    credits_statement,
)

ENTRIES_PER_PAGE = 25


def viewer_time_zone(user) -> tzinfo:
    """The user's chosen time zone, or UTC when it is missing or unknown."""
    try:
        return zoneinfo.ZoneInfo(getattr(user, "time_zone", "") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


@login_required
def credits_statement_view(request):
    """Balance, available credits, the next expiry and every wallet entry, newest first."""
    user = request.user
    balance = credits_balance(user=user)
    available = credits_available(user=user)
    page = Paginator(credits_statement(user=user), ENTRIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "credits/statement.html",
        {
            "balance": balance,
            "available": available,
            # Lots past their date that the expiry task has not reached yet.
            "past_expiry": max(balance - available, 0),
            "next_expiry": credits_next_expiry(user=user),
            "page": page,
            "viewer_time_zone": viewer_time_zone(user),
        },
    )
