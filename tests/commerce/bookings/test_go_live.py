"""Go-live: a verified practitioner is listed (directory page and API, modality search,
sitemap, public profile) only with an active service AND availability, by the one rule
in commerce.bookings.directory.listing_condition; the practice dashboard's checklist says
what is missing, links to where to fix it, and says "You are live" when nothing is."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.files.base import ContentFile
from rest_framework.test import APIClient

from accounts.roles import Role
from commerce.bookings.directory import (
    practitioner_directory,
    practitioner_go_live,
    practitioner_is_listed,
    practitioners_listed,
)
from commerce.payments.models import ConnectedAccount
from marketplace.practitioners.models import PractitionerProfile
from tests.accounts.factories import UserFactory, enrol_totp
from tests.commerce.bookings.factories import AvailabilityRuleFactory, DateOverrideFactory
from tests.marketplace.practitioners.factories import (
    CredentialFactory,
    ModalityFactory,
    PractitionerProfileFactory,
    ServiceFactory,
    png_bytes,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC)  # a Tuesday
TODAY = NOW.date()
LATER = TODAY + dt.timedelta(days=150)
Status = PractitionerProfile.Status


@pytest.fixture(autouse=True)
def _at_now(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with time_machine.travel(NOW, tick=False):
        yield


def verified(slug: str, **fields) -> PractitionerProfile:
    fields.setdefault("status", Status.VERIFIED)
    return PractitionerProfileFactory(slug=slug, display_name=slug.title(), **fields)


def _everywhere(client, slug: str) -> dict[str, bool]:
    """Whether `slug` shows in each listing clients reach."""
    api = APIClient()
    page = client.get("/practitioners/").content.decode()
    api_list = api.get("/api/v1/practitioners/").json()
    return {
        "page": f"/practitioners/{slug}/" in page,
        "api": slug in {row["slug"] for row in api_list["results"]},
        "api detail": api.get(f"/api/v1/practitioners/{slug}/").status_code == 200,
        "profile": client.get(f"/practitioners/{slug}/").status_code == 200,
        "search": slug in {p.slug for p in practitioner_directory(modality_slug="reiki")},
        "sitemap": f"/practitioners/{slug}/" in client.get("/sitemap.xml").content.decode(),
    }


def test_a_verified_practitioner_is_listed_only_with_a_service_and_availability(client):
    reiki = ModalityFactory(slug="reiki", name="Reiki")
    practitioner = verified("nia-new")

    nothing = _everywhere(client, "nia-new")
    AvailabilityRuleFactory(practitioner=practitioner, weekday=0)
    hours_but_no_service = _everywhere(client, "nia-new")
    ServiceFactory(practitioner=practitioner, modality=reiki)
    both = _everywhere(client, "nia-new")

    assert not any(nothing.values()), nothing
    assert not any(hours_but_no_service.values()), hours_but_no_service
    assert all(both.values()), both


def test_a_verified_practitioner_with_services_but_no_availability_is_not_listed(client):
    reiki = ModalityFactory(slug="reiki", name="Reiki")
    practitioner = verified("ben-okri")
    ServiceFactory(practitioner=practitioner, modality=reiki)
    # A closed day is not availability.
    DateOverrideFactory(practitioner=practitioner, date=TODAY + dt.timedelta(days=3))

    shown = _everywhere(client, "ben-okri")

    assert not any(shown.values()), shown


@pytest.mark.parametrize(
    ("setup", "listed"),
    [
        (lambda p: AvailabilityRuleFactory(practitioner=p), True),
        (lambda p: AvailabilityRuleFactory(practitioner=p, valid_until=TODAY), True),
        (
            lambda p: AvailabilityRuleFactory(practitioner=p, valid_from=TODAY.replace(month=6)),
            True,
        ),
        (
            lambda p: AvailabilityRuleFactory(
                practitioner=p,
                valid_from=TODAY - dt.timedelta(days=60),
                valid_until=TODAY - dt.timedelta(days=1),
            ),
            False,
        ),
        (
            lambda p: DateOverrideFactory(
                practitioner=p, date=TODAY, start_time=dt.time(10), end_time=dt.time(12)
            ),
            True,
        ),
        (
            lambda p: DateOverrideFactory(
                practitioner=p,
                date=TODAY - dt.timedelta(days=1),
                start_time=dt.time(10),
                end_time=dt.time(12),
            ),
            False,
        ),
        (lambda p: DateOverrideFactory(practitioner=p, date=TODAY), False),
    ],
    ids=[
        "weekly",
        "weekly-ending-today",
        "weekly-starting-later",
        "weekly-ended",
        "open-date-today",
        "open-date-past",
        "closed-date",
    ],
)
def test_availability_means_weekly_hours_or_future_open_dates(setup, listed):
    practitioner = verified("cal")
    ServiceFactory(practitioner=practitioner)
    setup(practitioner)

    assert practitioner_is_listed(practitioner=practitioner) is listed
    assert (practitioner in practitioners_listed()) is listed


@pytest.mark.parametrize(
    ("status", "service_active"),
    [(Status.VERIFIED, False), (Status.SUBMITTED, True), (Status.SUSPENDED, True)],
    ids=["only-an-inactive-service", "not-yet-verified", "suspended"],
)
def test_nobody_unbookable_is_listed(status, service_active):
    practitioner = verified("dee", status=status)
    ServiceFactory(practitioner=practitioner, is_active=service_active)
    AvailabilityRuleFactory(practitioner=practitioner)

    assert not practitioner_is_listed(practitioner=practitioner)
    assert not practitioners_listed().filter(pk=practitioner.pk).exists()


# --- the practice dashboard's checklist ------------------------------------------------

ITEM = re.compile(
    r'<li class="go-live__item( go-live__item--done)?">.*?<strong>(.*?)</strong>', re.S
)


def _signed_in(client, **fields) -> PractitionerProfile:
    user = UserFactory(roles=[Role.PRACTITIONER])
    enrol_totp(user)
    practitioner = PractitionerProfileFactory(user=user, **fields)
    client.force_login(user)
    return practitioner


def _checklist(client) -> tuple[str, dict[str, bool]]:
    response = client.get("/dashboard/practice/")
    assert response.status_code == 200
    page = response.content.decode()
    return page, {label: bool(done) for done, label in ITEM.findall(page)}


def test_the_checklist_shows_what_is_missing_and_where_to_fix_it(client):
    practitioner = _signed_in(client, status=Status.VERIFIED)

    page, items = _checklist(client)

    assert "Before you go live" in page and "You are live" not in page
    assert items == {
        "Verified by Aeyia": True,
        "Profile photo": False,
        "At least one service": False,
        "Availability": False,
        "Payouts connected": False,
    }
    assert "1 of 5 done." in page
    for href, text in (
        ("/dashboard/practice/onboarding/profile/", "Add a profile photo"),
        ("/dashboard/practice/services/new/", "Add a service"),
        ("/dashboard/practice/availability/", "Set your availability"),
        ("/dashboard/payouts/", "Connect payouts"),
    ):
        assert f'<a href="{href}">{text}</a>' in page
    assert "Go to your profile and verification" not in page
    assert not practitioner_go_live(practitioner=practitioner).is_listed


def test_done_items_are_ticked_and_a_complete_list_says_you_are_live(client):
    practitioner = _signed_in(client, status=Status.ACTIVE, slug="live-one")
    practitioner.photo.save("face.png", ContentFile(png_bytes()), save=True)
    ServiceFactory(practitioner=practitioner, accepts_card=True, price=5000)
    AvailabilityRuleFactory(practitioner=practitioner)

    page, items = _checklist(client)
    assert items["Availability"] and items["At least one service"] and items["Profile photo"]
    assert not items["Payouts connected"]
    # Listed already (the listing rule does not need payouts) but card payments do.
    assert "Clients can already find and book you" in page and "You are live" not in page

    ConnectedAccount.objects.create(
        owner=practitioner.user, stripe_id="acct_live", charges_enabled=True, payouts_enabled=True
    )
    page, items = _checklist(client)

    assert items == {}  # the list gives way to the live notice
    assert "You are live" in page
    assert '<a href="/practitioners/live-one/">See your public profile</a>' in page


def test_payouts_are_optional_when_no_service_takes_cards(client):
    practitioner = _signed_in(client, status=Status.ACTIVE)
    practitioner.photo.save("face.png", ContentFile(png_bytes()), save=True)
    ServiceFactory(
        practitioner=practitioner, accepts_card=False, accepts_credits=True, credit_price=2
    )
    AvailabilityRuleFactory(practitioner=practitioner)

    go_live = practitioner_go_live(practitioner=practitioner)

    payouts = next(item for item in go_live.items if item.key == "payouts")
    assert not payouts.done and not payouts.required
    assert go_live.is_complete


@pytest.mark.parametrize(
    ("status", "detail"),
    [
        (Status.DRAFT, "Finish your profile, credentials and identity check, then submit."),
        (Status.SUBMITTED, "We are reviewing your profile"),
        (Status.SUSPENDED, "Your profile is suspended"),
    ],
)
def test_an_unverified_practitioner_is_sent_to_verification(client, status, detail):
    _signed_in(client, status=status)

    page, items = _checklist(client)

    assert items["Verified by Aeyia"] is False
    assert detail in page
    assert (
        '<a href="/dashboard/practice/onboarding/">Go to your profile and verification</a>' in page
    )


def test_a_lapsed_licence_undoes_verification_and_the_listing(client):
    practitioner = _signed_in(client, status=Status.ACTIVE)
    ServiceFactory(practitioner=practitioner)
    AvailabilityRuleFactory(practitioner=practitioner)
    assert practitioner_is_listed(practitioner=practitioner)
    CredentialFactory(practitioner=practitioner, expires_on=TODAY - dt.timedelta(days=1))

    page, items = _checklist(client)

    assert not practitioner_is_listed(practitioner=practitioner)
    assert items["Verified by Aeyia"] is False
    assert "Your licence has expired" in page
