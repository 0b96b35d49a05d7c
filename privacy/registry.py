"""What each app holds about a person, and how it is erased.

Domain apps register here from their AppConfig.ready(), so privacy imports none of them
(DESIGN.md §1). Every model with a foreign key to the user must be named either by an
eraser (`eraser_register`) or as holding nothing personal (`holds_nothing_personal`);
tests/privacy/test_registry.py fails for a model that is neither, so a new model cannot
escape erasure unnoticed."""

from collections.abc import Callable
from dataclasses import dataclass

from accounts.models import User


@dataclass(frozen=True)
class ErasureSubject:
    """Who is being erased: the email they gave (normalised), and their account if they
    have one. Erasers match on either; the email stays the one asked for even after the
    account's own email is replaced."""

    email: str
    user: User | None


Eraser = Callable[[ErasureSubject], int]


@dataclass(frozen=True)
class Registration:
    name: str
    eraser: Eraser
    models: tuple[str, ...]
    order: int


@dataclass(frozen=True)
class NothingPersonal:
    models: tuple[str, ...]
    reason: str


_erasers: dict[str, Registration] = {}
_nothing_personal: dict[str, NothingPersonal] = {}


def eraser_register(
    *, name: str, eraser: Eraser, models: tuple[str, ...], order: int = 100
) -> None:
    """Registers `eraser` under `name` (an app label, recorded in the audit entry) as the
    one that erases what `models` ("app_label.ModelName") hold about a person. It returns
    how many rows it changed or deleted. Lower `order` runs first; the account itself is
    anonymised last. Registering the same name again replaces it (ready() may run twice)."""
    _erasers[name] = Registration(name=name, eraser=eraser, models=models, order=order)


def holds_nothing_personal(*, models: tuple[str, ...], reason: str) -> None:
    """Declares that these models point at a user but hold nothing to erase (a ledger row
    kept for the books, an audit reference to the staff member who acted); `reason` says
    why, for the reviewer."""
    for label in models:
        _nothing_personal[label] = NothingPersonal(models=models, reason=reason)


def registered_erasers() -> list[Registration]:
    return sorted(
        _erasers.values(), key=lambda registration: (registration.order, registration.name)
    )


def covered_models() -> dict[str, str]:
    """Model label → the eraser that covers it, or "nothing personal: <reason>"."""
    covered = {
        label: f"nothing personal: {entry.reason}" for label, entry in _nothing_personal.items()
    }
    for registration in _erasers.values():
        for label in registration.models:
            covered[label] = registration.name
    return covered
