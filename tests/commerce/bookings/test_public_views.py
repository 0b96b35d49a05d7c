"""/practitioners/ and /practitioners/<slug>/: who shows, the filter form, prices for
members, next free times in the viewer's zone, JSON-LD, and fixed query counts."""

import datetime as dt
import json
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce.bookings.demo import seed_practitioner_directory
from commerce.bookings.models import Booking
from commerce.memberships.models import Membership, MembershipPlan
from marketplace.practitioners.models import Modality, PractitionerProfile, Service
from tests.accounts.factories import UserFactory
from tests.commerce.bookings.factories import AvailabilityRuleFactory, TimeOffFactory
from tests.marketplace.practitioners.factories import (
    ModalityFactory,
    PractitionerProfileFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC)  # Tuesday
JSON_LD = re.compile(rb'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


@pytest.fixture
def ada():
    psychotherapy = ModalityFactory(slug="psychotherapy", name="Psychotherapy")
    coaching = ModalityFactory(slug="life-coaching", name="Life coaching")
    ada = PractitionerProfileFactory(
        slug="ada-lovelace",
        display_name="Ada Lovelace",
        bio="Psychotherapist.\n\nI work with </script><script>alert('x')</script> & more.",
        languages="English, French",
        time_zone="Europe/London",
    )
    ServiceFactory(
        practitioner=ada,
        modality=psychotherapy,
        name="Therapy session",
        duration_minutes=50,
        price=6000,
        accepts_credits=True,
        credit_price=2,
    )
    ServiceFactory(
        practitioner=ada,
        modality=coaching,
        name="Walk and talk",
        duration_minutes=60,
        price=8000,
        member_price=7000,
        is_online=False,
        location="Hampstead Heath, London",
    )
    AvailabilityRuleFactory(practitioner=ada, weekday=0)  # Mondays 09-17 London
    return ada


@pytest.fixture
def member():
    """A current member in New York (sign them in inside the test: a session made before
    time travel would have timed out by 2030)."""
    plan = MembershipPlan.objects.create(
        slug="test-member", name="Member", price=1500, member_discount_percent=10
    )
    user = UserFactory(time_zone="America/New_York")
    Membership.objects.create(user=user, plan=plan)
    return user


def json_ld(response) -> dict:
    [raw] = JSON_LD.findall(response.content)
    return json.loads(raw)


# ---------- Profile ----------


@time_machine.travel(NOW, tick=False)
def test_profile_shows_the_practitioner_services_and_next_times(client, ada):
    response = client.get("/practitioners/ada-lovelace/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Ada Lovelace</h1>" in html
    assert "Verified practitioner" in html
    assert "Psychotherapy" in html and "Life coaching" in html
    assert "English, French" in html
    assert "Therapy session" in html and "50 min" in html and "£60.00" in html
    assert "2 credits" in html
    assert "In person, Hampstead Heath, London" in html
    assert "Your member price" not in html  # not a member
    # Next free times: Monday 7 January from 09:00 London, six of them.
    assert "Times in Europe/London" in html
    assert html.count('class="open-times__item"') == 6
    assert "Mon 7 Jan, 09:00" in html
    assert '<time datetime="2030-01-07T09:00:00+00:00">' in html
    # The bio is escaped in the page.
    assert "<script>alert" not in html


@time_machine.travel(NOW, tick=False)
def test_a_member_sees_member_prices_and_their_own_time_zone(client, ada, member):
    client.force_login(member)
    response = client.get("/practitioners/ada-lovelace/")
    html = response.content.decode()
    assert "Your member price" in html
    assert "£54.00" in html  # 10% off £60
    assert "£70.00" in html  # the service's own member price
    assert "Times in America/New_York" in html
    assert "Mon 7 Jan, 04:00" in html  # 09:00 in London


@time_machine.travel(NOW, tick=False)
def test_a_signed_in_non_member_sees_no_member_price(client, ada):
    client.force_login(UserFactory(time_zone="Asia/Tokyo"))
    html = client.get("/practitioners/ada-lovelace/").content.decode()
    assert "Your member price" not in html
    assert "Times in Asia/Tokyo" in html


@time_machine.travel(NOW, tick=False)
def test_next_times_skip_time_off_and_say_when_there_are_none(client, ada):
    TimeOffFactory(
        practitioner=ada,
        starts_at=dt.datetime(2030, 1, 7, 0, tzinfo=dt.UTC),
        ends_at=dt.datetime(2030, 1, 7, 13, tzinfo=dt.UTC),
    )
    html = client.get("/practitioners/ada-lovelace/").content.decode()
    assert "Mon 7 Jan, 09:00" not in html
    assert "Mon 7 Jan, 13:00" in html
    # Still listed (weekly hours), but away for the whole fortnight.
    TimeOffFactory(
        practitioner=ada,
        starts_at=dt.datetime(2030, 1, 7, 0, tzinfo=dt.UTC),
        ends_at=dt.datetime(2030, 1, 16, 0, tzinfo=dt.UTC),
    )
    html = client.get("/practitioners/ada-lovelace/").content.decode()
    assert "No free times in the next two weeks." in html


def book(service, starts_at, *, hours=1, status="confirmed", hold_expires_at=None):
    return Booking.objects.create(
        client=UserFactory(),
        service=service,
        practitioner=service.practitioner,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=hours),
        blocked_start=starts_at,
        blocked_end=starts_at + dt.timedelta(hours=hours),
        status=status,
        hold_expires_at=hold_expires_at,
        pay_with="card",
        price_amount=service.price,
        price_currency=service.currency,
    )


@time_machine.travel(NOW, tick=False)
def test_next_times_leave_out_booked_and_held_times(client, ada):
    service = ada.services.get(name="Therapy session")
    book(service, dt.datetime(2030, 1, 7, 9, tzinfo=dt.UTC))
    book(
        service,
        dt.datetime(2030, 1, 7, 11, tzinfo=dt.UTC),
        status="held",
        hold_expires_at=NOW + dt.timedelta(minutes=5),
    )
    # A hold that has run out frees its time again.
    book(
        service,
        dt.datetime(2030, 1, 7, 13, tzinfo=dt.UTC),
        status="held",
        hold_expires_at=NOW - dt.timedelta(minutes=1),
    )
    html = client.get("/practitioners/ada-lovelace/").content.decode()
    assert "Mon 7 Jan, 09:00" not in html
    assert "Mon 7 Jan, 10:00" in html
    assert "Mon 7 Jan, 11:00" not in html
    assert "Mon 7 Jan, 13:00" in html


def test_json_ld_describes_the_person_and_their_offers(client, ada):
    data = json_ld(client.get("/practitioners/ada-lovelace/"))
    assert data["@context"] == "https://schema.org"
    person, practice = data["@graph"]
    assert person["@type"] == "Person"
    assert person["name"] == "Ada Lovelace"
    assert person["url"] == "http://testserver/practitioners/ada-lovelace/"
    assert person["knowsLanguage"] == ["English", "French"]
    # The hostile bio survives intact as data, without closing the script element.
    assert "</script><script>alert('x')</script> & more." in person["description"]
    assert practice["@type"] == "ProfessionalService"
    assert practice["employee"] == {"@id": person["@id"]}
    offers = {offer["itemOffered"]["name"]: offer for offer in practice["makesOffer"]}
    assert offers["Therapy session"]["@type"] == "Offer"
    assert offers["Therapy session"]["price"] == "60.00"
    assert offers["Therapy session"]["priceCurrency"] == "GBP"
    assert offers["Walk and talk"]["price"] == "80.00"
    assert offers["Walk and talk"]["itemOffered"]["serviceType"] == "Life coaching"


def test_json_ld_leaves_out_services_not_sold_by_card(client, ada):
    Service.objects.filter(name="Walk and talk").update(accepts_card=False, price=None)
    practice = json_ld(client.get("/practitioners/ada-lovelace/"))["@graph"][1]
    assert [offer["itemOffered"]["name"] for offer in practice["makesOffer"]] == ["Therapy session"]


@pytest.mark.parametrize("status", ["draft", "submitted", "suspended"])
def test_unbookable_profiles_are_404(client, ada, status):
    PractitionerProfile.objects.filter(pk=ada.pk).update(status=status)
    assert client.get("/practitioners/ada-lovelace/").status_code == 404


def test_unknown_profile_is_404(client, ada):
    assert client.get("/practitioners/nobody/").status_code == 404


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("signed_in", [False, True])
def test_profile_query_count_does_not_grow_with_services(
    client, ada, member, signed_in, site_header_cached
):
    if signed_in:
        client.force_login(member)

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/practitioners/ada-lovelace/")
        assert response.status_code == 200
        return len(captured)

    few = count()
    modality = Modality.objects.get(slug="psychotherapy")
    for index in range(25):
        ServiceFactory(practitioner=ada, modality=modality, name=f"Extra {index}")
    assert count() == few


# ---------- Directory ----------


@pytest.fixture
def directory(ada):
    massage = ModalityFactory(slug="massage-therapy", name="Massage therapy")
    ben = PractitionerProfileFactory(
        slug="ben-okri", display_name="Ben Okri", status="verified", bio="Bodywork."
    )
    ServiceFactory(practitioner=ben, modality=massage, price=9000, is_online=False, location="X")
    AvailabilityRuleFactory(practitioner=ben, weekday=1)  # Tuesdays
    PractitionerProfileFactory(slug="cal", display_name="Cal Draft", status="draft")
    PractitionerProfileFactory(slug="dee", display_name="Dee Suspended", status="suspended")
    return ada, ben


def test_directory_lists_bookable_practitioners_as_cards(client, directory):
    response = client.get("/practitioners/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Find a practitioner</h1>" in html
    assert "2 practitioners" in html
    assert 'href="/practitioners/ada-lovelace/"' in html
    assert 'href="/practitioners/ben-okri/"' in html
    assert "Cal Draft" not in html and "Dee Suspended" not in html
    assert 'From <span class="money">£60.00</span>' in html
    # The filter form offers every modality.
    assert '<option value="massage-therapy">Massage therapy</option>' in html


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [
        ({"q": "ben"}, ["Ben Okri"], ["Ada Lovelace"]),
        ({"modality": "psychotherapy"}, ["Ada Lovelace"], ["Ben Okri"]),
        ({"online": "on"}, ["Ada Lovelace"], ["Ben Okri"]),
        ({"max_price": "60"}, ["Ada Lovelace"], ["Ben Okri"]),
        ({"max_price": "59.99"}, [], ["Ada Lovelace", "Ben Okri"]),
        ({"available_on": "2030-01-07"}, ["Ada Lovelace"], ["Ben Okri"]),
        ({"q": "", "modality": "", "max_price": ""}, ["Ada Lovelace", "Ben Okri"], []),
    ],
)
def test_directory_filters(client, directory, params, shown, hidden):
    response = client.get("/practitioners/", params)
    assert response.status_code == 200
    html = response.content.decode()
    for name in shown:
        assert name in html
    for name in hidden:
        assert name not in html
    if not shown:
        assert "No practitioners match these filters." in html


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "params",
    [
        {"max_price": "cheap"},
        {"max_price": "-5"},
        {"modality": "astrology"},
        {"available_on": "2030-02-30"},
        {"available_on": "9999-12-31"},
        {"q": "x" * 201},
        {"q": "nul\x00"},
    ],
)
def test_directory_bad_filters_are_400_with_the_error_shown(client, directory, params):
    response = client.get("/practitioners/", params)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please check the following:" in html
    assert "Ada Lovelace" not in html


