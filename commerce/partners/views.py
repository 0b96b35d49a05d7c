"""Partner pages: joining a pool (clients) and usage reports (partner administrators and
staff). A report someone may not see answers 404, like one that does not exist."""

import csv
from collections.abc import Iterable
from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from commerce.errors import CommerceError
from commerce.partners.charts import monthly_bar_chart, report_months
from commerce.partners.forms import ReportPeriodForm, VoucherRedeemForm
from commerce.partners.selectors import (
    MonthUsage,
    partner_for_report,
    partner_usage_report,
    partners_visible_to,
    pool_invites_pending_for,
    pools_for_client,
)
from commerce.partners.services import pool_enroll_by_invite, pool_enroll_with_voucher
from commerce.partners.throttles import VoucherRedeemThrottle, VoucherRedeemUnavailable

MAX_TABLE_MONTHS = 120


def viewer_time_zone(user) -> tzinfo:
    """The person's own time zone, or UTC when theirs is not a known IANA name."""
    try:
        return ZoneInfo(user.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


@login_required
def partner_index(request):
    """The partners whose reports the person may open; clients go to the join page."""
    partners = list(partners_visible_to(user=request.user).order_by("name"))
    if not partners:
        return redirect("partners:join")
    return render(request, "partners/index.html", {"partners": partners})


@login_required
@require_http_methods(["GET", "POST"])
def join(request):
    """Redeem a voucher code or accept invitations; lists the sponsorships the person
    has joined and what is left for them in each."""
    form = VoucherRedeemForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "redeem")
        if action == "accept-invites":
            enrollments = pool_enroll_by_invite(user=request.user)
            if enrollments:
                messages.success(request, _joined_message(e.pool for e in enrollments))
            else:
                messages.info(request, "There are no invitations to accept.")
            return redirect("partners:join")
        form = VoucherRedeemForm(request.POST)
        refusal = _throttle_refusal(request)
        if refusal:
            form.is_valid()
            form.add_error(None, refusal)
            status = 429
        elif form.is_valid():
            try:
                enrollment = pool_enroll_with_voucher(
                    user=request.user, code=form.cleaned_data["code"]
                )
            except CommerceError as error:
                form.add_error("code", error.detail)
                status = error.api_status
            else:
                if enrollment.is_new:
                    messages.success(request, _joined_message([enrollment.pool]))
                else:
                    messages.info(request, _already_joined_message(enrollment.pool))
                return redirect("partners:join")
        else:
            status = 400
    context = {
        "form": form,
        "pools": pools_for_client(user=request.user),
        "invites": pool_invites_pending_for(user=request.user),
        "viewer_time_zone": viewer_time_zone(request.user),
    }
    return render(request, "partners/join.html", context, status=status)


def _throttle_refusal(request) -> str:
    """Why this attempt is refused by the voucher limit, or "" when it may go ahead."""
    try:
        if VoucherRedeemThrottle().allow(request):
            return ""
    except VoucherRedeemUnavailable:
        return VoucherRedeemUnavailable.default_detail
    return "Too many attempts. Wait a while and try again."


def _joined_message(pools: Iterable) -> str:
    names = ", ".join(f"{pool.name} ({pool.partner.name})" for pool in pools)
    return f"You've joined {names}."


def _already_joined_message(pool) -> str:
    return f"You already joined {pool.name} ({pool.partner.name}); nothing has changed."


def _report_or_404(request, slug: str):
    partner = partner_for_report(user=request.user, slug=slug)
    if partner is None:
        raise Http404("No such partner.")
    return partner


@login_required
def report(request, slug: str):
    """Usage of each of the partner's pools, optionally within a period."""
    partner = _report_or_404(request, slug)
    form = ReportPeriodForm(request.GET or None)
    start = end = None
    status = 200
    if form.is_bound:
        if form.is_valid():
            start, end = form.period()
        else:
            status = 400
    usage = partner_usage_report(partner=partner, start=start, end=end)
    pools = [
        {
            "usage": pool_usage,
            "chart": monthly_bar_chart(
                {month.month: month.units for month in pool_usage.months}, start=start, end=end
            ),
            "months": _month_rows(pool_usage.months, start=start, end=end),
        }
        for pool_usage in usage.pools
    ]
    context = {
        "partner": partner,
        "report": usage,
        "pools": pools,
        "form": form,
        "csv_query": request.GET.urlencode() if status == 200 else "",
        "viewer_time_zone": viewer_time_zone(request.user),
    }
    return render(request, "partners/report.html", context, status=status)


def _month_rows(months: list[MonthUsage], *, start, end) -> dict:
    """The text equivalent of the chart: every month, empty ones included."""
    by_month = {month.month: month for month in months}
    covered, is_truncated = report_months(by_month, start=start, end=end, limit=MAX_TABLE_MONTHS)
    return {
        "rows": [
            by_month.get(month, MonthUsage(month=month, units=0, draws=0)) for month in covered
        ],
        "is_truncated": is_truncated,
    }


# Spreadsheet programs run cells starting with these as formulas (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_PREFIXES) else text


@login_required
def report_csv(request, slug: str):
    """The report as CSV: one row per pool and client (`?table=months` for one row per
    pool and month)."""
    partner = _report_or_404(request, slug)
    form = ReportPeriodForm(request.GET)
    if not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        return HttpResponse(f"Invalid period: {errors}", status=400, content_type="text/plain")
    start, end = form.period()
    usage = partner_usage_report(partner=partner, start=start, end=end)
    table = request.GET.get("table", "clients")
    if table not in ("clients", "months"):
        return HttpResponse(
            "table must be clients or months.", status=400, content_type="text/plain"
        )
    stamp = timezone.now().strftime("%Y%m%d")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{partner.slug}-{table}-{stamp}.csv"'
    writer = csv.writer(response)
    if table == "months":
        writer.writerow(["pool", "unit", "month", "units", "draws"])
        for pool_usage in usage.pools:
            for month in pool_usage.months:
                writer.writerow(
                    [
                        _cell(pool_usage.pool.name),
                        pool_usage.pool.unit,
                        month.month.strftime("%Y-%m"),
                        month.units,
                        month.draws,
                    ]
                )
        return response
    writer.writerow(
        [
            "pool",
            "unit",
            "pool_funded",
            "pool_used",
            "pool_remaining",
            "client_email",
            "joined_via",
            "joined_at",
            "units_in_period",
            "draws_in_period",
        ]
    )
    for pool_usage in usage.pools:
        for client in pool_usage.clients:
            writer.writerow(
                [
                    _cell(pool_usage.pool.name),
                    pool_usage.pool.unit,
                    pool_usage.funded,
                    pool_usage.used,
                    pool_usage.remaining,
                    _cell(client.email),
                    client.via,
                    client.enrolled_at.isoformat() if client.enrolled_at else "",
                    client.units,
                    client.draws,
                ]
            )
    return response
