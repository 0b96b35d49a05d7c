"""The practitioner's practice dashboard (/dashboard/practice/): each page for a
practitioner with a second factor; 403 for anyone else; another practitioner's bookings,
rows and clients are never shown (404); form errors are a 200 that writes nothing; the
week places bookings on the practitioner's local day across a clock change; query counts
do not grow with the data."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from accounts.services import role_grant
from commerce.bookings.feeds import CalendarFeedToken
from commerce.bookings.models import (
    AvailabilityRule,
    Booking,
    DateOverride,
    ExternalCalendar,
    TimeOff,
)
from commerce.bookings.services import booking_confirm_with_credits, booking_hold
from commerce.credits.selectors import credits_balance
from marketplace.practitioners.models import Service
from tests.accounts.factories import UserFactory, enrol_totp
from tests.commerce.bookings.booking_setup import CREDIT_PRICE, bookable_service, slot
from tests.commerce.bookings.factories import (
    AvailabilityRuleFactory,
    DateOverrideFactory,
    ExternalCalendarFactory,
    TimeOffFactory,
)
from tests.commerce.bookings.notification_setup import make_booking
from tests.commerce.credits.factories import give_credits
from tests.marketplace.practitioners.factories import (
    ModalityFactory,
    PractitionerProfileFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
Status = Booking.Status


def practitioner_with_mfa(**profile_fields):
    user = UserFactory(roles=[Role.PRACTITIONER], first_name="Priya", last_name="Patel")
    enrol_totp(user)
    return PractitionerProfileFactory(user=user, **profile_fields)


@pytest.fixture
def practitioner(client):
    """Practitioner A, signed in, in Europe/London."""
    profile = practitioner_with_mfa(time_zone="Europe/London")
    client.force_login(profile.user)
    return profile


@pytest.fixture
def other_practitioner():
    return practitioner_with_mfa(time_zone="Europe/London")


@pytest.fixture
def service(practitioner):
    return ServiceFactory(practitioner=practitioner, name="Reiki")


def person(first_name: str, last_name: str, **fields):
    return UserFactory(first_name=first_name, last_name=last_name, **fields)


# ---------- Who gets in ----------

PAGES = [
    "/dashboard/practice/",
    "/dashboard/practice/?week=2030-W43",
    "/dashboard/practice/availability/",
    "/dashboard/practice/services/",
    "/dashboard/practice/services/new/",
    "/dashboard/practice/clients/",
]


@pytest.mark.parametrize("url", PAGES)
def test_each_page_opens_for_a_practitioner(client, practitioner, service, url):
    make_booking(service=service, starts_at=timezone.now() + dt.timedelta(days=1))
    response = client.get(url)
    assert response.status_code == 200
    assert b'aria-label="Your practice"' in response.content


def test_booking_and_service_pages_open_for_their_practitioner(client, practitioner, service):
    booking = make_booking(service=service, starts_at=timezone.now() + dt.timedelta(days=2))
    assert client.get(f"/dashboard/practice/bookings/{booking.pk}/").status_code == 200
    assert client.get(f"/dashboard/practice/services/{service.pk}/").status_code == 200


@pytest.mark.parametrize("url", [*PAGES, "/dashboard/practice/bookings/1/"])
def test_people_who_are_not_practitioners_are_refused(client, url):
    client_user = UserFactory(roles=[Role.CLIENT])
    client.force_login(client_user)
    assert client.get(url).status_code == 403


def test_the_role_without_a_profile_is_refused(client):
    user = UserFactory(roles=[Role.PRACTITIONER])
    enrol_totp(user)
    client.force_login(user)
    assert client.get("/dashboard/practice/").status_code == 403


def test_a_profile_without_the_role_is_refused(client):
    """The role is what obliges a second factor, so a profile alone does not open it."""
    profile = PractitionerProfileFactory()
    client.force_login(profile.user)
    assert client.get("/dashboard/practice/").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/dashboard/practice/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_practitioner_without_a_second_factor_is_sent_to_enrol(client):
    user = UserFactory(roles=[Role.PRACTITIONER])
    PractitionerProfileFactory(user=user)
    client.force_login(user)
    response = client.get("/dashboard/practice/")
    assert response.status_code == 302
    assert "/accounts/2fa/totp/activate/" in response["Location"]


def test_the_dashboard_hub_links_practitioners_to_their_practice(client, practitioner):
    assert b'href="/dashboard/practice/"' in client.get("/dashboard/").content


def test_the_dashboard_hub_has_no_practice_card_for_clients(client):
    client.force_login(UserFactory(roles=[Role.CLIENT]))
    assert b'href="/dashboard/practice/"' not in client.get("/dashboard/").content


# ---------- Another practitioner's data ----------


def test_another_practitioners_booking_is_not_found(client, practitioner, other_practitioner):
    theirs = make_booking(
        service=ServiceFactory(practitioner=other_practitioner),
        starts_at=timezone.now() + dt.timedelta(days=2),
    )
    assert client.get(f"/dashboard/practice/bookings/{theirs.pk}/").status_code == 404
    cancel = client.post(f"/dashboard/practice/bookings/{theirs.pk}/cancel/")
    assert cancel.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.CONFIRMED


def test_another_practitioners_bookings_are_not_in_the_week(
    client, practitioner, other_practitioner, service
):
    starts_at = timezone.now() + dt.timedelta(hours=1)
    mine = make_booking(service=service, starts_at=starts_at)
    theirs = make_booking(
        service=ServiceFactory(practitioner=other_practitioner, name="Shiatsu"),
        starts_at=starts_at,
    )
    response = client.get("/dashboard/practice/", {"week": week_of(starts_at)})
    shown = [booking.pk for day in response.context["days"] for booking in day.bookings]
    assert shown == [mine.pk]
    assert f"/dashboard/practice/bookings/{theirs.pk}/".encode() not in response.content


def test_other_practitioners_rows_and_services_are_not_found(
    client, practitioner, other_practitioner
):
    rows = {
        "rule": AvailabilityRuleFactory(practitioner=other_practitioner),
        "override": DateOverrideFactory(practitioner=other_practitioner),
        "timeoff": TimeOffFactory(practitioner=other_practitioner),
        "calendar": ExternalCalendarFactory(practitioner=other_practitioner),
    }
    for kind, row in rows.items():
        url = f"/dashboard/practice/availability/{kind}/{row.pk}/delete/"
        assert client.post(url).status_code == 404
        assert type(row).objects.filter(pk=row.pk).exists()
    assert client.post("/dashboard/practice/availability/nothing/1/delete/").status_code == 404

    theirs = ServiceFactory(practitioner=other_practitioner)
    assert client.get(f"/dashboard/practice/services/{theirs.pk}/").status_code == 404
    assert client.post(f"/dashboard/practice/services/{theirs.pk}/", {}).status_code == 404
    deactivate = client.post(f"/dashboard/practice/services/{theirs.pk}/deactivate/")
    assert deactivate.status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active


def test_clients_are_only_this_practitioners(client, practitioner, other_practitioner, service):
    soon = timezone.now() + dt.timedelta(days=3)
    theirs = ServiceFactory(practitioner=other_practitioner)
    shared = person("Ada", "Lovelace", email="ada@example.org")
    mine_only = person("Grace", "Hopper", email="grace@example.org")
    theirs_only = person("Katherine", "Johnson", email="katherine@example.org")
    just_held = person("Hedy", "Lamarr", email="hedy@example.org")
    make_booking(service=service, client=shared, starts_at=soon)
    make_booking(service=service, client=shared, starts_at=soon - dt.timedelta(days=10))
    make_booking(service=service, client=mine_only, starts_at=soon + dt.timedelta(hours=2))
    make_booking(service=theirs, client=shared, starts_at=soon)
    make_booking(service=theirs, client=theirs_only, starts_at=soon + dt.timedelta(hours=2))
    make_booking(
        service=service,
        client=just_held,
        starts_at=soon + dt.timedelta(hours=4),
        status=Status.HELD,
    )

    response = client.get("/dashboard/practice/clients/")
    rows = {row["client__email"]: row for row in response.context["page"].object_list}
    assert set(rows) == {"ada@example.org", "grace@example.org"}
    assert rows["ada@example.org"]["session_count"] == 2
    assert rows["ada@example.org"]["next_session"] == soon
    assert rows["ada@example.org"]["last_session"] == soon - dt.timedelta(days=10)
    assert rows["grace@example.org"]["last_session"] is None
    assert b"katherine@example.org" not in response.content
    assert b"hedy@example.org" not in response.content

    client.force_login(other_practitioner.user)
    theirs_page = client.get("/dashboard/practice/clients/")
    emails = {row["client__email"] for row in theirs_page.context["page"].object_list}
    assert emails == {"ada@example.org", "katherine@example.org"}
    assert b"grace@example.org" not in theirs_page.content


# ---------- The week ----------


def week_of(instant: dt.datetime, zone=LONDON) -> str:
    year, week, _ = instant.astimezone(zone).isocalendar()
    return f"{year}-W{week:02d}"


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def test_bookings_fall_on_the_local_day_across_the_october_clock_change(
    client, practitioner, service
):
    """Week 43 of 2030 runs Monday 21 to Sunday 27 October; London's clocks go back at
    02:00 BST on Sunday 27 (01:00 UTC)."""
    before_week = make_booking(service=service, starts_at=utc(2030, 10, 20, 22, 30))
    monday_early = make_booking(service=service, starts_at=utc(2030, 10, 20, 23, 30))
    sunday_bst = make_booking(service=service, starts_at=utc(2030, 10, 26, 23, 30))
    sunday_gmt = make_booking(service=service, starts_at=utc(2030, 10, 27, 1, 30))
    sunday_late = make_booking(service=service, starts_at=utc(2030, 10, 27, 23, 0))
    after_week = make_booking(service=service, starts_at=utc(2030, 10, 28, 0, 30))

    response = client.get("/dashboard/practice/", {"week": "2030-W43"})

    assert response.status_code == 200
    days = response.context["days"]
    assert [day.day for day in days] == [dt.date(2030, 10, 21 + offset) for offset in range(7)]
    placed = {day.day.isoformat(): [b.pk for b in day.bookings] for day in days if day.bookings}
    assert placed == {
        "2030-10-21": [monday_early.pk],
        "2030-10-27": [sunday_bst.pk, sunday_gmt.pk, sunday_late.pk],
    }
    html = response.content.decode()
    assert 'datetime="2030-10-27T00:30:00+01:00">00:30</time>' in html
    assert 'datetime="2030-10-27T01:30:00+00:00">01:30</time>' in html
    assert 'datetime="2030-10-21T00:30:00+01:00">00:30</time>' in html
    for outside in (before_week, after_week):
        assert f"/dashboard/practice/bookings/{outside.pk}/" not in html
    assert 'href="?week=2030-W42"' in html
    assert 'href="?week=2030-W44"' in html


def test_a_booking_shows_time_service_client_and_status(client, practitioner, service):
    booking = make_booking(
        service=service,
        client=person("Ada", "Lovelace"),
        starts_at=utc(2030, 7, 1, 8),  # 09:00 BST
    )
    html = client.get("/dashboard/practice/", {"week": "2030-W27"}).content.decode()
    assert f'href="/dashboard/practice/bookings/{booking.pk}/"' in html
    assert ">09:00</time>&ndash;<time" in html
    assert "Reiki" in html
    assert "Ada L." in html
    assert "Lovelace" not in html
    assert "Confirmed" in html


def test_expired_holds_are_not_in_the_week(client, practitioner, service):
    expired = make_booking(service=service, starts_at=utc(2030, 7, 1, 8), status=Status.HELD)
    Booking.objects.filter(pk=expired.pk).update(status=Status.EXPIRED)
    response = client.get("/dashboard/practice/", {"week": "2030-W27"})
    assert all(not day.bookings for day in response.context["days"])


@pytest.mark.parametrize(
    "week", ["2030-W54", "2030-W00", "2030-W5", "garbage", "1999-W10", "9999-W52", "2030-w10"]
)
def test_a_week_that_does_not_exist_is_a_400_page(client, practitioner, week):
    response = client.get("/dashboard/practice/", {"week": week})
    assert response.status_code == 400
    assert b"We can\xe2\x80\x99t show that week" in response.content


def test_a_53_week_year_has_its_last_week(client, practitioner):
    assert client.get("/dashboard/practice/", {"week": "2026-W53"}).status_code == 200


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


def test_the_week_costs_the_same_queries_for_10_or_100_bookings(
    client, practitioner, service, site_header_cached
):
    monday = utc(2030, 7, 1, 0)  # 01:00 BST, week 2030-W27
    for hour in range(10):
        make_booking(service=service, starts_at=monday + dt.timedelta(hours=hour))
    few = _queries(client, "/dashboard/practice/", {"week": "2030-W27"})
    for hour in range(10, 100):
        make_booking(service=service, starts_at=monday + dt.timedelta(hours=hour))
    many = _queries(client, "/dashboard/practice/", {"week": "2030-W27"})
    assert few == many
    response = client.get("/dashboard/practice/", {"week": "2030-W27"})
    assert sum(len(day.bookings) for day in response.context["days"]) == 100


def test_clients_cost_the_same_queries_for_10_or_100_clients(
    client, practitioner, service, site_header_cached
):
    start = utc(2030, 7, 1, 0)
    for index in range(10):
        make_booking(service=service, starts_at=start + dt.timedelta(hours=index))
    few = _queries(client, "/dashboard/practice/clients/")
    for index in range(10, 100):
        make_booking(service=service, starts_at=start + dt.timedelta(hours=index))
    many = _queries(client, "/dashboard/practice/clients/")
    assert few == many


# ---------- A booking ----------


def test_cancelling_gives_the_client_everything_back(client, django_capture_on_commit_callbacks):
    """Even inside the policy's no-refund window, a practitioner's cancellation refunds
    in full."""
    service = bookable_service()
    practitioner = service.practitioner
    role_grant(user=practitioner.user, role=Role.PRACTITIONER)
    enrol_totp(practitioner.user)
    client.force_login(practitioner.user)
    booker = UserFactory(first_name="Ada", last_name="Lovelace")
    give_credits(user=booker, amount=10)
    booking = booking_hold(client=booker, service=service, starts_at=slot(), pay_with="credits")
    booking = booking_confirm_with_credits(booking=booking)
    assert credits_balance(user=booker) == 10 - CREDIT_PRICE
    # Move it to an hour from now: the client's own cancellation would get nothing back.
    soon = timezone.now() + dt.timedelta(hours=1)
    Booking.objects.filter(pk=booking.pk).update(
        starts_at=soon,
        ends_at=soon + dt.timedelta(hours=1),
        blocked_start=soon,
        blocked_end=soon + dt.timedelta(hours=1, minutes=15),
    )

    page = client.get(f"/dashboard/practice/bookings/{booking.pk}/")
    assert b"Cancel session" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/dashboard/practice/bookings/{booking.pk}/cancel/",
            {"reason": "I am unwell, sorry."},
            follow=True,
        )

    assert response.status_code == 200
    assert b"Session cancelled" in response.content
    booking.refresh_from_db()
    assert booking.status == Status.CANCELLED
    assert booking.cancelled_by == practitioner.user
    assert booking.refund_percent == 100
    assert booking.refund_amount == CREDIT_PRICE
    assert booking.cancellation_reason == "I am unwell, sorry."
    assert credits_balance(user=booker) == 10
    assert b"Cancel session" not in response.content


def test_cancelling_a_hold_frees_the_time(client, practitioner, service):
    held = make_booking(
        service=service, starts_at=timezone.now() + dt.timedelta(days=2), status=Status.HELD
    )
    response = client.post(f"/dashboard/practice/bookings/{held.pk}/cancel/", follow=True)
    assert b"the time is simply free again" in response.content
    held.refresh_from_db()
    assert held.status == Status.CANCELLED
    assert held.refund_percent is None


def test_a_past_session_cannot_be_cancelled(client, practitioner, service):
    booking = make_booking(service=service, starts_at=timezone.now() - dt.timedelta(days=1))
    assert (
        b"Cancel session" not in client.get(f"/dashboard/practice/bookings/{booking.pk}/").content
    )
    response = client.post(f"/dashboard/practice/bookings/{booking.pk}/cancel/", follow=True)
    assert response.status_code == 200
    assert b"could not be cancelled" in response.content
    booking.refresh_from_db()
    assert booking.status == Status.CONFIRMED


def test_a_too_long_cancellation_message_is_shown_as_an_error(client, practitioner, service):
    booking = make_booking(service=service, starts_at=timezone.now() + dt.timedelta(days=2))
    response = client.post(
        f"/dashboard/practice/bookings/{booking.pk}/cancel/", {"reason": "x" * 501}
    )
    assert response.status_code == 200
    assert b"form-errors" in response.content
    booking.refresh_from_db()
    assert booking.status == Status.CONFIRMED


# ---------- Availability ----------

RULES_URL = "/dashboard/practice/availability/rules/"
OVERRIDES_URL = "/dashboard/practice/availability/overrides/"
TIME_OFF_URL = "/dashboard/practice/availability/time-off/"
CALENDARS_URL = "/dashboard/practice/availability/calendars/"


def test_weekly_hours_are_added_and_removed(client, practitioner):
    response = client.post(
        RULES_URL,
        {"rule-weekday": "2", "rule-start_time": "09:00", "rule-end_time": "12:30"},
    )
    assert response.status_code == 302
    rule = AvailabilityRule.objects.get(practitioner=practitioner)
    assert (rule.weekday, rule.start_time, rule.end_time) == (2, dt.time(9), dt.time(12, 30))
    assert "Wednesday" in client.get("/dashboard/practice/availability/").content.decode()

    removed = client.post(f"/dashboard/practice/availability/rule/{rule.pk}/delete/")
    assert removed.status_code == 302
    assert not AvailabilityRule.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"rule-weekday": "0", "rule-start_time": "17:00", "rule-end_time": "09:00"}, "End after"),
        ({"rule-weekday": "0", "rule-start_time": "09:00", "rule-end_time": "09:00"}, "End after"),
        ({"rule-weekday": "0", "rule-start_time": "16:00", "rule-end_time": "18:00"}, "overlaps"),
        ({"rule-weekday": "0", "rule-start_time": "08:00", "rule-end_time": "18:00"}, "overlaps"),
        ({"rule-weekday": "9", "rule-start_time": "09:00", "rule-end_time": "10:00"}, "valid"),
        ({"rule-weekday": "0", "rule-start_time": "25:00", "rule-end_time": "26:00"}, "valid"),
        ({}, "required"),
    ],
)
def test_bad_weekly_hours_are_shown_and_nothing_is_written(client, practitioner, data, message):
    AvailabilityRuleFactory(practitioner=practitioner, weekday=0)  # Mondays 09:00–17:00
    response = client.post(RULES_URL, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "form-errors" in html
    assert message in html
    assert AvailabilityRule.objects.count() == 1


def test_the_same_hours_on_another_day_are_fine(client, practitioner):
    AvailabilityRuleFactory(practitioner=practitioner, weekday=0)
    AvailabilityRuleFactory(practitioner=practitioner, weekday=1, start_time=dt.time(13))
    response = client.post(
        RULES_URL, {"rule-weekday": "1", "rule-start_time": "09:00", "rule-end_time": "13:00"}
    )
    assert response.status_code == 302
    assert AvailabilityRule.objects.count() == 3


def test_a_date_is_closed_or_given_hours(client, practitioner):
    day = timezone.localdate(timezone=LONDON) + dt.timedelta(days=10)
    closed = client.post(
        OVERRIDES_URL, {"override-date": day.isoformat(), "override-is_closed": "on"}
    )
    assert closed.status_code == 302
    assert DateOverride.objects.get().is_closed

    other_day = day + dt.timedelta(days=1)
    window = client.post(
        OVERRIDES_URL,
        {
            "override-date": other_day.isoformat(),
            "override-start_time": "10:00",
            "override-end_time": "14:00",
        },
    )
    assert window.status_code == 302
    override = DateOverride.objects.get(date=other_day)
    assert (override.start_time, override.end_time) == (dt.time(10), dt.time(14))


def _future(days: int) -> str:
    return (timezone.localdate(timezone=LONDON) + dt.timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"override-date": _future(10)}, "Give the hours"),
        ({"override-date": _future(10), "override-start_time": "10:00"}, "Give the hours"),
        (
            {
                "override-date": _future(10),
                "override-start_time": "14:00",
                "override-end_time": "10:00",
            },
            "End after",
        ),
        ({"override-date": _future(-3), "override-is_closed": "on"}, "today or a later date"),
        ({"override-date": _future(20), "override-is_closed": "on"}, "already marked closed"),
        (
            {
                "override-date": _future(30),
                "override-start_time": "12:00",
                "override-end_time": "15:00",
            },
            "overlaps",
        ),
        ({"override-date": _future(30), "override-is_closed": "on"}, "already has its own hours"),
        ({"override-date": "31/02/2030", "override-is_closed": "on"}, "valid date"),
    ],
)
def test_bad_date_changes_are_shown_and_nothing_is_written(client, practitioner, data, message):
    today = timezone.localdate(timezone=LONDON)
    DateOverrideFactory(practitioner=practitioner, date=today + dt.timedelta(days=20))
    DateOverrideFactory(
        practitioner=practitioner,
        date=today + dt.timedelta(days=30),
        start_time=dt.time(9),
        end_time=dt.time(13),
    )
    response = client.post(OVERRIDES_URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert DateOverride.objects.count() == 2


def test_time_off_is_entered_in_the_practitioners_zone(client, practitioner):
    response = client.post(
        TIME_OFF_URL,
        {
            "timeoff-starts_at": "2030-07-01T09:00",
            "timeoff-ends_at": "2030-07-05T17:00",
            "timeoff-reason": "Retreat",
        },
    )
    assert response.status_code == 302
    away = TimeOff.objects.get(practitioner=practitioner)
    assert away.starts_at == utc(2030, 7, 1, 8)  # 09:00 BST
    assert away.ends_at == utc(2030, 7, 5, 16)
    assert away.reason == "Retreat"
    page = client.get("/dashboard/practice/availability/").content.decode()
    assert "Mon 1 Jul 2030, 09:00" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"timeoff-starts_at": "2030-07-05T09:00", "timeoff-ends_at": "2030-07-01T09:00"}, "End"),
        ({"timeoff-starts_at": "2030-07-05T09:00", "timeoff-ends_at": "2030-07-05T09:00"}, "End"),
        # 01:30 does not exist in London on 31 March 2030 (clocks go forward at 01:00).
        (
            {"timeoff-starts_at": "2030-03-31T01:30", "timeoff-ends_at": "2030-04-01T09:00"},
            "may not exist",
        ),
        (
            {"timeoff-starts_at": "2020-01-01T09:00", "timeoff-ends_at": "2020-01-02T09:00"},
            "future",
        ),
        ({"timeoff-starts_at": "soon", "timeoff-ends_at": "later"}, "valid date/time"),
    ],
)
def test_bad_time_off_is_shown_and_nothing_is_written(client, practitioner, data, message):
    response = client.post(TIME_OFF_URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not TimeOff.objects.exists()


def test_the_calendar_link_is_made_rotated_and_switched_off(client, practitioner):
    page = client.get("/dashboard/practice/availability/").content.decode()
    assert "Make my calendar link" in page
    assert not CalendarFeedToken.objects.exists()

    client.post("/dashboard/practice/availability/feed/rotate/")
    first = CalendarFeedToken.objects.get(practitioner=practitioner).token
    page = client.get("/dashboard/practice/availability/").content.decode()
    assert f"http://testserver/calendar/{first}.ics" in page
    assert client.get(f"/calendar/{first}.ics").status_code == 200

    client.post("/dashboard/practice/availability/feed/rotate/")
    second = CalendarFeedToken.objects.get(practitioner=practitioner).token
    assert second != first
    assert client.get(f"/calendar/{first}.ics").status_code == 404

    client.post("/dashboard/practice/availability/feed/revoke/")
    assert client.get(f"/calendar/{second}.ics").status_code == 404
    assert (
        f"/calendar/{second}.ics"
        not in client.get("/dashboard/practice/availability/").content.decode()
    )


def test_an_external_calendar_is_connected_and_removed(client, practitioner):
    response = client.post(
        CALENDARS_URL, {"calendar-ical_url": "webcal://calendar.example.org/me.ics"}
    )
    assert response.status_code == 302
    calendar = ExternalCalendar.objects.get(practitioner=practitioner)
    assert calendar.ical_url == "https://calendar.example.org/me.ics"
    assert "Not checked yet" in client.get("/dashboard/practice/availability/").content.decode()

    ExternalCalendar.objects.filter(pk=calendar.pk).update(
        last_fetched_at=timezone.now(), last_error="The calendar server answered 404."
    )
    page = client.get("/dashboard/practice/availability/").content.decode()
    assert "Last check failed" in page
    assert "The calendar server answered 404." in page

    client.post(f"/dashboard/practice/availability/calendar/{calendar.pk}/delete/")
    assert not ExternalCalendar.objects.exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://calendar.example.org/me.ics", "http(s) or webcal"),
        ("http://localhost/me.ics", "public address"),
        ("http://10.0.0.8/me.ics", "public address"),
        ("not a url", "http(s) or webcal"),
        ("", "required"),
        ("https://calendar.example.org/existing.ics", "already connected"),
    ],
)
def test_bad_external_calendars_are_refused(client, practitioner, url, message):
    ExternalCalendarFactory(
        practitioner=practitioner, ical_url="https://calendar.example.org/existing.ics"
    )
    response = client.post(CALENDARS_URL, {"calendar-ical_url": url})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ExternalCalendar.objects.count() == 1


# ---------- Services ----------

SERVICES_URL = "/dashboard/practice/services/"


def service_data(modality, /, **overrides) -> dict:
    data = {
        "name": "Deep tissue massage",
        "modality": str(modality.pk),
        "description": "Sixty minutes.",
        "duration_minutes": "60",
        "is_online": "",
        "location": "12 High Street, Bristol",
        "currency": "GBP",
        "accepts_card": "on",
        "price": "65.50",
        "member_price": "55",
        "accepts_credits": "on",
        "credit_price": "5",
        "accepts_membership": "on",
        "accepts_sponsor": "",
        "buffer_before_minutes": "10",
        "buffer_after_minutes": "15",
        "minimum_notice_minutes": "720",
        "maximum_advance_days": "60",
        "tier_0_hours": "2",
        "tier_0_percent": "50",
        "tier_1_hours": "48",
        "tier_1_percent": "100",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


def test_a_service_is_added_with_every_field(client, practitioner):
    modality = ModalityFactory(name="Massage")
    response = client.post(f"{SERVICES_URL}new/", service_data(modality))
    assert response.status_code == 302, response.content.decode()[:3000]
    service = Service.objects.get(practitioner=practitioner)
    assert service.name == "Deep tissue massage"
    assert service.modality == modality
    assert (service.price, service.member_price, service.currency) == (6550, 5500, "GBP")
    assert (service.accepts_credits, service.credit_price) == (True, 5)
    assert (service.accepts_membership, service.accepts_sponsor) == (True, False)
    assert not service.is_online
    assert service.location == "12 High Street, Bristol"
    assert (service.buffer_before_minutes, service.buffer_after_minutes) == (10, 15)
    assert (service.minimum_notice_minutes, service.maximum_advance_days) == (720, 60)
    assert service.cancellation_tiers == [
        {"hours_before": 48, "refund_percent": 100},
        {"hours_before": 2, "refund_percent": 50},
    ]
    listing = client.get(SERVICES_URL).content.decode()
    assert "Deep tissue massage" in listing
    assert "£65.50" in listing


def test_a_yen_service_is_priced_in_whole_yen(client, practitioner, service):
    Service.objects.filter(pk=service.pk).update(currency="JPY", price=6000, member_price=None)
    page = client.get(f"{SERVICES_URL}{service.pk}/").content.decode()
    assert 'value="6000"' in page
    data = service_data(service.modality, currency="JPY", price="6500.5", member_price="")
    response = client.post(f"{SERVICES_URL}{service.pk}/", data)
    assert "JPY amounts are whole numbers, without decimals." in response.content.decode()
    data["price"] = "¥6,500"
    assert client.post(f"{SERVICES_URL}{service.pk}/", data).status_code == 302
    service.refresh_from_db()
    assert (service.price, service.currency) == (6500, "JPY")
    assert "¥6,500" in client.get(SERVICES_URL).content.decode()


def test_a_service_is_edited_and_deactivated(client, practitioner, service):
    page = client.get(f"{SERVICES_URL}{service.pk}/").content.decode()
    assert 'value="60.00"' in page
    assert 'name="tier_0_hours" value="24"' in page
    response = client.post(
        f"{SERVICES_URL}{service.pk}/",
        service_data(service.modality, name="Reiki, longer", duration_minutes="90", price="80"),
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert (service.name, service.duration_minutes, service.price) == ("Reiki, longer", 90, 8000)

    client.post(f"{SERVICES_URL}{service.pk}/deactivate/")
    service.refresh_from_db()
    assert not service.is_active
    assert "Offer again" in client.get(SERVICES_URL).content.decode()
    client.post(f"{SERVICES_URL}{service.pk}/activate/")
    service.refresh_from_db()
    assert service.is_active


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"price": ""}, "needs a price"),
        ({"accepts_credits": "on", "credit_price": ""}, "needs a credit price"),
        ({"is_online": "", "location": ""}, "needs a location"),
        ({"duration_minutes": "3"}, "greater than or equal to 5"),
        ({"duration_minutes": "600"}, "less than or equal to 480"),
        ({"buffer_after_minutes": "300"}, "less than or equal to 240"),
        ({"maximum_advance_days": "0"}, "greater than or equal to 1"),
        ({"price": "-5"}, "Enter an amount that is not negative."),
        ({"price": "12.345"}, "GBP amounts have at most two decimals."),
        ({"price": "lots"}, "Enter an amount such as £12.50."),
        ({"price": "100000.01"}, "At most £100,000.00."),
        ({"tier_1_hours": "2"}, "without repeats"),
        ({"tier_1_percent": "150"}, "less than or equal to 100"),
        ({"tier_2_hours": "12"}, "refund percent"),
        ({"tier_2_percent": "30"}, "hours before"),
        ({"modality": "999999"}, "Select a valid choice"),
        ({"currency": "XYZ"}, "Select a valid choice"),
        ({"name": ""}, "required"),
    ],
)
def test_bad_services_are_shown_and_nothing_is_written(client, practitioner, overrides, message):
    modality = ModalityFactory()
    response = client.post(f"{SERVICES_URL}new/", service_data(modality, **overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert "form-errors" in html
    assert message in html, html[html.find("form-errors") :][:1500]
    assert not Service.objects.exists()


def test_a_bad_edit_leaves_the_service_as_it_was(client, practitioner, service):
    response = client.post(
        f"{SERVICES_URL}{service.pk}/", service_data(service.modality, price="", name="Changed")
    )
    assert response.status_code == 200
    service.refresh_from_db()
    assert service.name == "Reiki"
    assert service.price == 6000
