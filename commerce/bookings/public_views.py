"""The public practitioner pages: /practitioners/ (the directory with its filter form) and
/practitioners/<slug>/ (a profile with services, prices, next free times and JSON-LD)."""

import json
from datetime import UTC, datetime, timedelta
from typing import cast

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.safestring import SafeString, mark_safe

from commerce.bookings.directory import (
    member_prices_for,
    practitioner_directory,
    practitioner_next_available,
    practitioner_public,
    practitioners_next_start,
    viewer_zone_for,
)
from marketplace.practitioners.models import Modality, PractitionerProfile, Service
from money import Money, get_currency
from money.forms import MoneyField

PER_PAGE = 12
MAX_PRICE_MAJOR = 100_000
MAX_DAYS_AHEAD = 730
# What json_script escapes: inside <script> the JSON must not close the element or open
# a comment, whatever a practitioner writes in their bio.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200, strip=True)
    modality = forms.ChoiceField(label="Modality", required=False)
    online = forms.BooleanField(label="Offers online sessions", required=False)
    max_price = MoneyField(label="Maximum price per session", required=False)
    available_on = forms.DateField(
        label="Available on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Prices are compared in the platform's currency, typed in its main unit.
        currency = get_currency(settings.COMMERCE_CURRENCY)
        max_price = cast(MoneyField, self.fields["max_price"])
        max_price.currency = currency.code
        max_price.max_amount = Money.from_major(MAX_PRICE_MAJOR, currency.code).amount
        max_price.label = f"Maximum price per session ({currency.symbol or currency.code})"
        self.fields["modality"].choices = [
            ("", "Any modality"),
            *Modality.objects.values_list("slug", "name"),
        ]

    def clean_available_on(self):
        day = self.cleaned_data.get("available_on")
        today = timezone.localdate()
        if day and not today - timedelta(days=1) <= day <= today + timedelta(days=MAX_DAYS_AHEAD):
            raise forms.ValidationError("Choose a date from today to two years ahead.")
        return day

    def directory_filters(self) -> dict:
        data = self.cleaned_data
        max_price = data.get("max_price")
        return {
            "text": data.get("q") or "",
            "modality_slug": data.get("modality") or "",
            "is_online": True if data.get("online") else None,
            "max_price": max_price.amount if max_price is not None else None,
            "available_on": data.get("available_on"),
        }


def practitioner_list_view(request):
    """The directory: a GET filter form and a card per practitioner, 12 a page."""
    form = DirectoryFilterForm(request.GET or None)
    is_filtered = form.is_bound
    if form.is_bound and not form.is_valid():
        practitioners = PractitionerProfile.objects.none()
        status = 400
    else:
        filters = form.directory_filters() if form.is_bound else {}
        practitioners = practitioner_directory(**filters)
        status = 200
    page = Paginator(practitioners, PER_PAGE).get_page(request.GET.get("page"))
    next_starts = practitioners_next_start(practitioners=list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "bookings/practitioner_list.html",
        {
            "form": form,
            "page": page,
            "cards": [
                _card(
                    practitioner,
                    next_start=next_starts.get(practitioner.pk),
                    zone=viewer_zone_for(request, fallback=practitioner.zone),
                )
                for practitioner in page.object_list
            ],
            "is_filtered": is_filtered,
            "active_filter_count": sum(
                1
                for name in ("q", "modality", "max_price", "available_on", "online")
                if request.GET.get(name)
            ),
            "query_string": query.urlencode(),
        },
        status=status,
    )


def practitioner_profile_view(request, slug: str):
    """A bookable practitioner's public profile; 404 for anyone else."""
    practitioner = practitioner_public(slug=slug)
    if practitioner is None:
        raise Http404("No such practitioner.")
    services = list(practitioner.active_services)
    member_prices = member_prices_for(user=request.user, services=services)
    zone = viewer_zone_for(request, fallback=practitioner.zone)
    profile_url = request.build_absolute_uri(reverse("practitioner-profile", args=[slug]))
    return render(
        request,
        "bookings/practitioner_profile.html",
        {
            "practitioner": practitioner,
            "is_verified": practitioner.status in PractitionerProfile.BOOKABLE_STATUSES,
            "languages": _languages(practitioner),
            "modalities": _modalities(services),
            "services": [
                {"service": service, "member_price": member_prices.get(service.pk)}
                for service in services
            ],
            "is_member_view": bool(member_prices),
            "open_times": practitioner_next_available(practitioner=practitioner),
            "viewer_time_zone": zone,
            "json_ld": json_ld_script(
                practitioner_json_ld(practitioner, services=services, url=profile_url)
            ),
        },
    )


def practitioner_json_ld(
    practitioner: PractitionerProfile, *, services: list[Service], url: str
) -> dict:
    """schema.org Person and ProfessionalService; each card-priced service is an Offer."""
    person_id, business_id = f"{url}#person", f"{url}#practice"
    person = {
        "@type": "Person",
        "@id": person_id,
        "name": practitioner.display_name,
        "url": url,
        "knowsAbout": [modality["name"] for modality in _modalities(services)],
    }
    if practitioner.bio:
        person["description"] = practitioner.bio
    if languages := _languages(practitioner):
        person["knowsLanguage"] = languages
    offers = []
    for service in services:
        if not service.accepts_card or service.price is None:
            continue
        item = {
            "@type": "Service",
            "name": service.name,
            "serviceType": service.modality.name,
            "provider": {"@id": person_id},
        }
        if service.description:
            item["description"] = service.description
        offers.append(
            {
                "@type": "Offer",
                "name": f"{service.name} ({service.duration_minutes} minutes)",
                "price": Money(service.price, service.currency).decimal_string(),
                "priceCurrency": service.currency,
                "availability": "https://schema.org/InStock",
                "url": url,
                "itemOffered": item,
            }
        )
    business = {
        "@type": "ProfessionalService",
        "@id": business_id,
        "name": practitioner.display_name,
        "url": url,
        "employee": {"@id": person_id},
        "makesOffer": offers,
    }
    if practitioner.bio:
        business["description"] = practitioner.bio
    locations = sorted({service.location for service in services if not service.is_online})
    if locations:
        business["address"] = locations[0]
    return {"@context": "https://schema.org", "@graph": [person, business]}


def json_ld_script(data: dict) -> SafeString:
    """JSON for a <script type="application/ld+json"> element, escaped the way Django's
    json_script filter does (that filter only writes type="application/json")."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES))  # noqa: S308


def _initials(name: str) -> str:
    """Up to two initials for the avatar shown when there is no photo ("Priya Patel" → "PP")."""
    words = [word for word in name.split() if word[:1].isalpha()]
    return "".join(word[0] for word in (words[:1] + words[1:][-1:])).upper() or "?"


def _card(
    practitioner: PractitionerProfile, *, next_start: datetime | None = None, zone=None
) -> dict:
    services = practitioner.active_services
    priced = [service for service in services if service.accepts_card and service.price is not None]
    cheapest = min(priced, key=lambda service: service.price) if priced else None
    return {
        "practitioner": practitioner,
        "modalities": _modalities(services),
        "offers_online": any(service.is_online for service in services),
        "offers_in_person": any(not service.is_online for service in services),
        "from_price": cheapest,
        "initials": _initials(practitioner.display_name),
        "next_start": next_start,
        # Formatted here: the template's date filter would move it to the server's zone.
        "next_start_label": (
            dateformat.format(next_start.astimezone(zone or UTC), "D j M, H:i T")
            if next_start
            else ""
        ),
    }


def _modalities(services) -> list[dict]:
    seen: dict[str, str] = {}
    for service in services:
        seen.setdefault(service.modality.slug, service.modality.name)
    return [{"slug": slug, "name": name} for slug, name in sorted(seen.items(), key=lambda x: x[1])]


def _languages(practitioner: PractitionerProfile) -> list[str]:
    return [name.strip() for name in practitioner.languages.split(",") if name.strip()]