def test_directory_paginates_and_keeps_the_filters(client):
    modality = ModalityFactory(slug="psychotherapy")
    for index in range(14):
        practitioner = PractitionerProfileFactory(display_name=f"Therapist {index:02d}")
        ServiceFactory(practitioner=practitioner, modality=modality)
        AvailabilityRuleFactory(practitioner=practitioner)
    first = client.get("/practitioners/", {"modality": "psychotherapy"}).content.decode()
    assert "Page 1 of 2" in first
    assert 'href="?modality=psychotherapy&amp;page=2"' in first
    second = client.get("/practitioners/", {"modality": "psychotherapy", "page": 2})
    assert second.content.decode().count('class="card practitioner-card"') == 2


def test_directory_query_count_does_not_grow_with_the_practitioners(client, site_header_cached):
    modality = ModalityFactory(slug="psychotherapy")

    def add(count):
        for _ in range(count):
            practitioner = PractitionerProfileFactory()
            ServiceFactory(practitioner=practitioner, modality=modality)
            ServiceFactory(practitioner=practitioner, modality=modality, is_online=False)
            AvailabilityRuleFactory(practitioner=practitioner)

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/practitioners/", {"modality": "psychotherapy"})
        assert response.status_code == 200
        return len(captured)

    add(3)
    few = count()
    add(30)
    assert count() == few


# ---------- Demo data ----------


def test_demo_directory_is_seeded_once(client):
    user = UserFactory(email="practitioner@aeyia.local")
    PractitionerProfileFactory(
        user=user, slug="priya-patel", display_name="Priya Patel", status="draft"
    )
    seed_practitioner_directory()
    seed_practitioner_directory()
    assert Modality.objects.count() == 4
    priya = PractitionerProfile.objects.get(slug="priya-patel")
    assert priya.status == "active"
    assert priya.bio
    assert priya.services.filter(is_online=True).count() == 1
    assert priya.services.filter(is_online=False).exclude(location="").count() == 1
    assert priya.availability_rules.count() == 5
    assert PractitionerProfile.objects.filter(status="verified").count() == 2
    assert Service.objects.count() == 5
    assert client.get("/practitioners/").content.decode().count("practitioner-card") >= 3
    assert client.get("/practitioners/priya-patel/").status_code == 200
