"""The record pages: the client's "my care" list and record, their access history, and
the practitioner's record page (their client list is the practice's clients page,
commerce.bookings, which links here). Every read is audited."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from marketplace.clients.records import pages
from marketplace.clients.records.selectors import (
    access_events,
    access_history,
    records_as_client,
)
from privacy.audit import audit

ACCESS_LOG_PER_PAGE = 25
RECORDS_PER_PAGE = 25


@require_GET
@login_required
def client_record_list(request):
    records = records_as_client(request.user)
    page = Paginator(records, RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    audit(
        actor=request.user,
        action="read",
        subject_user_id=request.user.pk,
        object_type="care_record_list",
        object_id=request.user.pk,
        request=request,
        details={"role": "client", "count": len(page.object_list)},
    )
    return render(request, "care_records/client_list.html", {"page": page})


@require_GET
@login_required
def client_record(request, record_id: int):
    access = pages.client_side(request, record_id)
    pages.audit_read(request, access)
    context = pages.record_frame(request, access)
    context["panels"] = pages.panels(request, access, side="client")
    return render(request, "care_records/record.html", context)


@require_GET
@login_required
def practitioner_record(request, record_id: int):
    access = pages.practitioner_side(request, record_id)
    pages.audit_read(request, access)
    context = pages.record_frame(request, access)
    context["panels"] = pages.panels(request, access, side="practitioner")
    return render(request, "care_records/record.html", context)


@require_GET
@login_required
def access_log(request):
    """Who read or changed the signed-in person's records, newest first."""
    page = Paginator(access_history(user=request.user), ACCESS_LOG_PER_PAGE).get_page(
        request.GET.get("page")
    )
    audit(
        actor=request.user,
        action="read",
        subject_user_id=request.user.pk,
        object_type="access_log",
        object_id=request.user.pk,
        request=request,
        details={"role": "client"},
    )
    return render(
        request,
        "care_records/access_log.html",
        {"page": page, "events": access_events(page.object_list)},
    )
