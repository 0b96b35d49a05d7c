"""Who may open a care record, and as what. Every page, API view and file download of
the record and its sections asks `record_access` first; anyone it does not name gets
404 (never 403: a stranger learns nothing, not even that the record exists).

Rules, in order: the record's client, its practitioner, then the registered rules
(record_sharing adds "grantee" with a scope; this module adds staff break-glass). Staff
are nobody here without an active break-glass grant."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from marketplace.clients.records.models import BreakGlassGrant, CareRecord

Role = Literal["client", "practitioner", "grantee", "break_glass"]
CLIENT: Role = "client"
PRACTITIONER: Role = "practitioner"
GRANTEE: Role = "grantee"
BREAK_GLASS: Role = "break_glass"


@dataclass(frozen=True)
class Access:
    """`record` as `role`. `scope` is for a rule's own use: a grantee's scope says which
    objects they may see (record_sharing defines it); None for the other roles, who see
    what their role sees."""

    record: CareRecord
    role: Role
    scope: Any = None

    @property
    def is_client(self) -> bool:
        return self.role == CLIENT

    @property
    def is_practitioner(self) -> bool:
        return self.role == PRACTITIONER


AccessRule = Callable[..., Access | None]
"""Called as rule(user=user, record=record); returns an Access or None."""

_rules: dict[str, AccessRule] = {}


def register_access_rule(rule: AccessRule, *, name: str | None = None) -> AccessRule:
    """Adds a rule consulted after client and practitioner (from an AppConfig.ready();
    registering the same name again replaces it, since ready() may run twice). Usable
    as a decorator."""
    _rules[name or f"{rule.__module__}.{rule.__qualname__}"] = rule
    return rule


def _break_glass_rule(*, user, record: CareRecord) -> Access | None:
    if not user.is_staff:
        return None
    active = BreakGlassGrant.objects.filter(
        staff=user, record=record, expires_at__gt=timezone.now()
    ).exists()
    return Access(record=record, role=BREAK_GLASS) if active else None


def record_access(*, user, record_id: int | str) -> Access:
    """The user's access to the record, or Http404 for anyone else (anonymous users,
    other clients and practitioners, staff without an active break-glass, a record that
    does not exist, an id that is not a number)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        raise Http404("No such record.")
    try:
        pk = int(record_id)
    except (TypeError, ValueError):
        raise Http404("No such record.") from None
    record = (
        CareRecord.objects.select_related("client", "practitioner", "practitioner__user")
        .filter(pk=pk)
        .first()
    )
    if record is None:
        raise Http404("No such record.")
    if record.client_id == user.pk:
        return Access(record=record, role=CLIENT)
    if record.practitioner.user_id == user.pk:
        return Access(record=record, role=PRACTITIONER)
    for rule in (*_rules.values(), _break_glass_rule):
        access = rule(user=user, record=record)
        if access is not None:
            return access
    raise Http404("No such record.")


def records_for(user) -> QuerySet[CareRecord]:
    """Records the user may open as their client or their practitioner (grantees and
    break-glass reach single records through record_access, never a list)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return CareRecord.objects.none()
    return CareRecord.objects.filter(Q(client=user) | Q(practitioner__user=user))
