"""Who an announcement goes to. Apps register the groups of people they know about
("members of a plan", "clients of a partner") from AppConfig.ready(); the announcement
screens list them and the fan-out asks them for recipients. This module knows no app:
the layers above register into it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from accounts.models import User

RecipientsFn = Callable[[dict[str, Any]], "QuerySet[User]"]


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    recipients: RecipientsFn
    # Extra choices the segment needs ("which plan"), as a Django form. Its cleaned values
    # must be model instances or JSON values; stored params are their ids/values.
    params_form: type[forms.Form] | None = None


_registry: dict[str, Segment] = {}


def segment_register(
    key: str,
    label: str,
    recipients: RecipientsFn,
    params_form: type[forms.Form] | None = None,
) -> None:
    """Adds a segment (from AppConfig.ready(); registering a key again replaces it)."""
    if not key or key != key.strip():
        raise ValueError("A segment needs a key without surrounding spaces.")
    _registry[key] = Segment(key=key, label=label, recipients=recipients, params_form=params_form)


def segment_get(key: str) -> Segment:
    """The registered segment; KeyError for an unknown key."""
    return _registry[key]


def segments_registered() -> list[Segment]:
    return sorted(_registry.values(), key=lambda segment: segment.label)


def segment_params_clean(*, key: str, params: dict[str, Any]) -> dict[str, Any]:
    """The params as they are stored: checked by the segment's form, model instances
    replaced by their primary keys. ValidationError for an unknown segment or bad params."""
    try:
        segment = segment_get(key)
    except KeyError:
        raise ValidationError("Choose who the announcement goes to.", code="segment") from None
    if segment.params_form is None:
        return {}
    form = segment.params_form(data=params)
    if not form.is_valid():
        raise ValidationError(
            [
                f"{name}: {'; '.join(str(e) for e in errors)}"
                for name, errors in form.errors.items()
            ],
            code="segment_params",
        )
    return {
        name: getattr(value, "pk", value)
        for name, value in form.cleaned_data.items()
        if value not in (None, "")
    }


def segment_recipients(*, key: str, params: dict[str, Any]) -> QuerySet[User]:
    """The active accounts in the segment, each once, in primary-key order (the fan-out
    walks them in batches by key). ValidationError for an unknown segment or bad params."""
    cleaned = segment_params_clean(key=key, params=params)
    chosen = segment_get(key).recipients(cleaned)
    # Distinct by construction: filter the user table by the segment's ids, rather than
    # trusting each segment's joins not to repeat a person.
    return User.objects.filter(is_active=True, pk__in=chosen.values("pk")).order_by("pk")
