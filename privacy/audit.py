"""Appending to the one audit log, and proving its chain.

    audit(actor=request.user, action="read", subject_user_id=record.client_id,
          object_type="care_record", object_id=record.pk, request=request)

Appends are serialised so concurrent ones still form one chain: on PostgreSQL a
transaction-scoped advisory lock, taken before the chain's head is read and held until
the appending transaction ends; on SQLite every transaction begins IMMEDIATE
(config/settings/components/database.py), which already takes the one write lock. Call
audit() last in a transaction that also does other work, so the lock is held briefly.

The hash is SHA-256 over a canonical JSON serialisation (sorted keys, no spaces, UTC
ISO timestamps) of the row's fields and the previous row's hash; the first row's
prev_hash is GENESIS."""

import hashlib
import ipaddress
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from privacy.models import AuditEntry

GENESIS = "0" * 64
# pg_advisory_xact_lock key: "AUDIT" in ASCII, any constant no other code uses.
_PG_LOCK_KEY = 0x4155444954
ACTIONS = frozenset(AuditEntry.Action.values)
HASHED_FIELDS = (
    "action",
    "actor_id",
    "subject_user_id",
    "object_type",
    "object_id",
    "request_id",
    "ip",
    "created_at",
    "details",
)


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(fields: Mapping[str, Any], prev_hash: str) -> bytes:
    """The bytes an entry's hash covers."""
    payload = {name: fields[name] for name in HASHED_FIELDS}
    payload["created_at"] = _timestamp(payload["created_at"])
    payload["prev_hash"] = prev_hash
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def entry_hash(fields: Mapping[str, Any], prev_hash: str) -> str:
    return hashlib.sha256(canonical(fields, prev_hash)).hexdigest()


def _client_ip(request) -> str | None:
    """The client address by the sign-in rate limits' own rule (trusted proxy hops),
    or None when it is not an address."""
    try:
        from allauth.account.adapter import get_adapter

        candidate = get_adapter(request).get_client_ip(request)
    except Exception:  # noqa: BLE001 - a malformed X-Forwarded-For must not stop the audit
        candidate = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])


def audit(
    *,
    actor,
    action: str,
    subject_user_id: int | None,
    object_type: str,
    object_id: int | str | None,
    request=None,
    details: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Appends one entry. `actor` is a user (None or anonymous for the system);
    `details` must be JSON-serialisable and hold no clinical content."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown audit action {action!r}.")
    actor_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    fields: dict[str, Any] = {
        "action": action,
        "actor_id": actor_id,
        "subject_user_id": int(subject_user_id) if subject_user_id is not None else None,
        "object_type": object_type,
        "object_id": "" if object_id is None else str(object_id),
        "request_id": str(getattr(request, "request_id", "") or "")[:64] if request else "",
        "ip": _client_ip(request) if request is not None else None,
        "created_at": timezone.now(),
        # Through JSON and back so what is hashed is what the database returns.
        "details": json.loads(json.dumps(dict(details or {}), sort_keys=True)),
    }
    with transaction.atomic():
        _lock_chain()
        prev_hash = (
            AuditEntry.objects.order_by("-pk").values_list("hash", flat=True).first() or GENESIS
        )
        return AuditEntry.objects.create(
            **fields, prev_hash=prev_hash, hash=entry_hash(fields, prev_hash)
        )


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    reason: str


def _fields_of(entry: AuditEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in HASHED_FIELDS}


def chain_breaks(*, batch_size: int = 2000) -> Iterator[ChainBreak]:
    """Walks the log in append order and yields each broken link: an entry whose hash
    does not cover its own fields (changed), or whose prev_hash is not the previous
    entry's hash (removed, inserted or reordered)."""
    previous = GENESIS
    last_pk = 0
    while True:
        batch = list(AuditEntry.objects.filter(pk__gt=last_pk).order_by("pk")[:batch_size])
        if not batch:
            return
        for entry in batch:
            if entry.prev_hash != previous:
                yield ChainBreak(entry.pk, "its prev_hash is not the previous entry's hash")
            if entry_hash(_fields_of(entry), entry.prev_hash) != entry.hash:
                yield ChainBreak(entry.pk, "its hash does not match its contents")
            previous = entry.hash
            last_pk = entry.pk
