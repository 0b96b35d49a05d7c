"""The client answers the intake of a confirmed booking in their care record: checked on
the server per kind, stored encrypted, editable until the session starts and then locked
(409 with a clear message); the practitioner reads the answers; every read and write is
audited; nobody else gets anything but 404."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from marketplace.clients.intake import services
from marketplace.clients.intake.errors import IntakeLocked
from marketplace.clients.intake.models import IntakeResponse
from privacy.models import AuditEntry
from tests.accounts.factories import UserFactory, enrol_totp
from tests.marketplace.clients.intake.support import (
    CANARY,
    good_answers,
    ids,
    intake_setup,
    move_booking,
    practitioner_with_mfa,
)

pytestmark = pytest.mark.django_db


def _post_data(form, **overrides):
    answers = good_answers(form)
    by_kind = ids(form)
    data = {**answers, by_kind["yes_no"]: "no", by_kind["scale"]: "4", **overrides}
    return data


def test_the_client_fills_the_intake_and_changes_it_before_the_session(client):
    setup = intake_setup()
    client.force_login(setup.client)
    url = reverse("care-intake-client-fill", args=[setup.record.pk, setup.booking.pk])

    listing = client.get(reverse("care-intake-client", args=[setup.record.pk]))
    assert listing.status_code == 200
    assert b"Complete your intake" in listing.content
    page = client.get(url)
    assert page.status_code == 200
    assert b"What brings you here?" in page.content

    assert client.post(url, _post_data(setup.form)).status_code == 302
    response = IntakeResponse.objects.get(booking_id=setup.booking.pk)
    by_kind = ids(setup.form)
    assert response.answers[by_kind["multiple_choice"]] == ["Neck", "Back"]
    assert response.answers[by_kind["yes_no"]] is False
    assert response.answers[by_kind["scale"]] == 4

    changed = client.post(url, _post_data(setup.form, **{by_kind["long_text"]: "Back pain"}))
    assert changed.status_code == 302
    response.refresh_from_db()
    assert response.answers[by_kind["long_text"]] == "Back pain"
    assert IntakeResponse.objects.count() == 1
    actions = list(
        AuditEntry.objects.filter(object_type="intake_response", object_id=str(response.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[:2] == ["create", "update"]


def test_wrong_answers_re_render_with_errors_and_store_nothing(client):
    setup = intake_setup()
    client.force_login(setup.client)
    by_kind = ids(setup.form)
    url = reverse("care-intake-client-fill", args=[setup.record.pk, setup.booking.pk])

    page = client.post(
        url, _post_data(setup.form, **{by_kind["scale"]: "11", by_kind["short_text"]: ""})
    )

    assert page.status_code == 400
    assert b"Choose a whole number from 0 to 10." in page.content
    assert b"This question needs an answer." in page.content
    assert not IntakeResponse.objects.exists()


def test_the_intake_locks_when_the_session_starts(client):
    setup = intake_setup()
    services.intake_response_submit(
        record=setup.record,
        user=setup.client,
        booking_id=setup.booking.pk,
        raw_answers=good_answers(setup.form, text="Before"),
    )
    move_booking(setup.booking, timezone.now() - dt.timedelta(minutes=1))
    client.force_login(setup.client)
    url = reverse("care-intake-client-fill", args=[setup.record.pk, setup.booking.pk])

    page = client.post(url, _post_data(setup.form, **{ids(setup.form)["long_text"]: "After"}))

    assert page.status_code == 409
    assert b"can no longer be changed" in page.content
    assert IntakeResponse.objects.get().answers[ids(setup.form)["long_text"]] == "Before"
    with pytest.raises(IntakeLocked):
        services.intake_response_submit(
            record=setup.record,
            user=setup.client,
            booking_id=setup.booking.pk,
            raw_answers=good_answers(setup.form),
        )
    shown = client.get(url)
    assert shown.status_code == 200 and b"Before" in shown.content
    assert b"Save changes" not in shown.content and b"Submit intake" not in shown.content


def test_the_practitioner_reads_the_answers_and_the_read_is_audited(client):
    setup = intake_setup()
    services.intake_response_submit(
        record=setup.record,
        user=setup.client,
        booking_id=setup.booking.pk,
        raw_answers=good_answers(setup.form, text="Neck pain since May"),
    )
    response = IntakeResponse.objects.get()
    client.force_login(setup.practitioner.user)

    listing = client.get(reverse("care-intake-practitioner", args=[setup.record.pk]))
    detail = client.get(
        reverse("care-intake-practitioner-detail", args=[setup.record.pk, setup.booking.pk])
    )

    assert listing.status_code == 200 and b"Read answers" in listing.content
    assert detail.status_code == 200
    assert b"Neck pain since May" in detail.content
    assert b"Back, Neck" not in detail.content and b"Neck, Back" in detail.content
    read = AuditEntry.objects.filter(
        action="read", object_type="intake_response", object_id=str(response.pk)
    ).get()
    assert read.actor_id == setup.practitioner.user_id
    assert read.subject_user_id == setup.client.pk
    assert "Neck pain" not in str(read.details)


@pytest.mark.parametrize("who", ["other_client", "other_practitioner", "staff", "anonymous"])
def test_nobody_else_reaches_the_intake_pages(client, who):
    setup = intake_setup()
    services.intake_response_submit(
        record=setup.record,
        user=setup.client,
        booking_id=setup.booking.pk,
        raw_answers=good_answers(setup.form),
    )
    if who == "other_client":
        client.force_login(UserFactory(roles=[Role.CLIENT]))
    elif who == "other_practitioner":
        client.force_login(practitioner_with_mfa().user)
    elif who == "staff":
        staff = UserFactory(is_staff=True)
        enrol_totp(staff)
        client.force_login(staff)
    before = AuditEntry.objects.filter(action="read").count()
    urls = [
        reverse("care-intake-client", args=[setup.record.pk]),
        reverse("care-intake-client-fill", args=[setup.record.pk, setup.booking.pk]),
        reverse("care-intake-practitioner", args=[setup.record.pk]),
        reverse("care-intake-practitioner-detail", args=[setup.record.pk, setup.booking.pk]),
    ]
    for url in urls:
        status = client.get(url).status_code
        assert status == (302 if who == "anonymous" else 404), url
    assert client.post(urls[1], _post_data(setup.form)).status_code in (302, 404)
    assert AuditEntry.objects.filter(action="read").count() == before
    assert IntakeResponse.objects.get().answers[ids(setup.form)["long_text"]] == "Trouble sleeping"


def test_each_side_gets_404_on_the_others_pages(client):
    setup = intake_setup()
    client.force_login(setup.client)
    assert (
        client.get(reverse("care-intake-practitioner", args=[setup.record.pk])).status_code == 404
    )
    client.force_login(setup.practitioner.user)
    fill = reverse("care-intake-client-fill", args=[setup.record.pk, setup.booking.pk])
    assert client.get(fill).status_code == 404
    assert client.post(fill, _post_data(setup.form)).status_code == 404


def test_a_booking_of_another_pair_or_without_intake_is_404(client):
    setup = intake_setup()
    other = intake_setup()
    client.force_login(setup.client)

    foreign = reverse("care-intake-client-fill", args=[setup.record.pk, other.booking.pk])
    assert client.get(foreign).status_code == 404
    assert (
        client.get(reverse("care-intake-client-fill", args=[setup.record.pk, 2**62])).status_code
        == 404
    )


def test_answers_are_not_in_the_database_in_clear():
    setup = intake_setup()
    services.intake_response_submit(
        record=setup.record,
        user=setup.client,
        booking_id=setup.booking.pk,
        raw_answers=good_answers(setup.form, text=f"My {CANARY} story"),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers FROM intake_intakeresponse")
        [(stored,)] = cursor.fetchall()
    assert CANARY not in str(stored)
    assert (
        IntakeResponse.objects.get().answers[ids(setup.form)["long_text"]] == f"My {CANARY} story"
    )


def test_the_booking_page_asks_for_the_intake_until_it_is_done(client):
    setup = intake_setup()
    client.force_login(setup.client)
    booking_page = reverse("booking-detail", args=[setup.booking.pk])
    fill = reverse("care-intake-client-fill", args=[setup.record.pk, setup.booking.pk])

    before = client.get(booking_page)
    assert b"Complete your intake" in before.content and fill.encode() in before.content
    services.intake_response_submit(
        record=setup.record,
        user=setup.client,
        booking_id=setup.booking.pk,
        raw_answers=good_answers(setup.form),
    )
    after = client.get(booking_page)
    assert b"Your intake is complete" in after.content
    move_booking(setup.booking, timezone.now() - dt.timedelta(minutes=1))
    assert b"intake" not in client.get(booking_page).content.lower().split(b"<main")[-1]


def test_the_practice_navigation_links_the_builder(client):
    practitioner = practitioner_with_mfa()
    client.force_login(practitioner.user)
    page = client.get(reverse("practice-intake"))
    assert b'href="/dashboard/practice/intake/" aria-current="page"' in page.content


def test_ids_beyond_a_bigint_are_404_not_500(client):
    setup = intake_setup()
    huge = 2**64
    client.force_login(setup.client)
    assert client.get(f"/account/care/{setup.record.pk}/intake/{huge}/").status_code == 404
    assert client.get(f"/account/care/{huge}/intake/").status_code == 404
    client.force_login(setup.practitioner.user)
    assert client.get(f"/dashboard/practice/intake/{huge}/").status_code == 404
    assert client.get(f"/dashboard/practice/clients/{huge}/intake/").status_code == 404


def test_the_record_overview_shows_the_intake_panel_on_both_sides(client):
    setup = intake_setup()
    client.force_login(setup.client)
    overview = client.get(reverse("care-client-record", args=[setup.record.pk]))
    fill = reverse("care-intake-client-fill", args=[setup.record.pk, setup.booking.pk])
    assert overview.status_code == 200
    assert fill.encode() in overview.content
    assert b'href="/account/care/%d/intake/"' % setup.record.pk in overview.content  # the tab

    services.intake_response_submit(
        record=setup.record,
        user=setup.client,
        booking_id=setup.booking.pk,
        raw_answers=good_answers(setup.form, text="Panel check"),
    )
    client.force_login(setup.practitioner.user)
    page = client.get(reverse("care-practitioner-record", args=[setup.record.pk]))
    assert page.status_code == 200
    assert b"1 completed" in page.content and b"Panel check" not in page.content


def test_staff_read_the_answers_only_under_break_glass_and_it_is_audited(client):
    from marketplace.clients.records.services import break_glass_open

    setup = intake_setup()
    services.intake_response_submit(
        record=setup.record,
        user=setup.client,
        booking_id=setup.booking.pk,
        raw_answers=good_answers(setup.form, text="Break glass canary"),
    )
    staff = UserFactory(roles=["staff"])
    enrol_totp(staff)
    client.force_login(staff)
    detail = reverse("care-intake-practitioner-detail", args=[setup.record.pk, setup.booking.pk])
    assert client.get(detail).status_code == 404

    break_glass_open(staff=staff, record_id=setup.record.pk, reason="Welfare check, ticket 99")
    page = client.get(detail)

    assert page.status_code == 200 and b"Break glass canary" in page.content
    assert AuditEntry.objects.filter(
        actor_id=staff.pk, action="read", object_type="intake_response"
    ).exists()
    fill = reverse("care-intake-client-fill", args=[setup.record.pk, setup.booking.pk])
    assert client.post(fill, _post_data(setup.form)).status_code == 404  # reads only
