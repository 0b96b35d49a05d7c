"""/account/credits/ for clients, and the credit ledger in the staff portal."""

import html as html_lib
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from accounts.roles import Role
from commerce.credits import views
from tests.accounts.factories import UserFactory, enrol_totp
from tests.commerce.credits.factories import give_credits, spend_credits

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
STATEMENT_URL = "/account/credits/"
LEDGER_URL = "/cms/credits/ledger/"


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def client_user():
    return UserFactory(roles=[Role.CLIENT], time_zone="Australia/Sydney")


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip())
        for row in body.split("</tr>")[:-1]
    ]


# --- the client's statement ------------------------------------------------------------


def test_the_statement_needs_a_signed_in_user(client):
    response = client.get(STATEMENT_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_url_is_named():
    assert reverse("credits_statement") == STATEMENT_URL


def test_the_statement_shows_balance_next_expiry_and_every_entry(client, client_user):
    give_credits(user=client_user, amount=5, expires_at=NOW + timedelta(days=30))
    spend_credits(user=client_user, amount=2)
    client.force_login(client_user)

    response = client.get(STATEMENT_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Your credits" in html
    assert re.search(r'id="credits-available"><strong>3</strong> credits', html)
    # Shown in the viewer's time zone (Sydney is UTC+11 on 31 March 2026).
    assert "3 credits on" in html
    assert "31 March 2026, 23:00" in html
    rows = _rows(html)
    assert len(rows) == 2
    assert rows[0] == "1 Mar 2026, 23:00 Spent Used for a booking −2 31 Mar 2026"
    assert rows[1] == "1 Mar 2026, 23:00 Credit pack purchase Credit pack bought +5 31 Mar 2026"


def test_the_statement_is_accessible_and_has_no_inline_styles_or_scripts(client, client_user):
    give_credits(user=client_user, amount=5)
    client.force_login(client_user)

    html = client.get(STATEMENT_URL).content.decode()

    assert "<caption" in html
    assert html.count('scope="col"') == 5
    assert "style=" not in html
    # Scripts come from our static files only (the site menu): none written into the page.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert "<h1>Your credits</h1>" in html


def test_an_empty_statement_says_so(client, client_user):
    client.force_login(client_user)

    response = client.get(STATEMENT_URL)

    html = response.content.decode()
    assert "No credits yet" in html
    assert "None of your credits expire" in html
    assert "<table" not in html


def test_credits_past_their_date_are_shown_apart_until_expired(client, client_user):
    give_credits(user=client_user, amount=2, expires_at=NOW + timedelta(hours=1))
    client.force_login(client_user)

    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        html = client.get(STATEMENT_URL).content.decode()

    assert re.search(r'id="credits-available"><strong>0</strong> credits', html)
    assert "Past their expiry date" in html


def test_the_statement_is_paginated_and_tolerates_any_page_value(client, client_user, monkeypatch):
    monkeypatch.setattr(views, "ENTRIES_PER_PAGE", 2)
    for _ in range(5):
        give_credits(user=client_user, amount=1)
    client.force_login(client_user)

    first = client.get(STATEMENT_URL).content.decode()
    last = client.get(STATEMENT_URL, {"page": "3"}).content.decode()

    assert len(_rows(first)) == 2
    assert 'rel="next" href="?page=2"' in first
    assert "Page 1 of 3" in first
    assert len(_rows(last)) == 1
    assert 'rel="prev"' in last
    for page in ("abc", "-1", "999", "0"):
        assert client.get(STATEMENT_URL, {"page": page}).status_code == 200


def test_an_unknown_time_zone_falls_back_to_utc(client):
    user = UserFactory(time_zone="Mars/Olympus_Mons")
    give_credits(user=user, amount=1)
    client.force_login(user)

    html = client.get(STATEMENT_URL).content.decode()

    assert "1 Mar 2026, 12:00" in html


def test_a_client_sees_only_their_own_entries(client, client_user):
    give_credits(user=UserFactory(), amount=7)
    give_credits(user=client_user, amount=1)
    client.force_login(client_user)

    html = client.get(STATEMENT_URL).content.decode()

    assert len(_rows(html)) == 1
    assert "+7" not in html


# --- the staff ledger in the Wagtail admin ----------------------------------------------


def _with_mfa(user):
    enrol_totp(user)
    return user


@pytest.fixture
def staff():
    return _with_mfa(UserFactory(roles=[Role.STAFF]))


def test_staff_find_a_person_by_email_and_see_their_ledger(client, staff):
    person = UserFactory(email="river@example.org")
    give_credits(user=person, amount=4, expires_at=NOW + timedelta(days=3))
    spend_credits(user=person, amount=1, source_id="booking-77")
    client.force_login(staff)

    search = client.get(LEDGER_URL, {"q": "RIVER@"})
    ledger = client.get(LEDGER_URL, {"user": person.pk})

    assert search.status_code == 200
    assert f'?user={person.pk}">river@example.org</a>' in search.content.decode()
    html = ledger.content.decode()
    assert ledger.status_code == 200
    assert 'id="credit-ledger-balance">3<' in html
    assert 'id="credit-ledger-available">3<' in html
    assert "test-booking:booking-77" in html
    assert "Credit ledger" in html


def test_a_search_without_matches_says_so(client, staff):
    client.force_login(staff)

    html = client.get(LEDGER_URL, {"q": "nobody-here"}).content.decode()

    assert "No one has an email address containing" in html


@pytest.mark.parametrize("user_id", ["abc", "999999", "-1"])
def test_an_unknown_person_is_not_found(client, staff, user_id):
    client.force_login(staff)

    assert client.get(LEDGER_URL, {"user": user_id}).status_code == 404


def test_the_menu_shows_the_ledger_to_staff_only(client, staff):
    editor = _with_mfa(UserFactory(roles=[Role.EDITOR]))
    client.force_login(staff)
    staff_menu = client.get("/cms/").content.decode()
    client.force_login(editor)
    editor_menu = client.get("/cms/").content.decode()

    assert "credit-ledger" in staff_menu
    assert "credit-ledger" not in editor_menu


def test_an_editor_without_the_permission_is_turned_away(client):
    editor = _with_mfa(UserFactory(roles=[Role.EDITOR]))
    give_credits(user=editor, amount=1)
    client.force_login(editor)

    response = client.get(LEDGER_URL, {"user": editor.pk})

    # Wagtail's way: back to the dashboard with "you do not have permission".
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")


def test_a_client_cannot_reach_the_ledger(client, client_user):
    client.force_login(client_user)

    response = client.get(LEDGER_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_staff_group_holds_the_ledger_permission(staff):
    assert staff.has_perm("credits.view_creditentry")
