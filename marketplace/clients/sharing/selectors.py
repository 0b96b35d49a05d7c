"""Reads for sharing grants, and the grantee access rule records.access consults."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from marketplace.clients.sharing.models import SharedItem, SharingGrant
from marketplace.clients.sharing.shareables import GrantScope, registered_shareables, shareable_for


def _items_prefetch() -> Prefetch:
    return Prefetch("items", queryset=SharedItem.objects.select_related("content_type"))


def grants_of_client(*, client) -> QuerySet[SharingGrant]:
    return (
        SharingGrant.objects.filter(record__client=client)
        .select_related("grantee", "record__practitioner")
        .prefetch_related(_items_prefetch())
    )


def grants_received(*, user, now=None) -> QuerySet[SharingGrant]:
    """The active grants made to the practitioner `user`."""
    return (
        SharingGrant.objects.active(now=now)
        .filter(grantee__user=user)
        .select_related("record__client", "record__practitioner", "grantee")
        .prefetch_related(_items_prefetch())
        .order_by("expires_at", "pk")
    )


def client_visible_keys(record) -> set[tuple[str, int]]:
    """(model label, id) of every item of the record its client can see."""
    keys: set[tuple[str, int]] = set()
    for shareable in registered_shareables():
        for pk in shareable.visible_to_client(record).values_list("pk", flat=True):
            keys.add((shareable.key, pk))
    return keys


def grant_scope(*, grants: Iterable[SharingGrant], record) -> GrantScope:
    """The items of `grants` (active ones of one record) that the client still sees."""
    grants = list(grants)
    visible = client_visible_keys(record)
    items: set[tuple[str, int]] = set()
    grant_of: dict[tuple[str, int], int] = {}
    for grant in grants:
        for item in grant.items.all():
            key = (f"{item.content_type.app_label}.{item.content_type.model}", item.object_id)
            if key in visible:
                items.add(key)
                grant_of.setdefault(key, grant.pk)
    return GrantScope(
        grant_ids=tuple(grant.pk for grant in grants), items=frozenset(items), grant_of=grant_of
    )


def grantee_access_rule(*, user, record):
    """records.access rule: a practitioner with an active grant on this record reads it
    as "grantee", scoped to the granted items."""
    from marketplace.clients.records.access import GRANTEE, Access

    grants = list(
        SharingGrant.objects.active(now=timezone.now())
        .filter(record=record, grantee__user=user)
        .prefetch_related(_items_prefetch())
    )
    if not grants:
        return None
    return Access(record=record, role=GRANTEE, scope=grant_scope(grants=grants, record=record))


def resolve_items(grant: SharingGrant) -> list[dict]:
    """The grant's items as {label, kind, object, visible}: `visible` is False for an item
    the client no longer sees (so the grantee does not either)."""
    visible = client_visible_keys(grant.record)
    by_model: dict[str, list[int]] = {}
    for item in grant.items.all():
        label = f"{item.content_type.app_label}.{item.content_type.model}"
        by_model.setdefault(label, []).append(item.object_id)
    resolved = []
    for label, ids in by_model.items():
        shareable = shareable_for(label)
        if shareable is None:
            continue
        model = ContentType.objects.get_by_natural_key(*label.split(".")).model_class()
        if model is None:
            continue
        for obj in model._default_manager.filter(pk__in=ids):
            resolved.append(
                {
                    "kind": shareable.label,
                    "description": shareable.describe(obj),
                    "object": obj,
                    "model_label": label,
                    "visible": (label, obj.pk) in visible,
                    "url": shareable.url_for_grantee(grant.record_id, obj)
                    if shareable.url_for_grantee
                    else None,
                }
            )
    return resolved
