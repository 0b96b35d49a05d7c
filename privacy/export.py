"""What each app gives a person who asks for a copy of their data (GDPR art. 15 and 20,
APP 12), and how the zip is built.

Domain apps register an exporter from their AppConfig.ready(), so privacy imports none of
them (DESIGN.md §1):

    from privacy.export import register
    register("bookings", bookings_export, models=("bookings.Booking",))

An exporter is `fn(user)` yielding `(path_in_zip, content)` pairs, `content` being bytes
or an iterator of bytes chunks (a decrypted file streamed in pieces). The convention is
one JSON file per domain, `<label>/<name>.json` (use `json_file`), plus the person's files
under `<label>/files/`. An exporter returns what the person may see about themselves:
their own rows, never another person's private notes or staff-only fields.

Every model with personal data (a key path to the user, see
tests/privacy/test_export_registry.py) must be named by an exporter's `models` or declared
with `exclude(models=..., reason=...)`; the test fails for a model that is neither."""

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from accounts.models import User

ExportContent = bytes | Iterable[bytes]
ExportItem = tuple[str, ExportContent]
Exporter = Callable[[User], Iterable[ExportItem]]


@dataclass(frozen=True)
class ExportRegistration:
    label: str
    exporter: Exporter
    models: tuple[str, ...]
    order: int


@dataclass(frozen=True)
class ExportExclusion:
    models: tuple[str, ...]
    reason: str


_exporters: dict[str, ExportRegistration] = {}
_excluded: dict[str, ExportExclusion] = {}


def register(label: str, fn: Exporter, *, models: tuple[str, ...] = (), order: int = 100) -> None:
    """Registers `fn` under `label` (the folder in the zip, and the step shown while the
    export runs) as the exporter of `models` ("app_label.ModelName"). Registering the same
    label again replaces it (ready() may run twice)."""
    _exporters[label] = ExportRegistration(label=label, exporter=fn, models=models, order=order)


def exclude(*, models: tuple[str, ...], reason: str) -> None:
    """Declares that these models are not part of a person's export; `reason` says why
    (a join table whose rows another exporter already writes out, a staff-only record, a
    row with nothing about the person but a key)."""
    for label in models:
        _excluded[label] = ExportExclusion(models=models, reason=reason)


def registered_exporters() -> list[ExportRegistration]:
    return sorted(_exporters.values(), key=lambda entry: (entry.order, entry.label))


def covered_models() -> dict[str, str]:
    """Model label → the exporter that covers it, or "excluded: <reason>"."""
    covered = {label: f"excluded: {entry.reason}" for label, entry in _excluded.items()}
    for registration in _exporters.values():
        for label in registration.models:
            covered[label] = registration.label
    return covered


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if hasattr(value, "amount_minor") and hasattr(value, "currency"):
        return {"amount_minor": value.amount_minor, "currency": value.currency}
    return str(value)


def json_bytes(data: Any) -> bytes:
    """`data` as pretty UTF-8 JSON; dates, decimals, UUIDs and Money become strings."""
    return json.dumps(data, default=_json_default, ensure_ascii=False, indent=2).encode()


def json_file(path: str, data: Any) -> ExportItem:
    return path, json_bytes(data)


def chunks(content: ExportContent) -> Iterator[bytes]:
    if isinstance(content, bytes | bytearray | memoryview):
        yield bytes(content)
        return
    for piece in content:
        yield bytes(piece)
