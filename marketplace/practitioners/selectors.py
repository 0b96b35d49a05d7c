"""Reads about practitioners that the directory, the public profile and the API share."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from marketplace.practitioners.models import PractitionerProfile, Service


def services_active() -> QuerySet[Service]:
    """Active services in the order a profile lists them, with their modality loaded."""
    return (
        Service.objects.filter(is_active=True)
        .select_related("modality")
        .order_by("name", "duration_minutes", "pk")
    )


def practitioners_bookable() -> QuerySet[PractitionerProfile]:
    """Practitioners clients may find and book (verified or active), each with
    `active_services` prefetched (modality loaded): three queries for any page size."""
    return (
        PractitionerProfile.objects.filter(status__in=PractitionerProfile.BOOKABLE_STATUSES)
        .prefetch_related(Prefetch("services", services_active(), to_attr="active_services"))
        .order_by("display_name", "pk")
    )


def practitioner_search(
    *,
    text: str = "",
    modality_slug: str = "",
    is_online: bool | None = None,
    max_price: int | None = None,
) -> QuerySet[PractitionerProfile]:
    """Bookable practitioners matching every filter given:

    - `text`: in the name, the bio or the name of a modality they offer (case-insensitive);
    - `modality_slug`: offer an active service of that modality;
    - `is_online`: True, offer an active online service; False, an active in-person one;
    - `max_price`: offer an active card-paid service priced at most this (minor units).

    Filters use EXISTS subqueries, so a practitioner appears once however many services
    match."""
    practitioners = practitioners_bookable()
    active = Service.objects.filter(practitioner=OuterRef("pk"), is_active=True)
    text = text.strip()
    if text:
        practitioners = practitioners.filter(
            Q(display_name__icontains=text)
            | Q(bio__icontains=text)
            | Exists(active.filter(modality__name__icontains=text))
        )
    if modality_slug:
        practitioners = practitioners.filter(Exists(active.filter(modality__slug=modality_slug)))
    if is_online is not None:
        practitioners = practitioners.filter(Exists(active.filter(is_online=is_online)))
    if max_price is not None:
        practitioners = practitioners.filter(
            Exists(active.filter(accepts_card=True, price__isnull=False, price__lte=max_price))
        )
    return practitioners
