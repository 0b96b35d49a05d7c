"""Sharing pages. The client's: /account/care/sharing/ (grants made, active and ended,
with revoke), /account/care/sharing/new/<record_id>/ (choose items of one record, the
practitioner and the end date). The grantee's: /dashboard/practice/shared-with-me/ (the
active grants made to them, each item linking to its page). Reads and writes audited."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from marketplace.clients.consent.errors import ConsentRequired
from marketplace.clients.records.access import record_access
from marketplace.clients.records.selectors import records_as_client
from marketplace.clients.sharing.errors import SharingError
from marketplace.clients.sharing.forms import GrantForm
from marketplace.clients.sharing.models import SharingGrant
from marketplace.clients.sharing.selectors import grants_of_client, grants_received, resolve_items
from marketplace.clients.sharing.services import sharing_grant_create, sharing_grant_revoke
from marketplace.clients.sharing.shareables import registered_shareables
from marketplace.practitioners.access import practitioner_view
from marketplace.practitioners.models import PractitionerProfile
from privacy.audit import audit


def _item_choices(record) -> list[tuple[str, str]]:
    choices = []
    for shareable in registered_shareables():
        for obj in shareable.visible_to_client(record):
            choices.append((f"{shareable.key}:{obj.pk}", shareable.describe(obj)))
    return choices


@login_required
def sharing_page(request: HttpRequest) -> HttpResponse:
    grants = list(grants_of_client(client=request.user))
    for grant in grants:
        grant.resolved = resolve_items(grant)
    audit(
        actor=request.user,
        action="read",
        subject_user_id=request.user.pk,
        object_type="sharing_grants",
        object_id=request.user.pk,
        request=request,
    )
    return render(
        request,
        "record_sharing/client_grants.html",
        {
            "active": [grant for grant in grants if grant.state == "active"],
            "ended": [grant for grant in grants if grant.state != "active"],
            "records": list(records_as_client(request.user)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def sharing_new(request: HttpRequest, record_id: int) -> HttpResponse:
    access = record_access(user=request.user, record_id=record_id)
    if access.role != "client":
        raise Http404("No such record.")
    record = access.record
    choices = _item_choices(record)
    form = GrantForm(request.POST or None, item_choices=choices)
    status = 200
    consent_needed = None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            grantee = (
                PractitionerProfile.objects.filter(
                    slug=form.cleaned_data["grantee"],
                    status__in=PractitionerProfile.BOOKABLE_STATUSES,
                )
                .select_related("user")
                .first()
            )
            if grantee is None:
                form.add_error("grantee", "No practitioner has that profile address.")
            else:
                items = []
                for value in form.cleaned_data["items"]:
                    label, _, pk = value.rpartition(":")
                    items.append((label, int(pk)))
                try:
                    sharing_grant_create(
                        record=record,
                        client=request.user,
                        grantee=grantee,
                        items=items,
                        expires_at=form.expires_at(),
                        purpose=form.cleaned_data["purpose"],
                        request=request,
                    )
                except ConsentRequired as error:
                    consent_needed = error.documents
                    form.add_error(None, error.detail)
                    status = 409
                except SharingError as error:
                    form.add_error(None, error.detail)
                else:
                    messages.success(
                        request, f"Shared with {grantee.display_name} until the date you chose."
                    )
                    return redirect("care-sharing")
    audit(
        actor=request.user,
        action="read",
        subject_user_id=record.client_id,
        object_type="shareable_items",
        object_id=record.pk,
        request=request,
    )
    return render(
        request,
        "record_sharing/client_new.html",
        {
            "record": record,
            "form": form,
            "has_items": bool(choices),
            "consent_needed": consent_needed,
            "consents_url": f"{reverse('care-consents')}?next={request.path}",
        },
        status=status,
    )


@login_required
@require_POST
def sharing_revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = SharingGrant.objects.filter(pk=grant_id, record__client=request.user).first()
    if grant is None:
        raise Http404("No such grant.")
    try:
        sharing_grant_revoke(grant=grant, client=request.user, request=request)
    except SharingError as error:
        messages.error(request, error.detail)
    else:
        messages.success(
            request, "Sharing stopped. The practitioner can no longer see these items."
        )
    return redirect("care-sharing")


@practitioner_view
def shared_with_me(request: HttpRequest, practitioner: PractitionerProfile) -> HttpResponse:
    grants = list(grants_received(user=request.user))
    for grant in grants:
        grant.resolved = [item for item in resolve_items(grant) if item["visible"]]
        audit(
            actor=request.user,
            action="read",
            subject_user_id=grant.record.client_id,
            object_type="sharing_grant",
            object_id=grant.pk,
            request=request,
            details={"record_id": grant.record_id, "role": "grantee", "via": "sharing_grant"},
        )
    return render(
        request,
        "record_sharing/shared_with_me.html",
        {"practitioner": practitioner, "grants": grants},
    )
