"""What every record page (this app's and the section apps') shares: who may open which
side, the audit row for a read, and the frame (header, tabs) the templates extend.

A section app's practitioner-side view:

    @login_required
    def notes(request, record_id):
        access = practitioner_side(request, record_id)   # 404 for anyone else
        ...
        audit_read(request, access, object_type="session_note_list")
        return render(request, "clinical_notes/list.html",
                      {**record_frame(request, access, active="notes"), ...})

and its template `{% extends record_base %}` filling `{% block record %}`."""

from typing import Any

from django.http import Http404

from marketplace.clients.records import sections
from marketplace.clients.records.access import (
    BREAK_GLASS,
    CLIENT,
    GRANTEE,
    PRACTITIONER,
    Access,
    record_access,
)
from privacy.audit import audit

PRACTITIONER_SIDE_ROLES = frozenset({PRACTITIONER, GRANTEE, BREAK_GLASS})

_panels: dict[str, tuple[int, Any]] = {}


def practitioner_side(request, record_id) -> Access:
    """Access to the practitioner's pages of a record (/dashboard/practice/clients/<id>/):
    its practitioner, a grantee practitioner, or staff during break-glass; 404 for
    everyone else, the record's client too (they have /account/care/<id>/)."""
    access = record_access(user=request.user, record_id=record_id)
    if access.role not in PRACTITIONER_SIDE_ROLES:
        raise Http404("No such record.")
    return access


def client_side(request, record_id) -> Access:
    """Access to the client's pages of a record (/account/care/<id>/): its client only."""
    access = record_access(user=request.user, record_id=record_id)
    if access.role != CLIENT:
        raise Http404("No such record.")
    return access


def audit_read(
    request,
    access: Access,
    *,
    object_type: str = "care_record",
    object_id: int | str | None = None,
    action: str = "read",
    details: dict | None = None,
):
    """One audit row for what the page or endpoint showed of the record: the viewer, the
    record's client as subject, and the viewer's role (so "who accessed my record" can
    say who they were). `object_id` defaults to the record's id."""
    return audit(
        actor=request.user,
        action=action,
        subject_user_id=access.record.client_id,
        object_type=object_type,
        object_id=access.record.pk if object_id is None else object_id,
        request=request,
        details={"record_id": access.record.pk, "role": access.role, **(details or {})},
    )


def register_panel(key: str, render, *, order: int = 100) -> None:
    """Adds a panel to the record's overview page, from a higher layer's
    AppConfig.ready() (commerce/bookings shows the pair's sessions):
    `render(*, request, record, side, role) -> str` (safe HTML, or "" for nothing)."""
    _panels[key] = (order, render)


def panels(request, access: Access, *, side: str) -> list[str]:
    rendered = []
    for _, render in sorted(_panels.values(), key=lambda entry: entry[0]):
        html = render(request=request, record=access.record, side=side, role=access.role)
        if html:
            rendered.append(html)
    return rendered


def record_frame(request, access: Access, *, active: str = "overview") -> dict[str, Any]:
    """The context record templates need: the record, the viewer's side and role, the
    tabs (overview first, then each registered section this side has a page for), which
    tab is current and the base template to extend (`record_base`)."""
    side = "client" if access.role == CLIENT else "practitioner"
    record = access.record
    from django.urls import reverse

    overview_url = reverse(
        "care-client-record" if side == "client" else "care-practitioner-record",
        kwargs={"record_id": record.pk},
    )
    tabs = [{"key": "overview", "label": "Overview", "url": overview_url}]
    tabs += [
        {"key": section.key, "label": section.label, "url": url}
        for section, url in sections.tabs(side=side, record_id=record.pk)
    ]
    if side == "client":
        base = "care_records/client_record_base.html"
    elif access.role == PRACTITIONER:
        base = "care_records/practice_record_base.html"
    else:
        base = "care_records/visitor_record_base.html"
    return {
        "record": record,
        "access": access,
        "side": side,
        "role": access.role,
        "tabs": tabs,
        "active_tab": active,
        "record_base": base,
        "client_name": client_name(record.client),
        "section": "clients",
    }


def client_name(user) -> str:
    """The client as their practitioner sees them: full name, else their email."""
    name = f"{user.first_name} {user.last_name}".strip()
    return name or user.email
