"""What a client can share, section by section. Each section app with shareable rows
registers them from its AppConfig.ready():

    register_shareable(
        model_label="clinical_notes.SessionNote",
        label="Session notes",
        visible_to_client=shared_notes_of_record,
        describe=lambda note: f"Session note, {note.session_starts_at:%d %b %Y}",
        url_for_grantee=lambda record_id, note: reverse(...),
    )

`visible_to_client(record)` is the queryset of the record's items its client can see
(shared with them, or their own uploads): only those can be granted, and a grantee sees
an item only while it stays visible to the client."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models


@dataclass(frozen=True)
class Shareable:
    model_label: str
    label: str
    visible_to_client: Callable[..., models.QuerySet]
    describe: Callable[[models.Model], str]
    url_for_grantee: Callable[[int, models.Model], str] | None = None

    @property
    def key(self) -> str:
        return self.model_label.lower()


_shareables: dict[str, Shareable] = {}


def register_shareable(
    *,
    model_label: str,
    label: str,
    visible_to_client: Callable[..., models.QuerySet],
    describe: Callable[[models.Model], str],
    url_for_grantee: Callable[[int, models.Model], str] | None = None,
) -> Shareable:
    shareable = Shareable(
        model_label=model_label,
        label=label,
        visible_to_client=visible_to_client,
        describe=describe,
        url_for_grantee=url_for_grantee,
    )
    _shareables[shareable.key] = shareable
    return shareable


def registered_shareables() -> list[Shareable]:
    return sorted(_shareables.values(), key=lambda shareable: shareable.key)


def shareable_for(model_label: str) -> Shareable | None:
    return _shareables.get(model_label.lower())


@dataclass(frozen=True)
class GrantScope:
    """What a grantee may see in one record: the items of their active grants that the
    client can still see. `Access.scope` for role "grantee"; section apps ask
    `scope.allows(obj)` or filter with `scope.ids_for("app_label.Model")`."""

    grant_ids: tuple[int, ...]
    items: frozenset[tuple[str, int]] = field(default_factory=frozenset)
    grant_of: dict = field(default_factory=dict, compare=False, hash=False)

    def ids_for(self, model_label: str) -> frozenset[int]:
        key = model_label.lower()
        return frozenset(object_id for label, object_id in self.items if label == key)

    def allows(self, obj: models.Model) -> bool:
        return (obj._meta.label_lower, obj.pk) in self.items

    def grant_id_for(self, obj: models.Model) -> int | None:
        return self.grant_of.get((obj._meta.label_lower, obj.pk))
