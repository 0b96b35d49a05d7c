"""The partner pages: joining with a code or an invitation, and the usage report with its
CSV export, seen by the right people only."""

import csv
import html
import io
import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from accounts.roles import Role
from commerce.partners.models import PoolEnrollment
from tests.accounts.factories import UserFactory, enrol_totp
from tests.commerce.partners.factories import (
    PartnerFactory,
    PoolInviteFactory,
    SponsorPoolFactory,
    VoucherCodeFactory,
    draw,
    enrolled_client,
    partner_admin,
)

pytestmark = pytest.mark.django_db

JOIN_URL = reverse("partners:join")


def _text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


def _assert_csp_safe(response):
    """Strict CSP: no inline scripts, styles or style attributes."""
    page = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert "style=" not in page
    assert "<style" not in page


def _staff():
    staff = UserFactory(is_staff=True, roles=[Role.STAFF])
    enrol_totp(staff)
    return staff


# ---------- Join ----------


class TestJoin:
    def test_anonymous_people_sign_in_first(self, client):
        response = client.get(JOIN_URL)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))

    def test_page_lists_sponsorships_with_what_is_left(self, client):
        pool = SponsorPoolFactory(name="Bursary", per_client_cap=3, partner__name="BACP")
        user = enrolled_client(pool)
        draw(pool, user, units=1)
        client.force_login(user)
        response = client.get(JOIN_URL)
        assert response.status_code == 200
        text = _text(response)
        assert "BACP" in text and "Bursary" in text
        assert "1 of 3 sessions" in text
        assert "<strong>2</strong> sessions" in text
        _assert_csp_safe(response)

    def test_redeem_a_code(self, client):
        voucher = VoucherCodeFactory(code="SOCIETY-2026", pool__name="Bursary")
        user = UserFactory()
        client.force_login(user)
        response = client.post(JOIN_URL, {"code": " society 2026 "}, follow=True)
        assert response.redirect_chain == [(JOIN_URL, 302)]
        assert "You've joined Bursary" in _text(response)
        assert PoolEnrollment.objects.filter(user=user, pool=voucher.pool).exists()

    def test_redeeming_the_same_code_again_says_already_joined(self, client):
        voucher = VoucherCodeFactory(
            code="SOCIETY-2026", pool__name="Bursary", pool__partner__name="BACP"
        )
        user = UserFactory()
        client.force_login(user)
        first = client.post(JOIN_URL, {"code": "SOCIETY-2026"}, follow=True)

        response = client.post(JOIN_URL, {"code": "society-2026"}, follow=True)

        text = _text(response)
        assert response.redirect_chain == [(JOIN_URL, 302)]
        assert "You've joined Bursary (BACP)" in _text(first)
        assert "You already joined Bursary (BACP)" in text
        assert "You've joined" not in text
        voucher.refresh_from_db()
        assert voucher.redemptions == 1
        assert PoolEnrollment.objects.filter(user=user).count() == 1

    @pytest.mark.parametrize(
        ("code", "status", "message"),
        [
            ("", 400, "This field is required."),
            ("!!", 400, "That is not a voucher code"),
            ("NOPE-NOPE-NOPE", 404, "We don't recognise that voucher code."),
        ],
    )
    def test_bad_codes_explain_themselves(self, client, code, status, message):
        client.force_login(UserFactory())
        response = client.post(JOIN_URL, {"code": code})
        assert response.status_code == status
        assert message in _text(response)
        assert not PoolEnrollment.objects.exists()
        _assert_csp_safe(response)

    def test_used_up_code(self, client):
        voucher = VoucherCodeFactory(max_redemptions=1, redemptions=1)
        client.force_login(UserFactory())
        response = client.post(JOIN_URL, {"code": voucher.code})
        assert response.status_code == 409
        assert "This voucher code has been used up." in _text(response)

    def test_attempts_are_rate_limited(self, client):
        client.force_login(UserFactory())
        for _ in range(20):
            assert client.post(JOIN_URL, {"code": "NOPE-NOPE"}).status_code == 404
        voucher = VoucherCodeFactory()
        response = client.post(JOIN_URL, {"code": voucher.code})
        assert response.status_code == 429
        assert "Too many attempts" in _text(response)
        assert not PoolEnrollment.objects.exists()

    def test_accept_invitations(self, client):
        user = UserFactory(email="ada@example.org")
        invite = PoolInviteFactory(email="ada@example.org", pool__name="Staff wellbeing")
        client.force_login(user)
        page = client.get(JOIN_URL)
        assert "Staff wellbeing" in _text(page) and "Invitations for you" in _text(page)
        response = client.post(JOIN_URL, {"action": "accept-invites"}, follow=True)
        assert "You've joined Staff wellbeing" in _text(response)
        assert PoolEnrollment.objects.filter(user=user, pool=invite.pool).exists()
        assert "Invitations for you" not in _text(response)

    def test_accept_with_no_invitations(self, client):
        client.force_login(UserFactory())
        response = client.post(JOIN_URL, {"action": "accept-invites"}, follow=True)
        assert "There are no invitations to accept." in _text(response)

    def test_other_methods_are_refused(self, client):
        client.force_login(UserFactory())
        assert client.put(JOIN_URL).status_code == 405


class TestIndex:
    def test_admins_see_their_partners(self, client):
        partner = PartnerFactory(name="BACP")
        client.force_login(partner_admin(partner))
        response = client.get(reverse("partners:index"))
        assert response.status_code == 200
        assert reverse("partners:report", args=[partner.slug]) in response.content.decode()

    def test_clients_go_to_the_join_page(self, client):
        client.force_login(UserFactory())
        assert client.get(reverse("partners:index"))["Location"] == JOIN_URL


# ---------- Report ----------


def _report_fixture():
    partner = PartnerFactory(name="BACP")
    pool = SponsorPoolFactory(partner=partner, name="Bursary", units_funded=20, per_client_cap=9)
    ada = enrolled_client(pool, email="ada@example.org")
    draw(pool, ada, units=2)
    return partner, pool, ada


class TestReportAccess:
    def test_partner_admin(self, client):
        partner, _, _ = _report_fixture()
        client.force_login(partner_admin(partner))
        assert client.get(reverse("partners:report", args=[partner.slug])).status_code == 200

    def test_staff(self, client):
        partner, _, _ = _report_fixture()
        client.force_login(_staff())
        assert client.get(reverse("partners:report", args=[partner.slug])).status_code == 200
        assert client.get(reverse("partners:report_csv", args=[partner.slug])).status_code == 200

    @pytest.mark.parametrize("who", ["other_admin", "client", "enrolled_client"])
    def test_others_get_404(self, client, who):
        partner, _, ada = _report_fixture()
        user = {
            "other_admin": lambda: partner_admin(PartnerFactory()),
            "client": UserFactory,
            "enrolled_client": lambda: ada,
        }[who]()
        client.force_login(user)
        assert client.get(reverse("partners:report", args=[partner.slug])).status_code == 404
        assert client.get(reverse("partners:report_csv", args=[partner.slug])).status_code == 404

    def test_unknown_partner_is_404_even_for_staff(self, client):
        client.force_login(_staff())
        assert client.get(reverse("partners:report", args=["nobody"])).status_code == 404

    def test_anonymous_people_sign_in_first(self, client):
        partner, _, _ = _report_fixture()
        for name in ("partners:report", "partners:report_csv"):
            response = client.get(reverse(name, args=[partner.slug]))
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("account_login"))


class TestReportPage:
    def test_shows_pools_clients_and_an_accessible_chart(self, client):
        partner, _, _ = _report_fixture()
        client.force_login(partner_admin(partner))
        response = client.get(reverse("partners:report", args=[partner.slug]))
        text = _text(response)
        assert "Bursary" in text and "ada@example.org" in text
        assert '<svg viewBox="0 0 640 240" role="img"' in text
        assert "<title id=" in text and "<desc id=" in text
        assert '<th scope="col">Sessions used</th>' in text
        _assert_csp_safe(response)

    def test_never_shows_what_the_sessions_were(self, client):
        partner, pool, ada = _report_fixture()
        draw(pool, ada, source_id="booking-secret-9876")
        client.force_login(partner_admin(partner))
        page = client.get(reverse("partners:report", args=[partner.slug])).content.decode()
        csv_body = client.get(reverse("partners:report_csv", args=[partner.slug])).content
        assert "booking-secret-9876" not in page
        assert b"booking-secret-9876" not in csv_body

    def test_period(self, client):
        partner, _, _ = _report_fixture()
        client.force_login(partner_admin(partner))
        url = reverse("partners:report", args=[partner.slug])
        response = client.get(url, {"start": "2000-01-01", "end": "2000-01-31"})
        assert response.status_code == 200
        assert "Nothing used in this period." not in _text(response)  # empty months are drawn
        assert "January 2000" in _text(response)

    def test_month_table_includes_empty_months(self, client):
        partner, pool, ada = _report_fixture()
        with time_machine.travel(datetime(2026, 1, 10, tzinfo=UTC), tick=False):
            draw(pool, ada)
        with time_machine.travel(datetime(2026, 4, 10, tzinfo=UTC), tick=False):
            draw(pool, ada)
        client.force_login(partner_admin(partner))
        url = reverse("partners:report", args=[partner.slug])
        text = _text(client.get(url, {"start": "2026-01-01", "end": "2026-04-30"}))
        for month in ("January 2026", "February 2026", "March 2026", "April 2026"):
            assert f'<th scope="row">{month}</th>' in text

    def test_a_period_of_millennia_stays_small(self, client):
        partner, _, _ = _report_fixture()
        client.force_login(partner_admin(partner))
        url = reverse("partners:report", args=[partner.slug])
        response = client.get(url, {"start": "0001-01-01", "end": "9998-12-31"})
        assert response.status_code == 200
        text = _text(response)
        assert text.count('fill="#1f6f6b"') == 36
        assert text.count('<th scope="row">') == 120
        assert "the last 120 months" in text
        csv_response = client.get(
            reverse("partners:report_csv", args=[partner.slug]),
            {"start": "0001-01-01", "end": "9998-12-31"},
        )
        assert csv_response.status_code == 200

    @pytest.mark.parametrize(
        "query",
        [
            {"start": "yesterday"},
            {"start": "2026-02-01", "end": "2026-01-01"},
            {"end": "9999-12-31"},
        ],
    )
    def test_bad_period_is_400_not_500(self, client, query):
        partner, _, _ = _report_fixture()
        client.force_login(partner_admin(partner))
        response = client.get(reverse("partners:report", args=[partner.slug]), query)
        assert response.status_code == 400
        assert "Please check the following" in _text(response)
        csv_response = client.get(reverse("partners:report_csv", args=[partner.slug]), query)
        assert csv_response.status_code == 400

    def test_query_count_does_not_grow_with_pools_or_draws(
        self, client, django_assert_max_num_queries, site_header_cached
    ):
        def build(pools: int, draws: int):
            partner = PartnerFactory()
            made = []
            for _ in range(pools):
                pool = SponsorPoolFactory(partner=partner, units_funded=500, per_client_cap=500)
                made.append((pool, [enrolled_client(pool) for _ in range(2)]))
            for index in range(draws):
                pool, clients = made[index % pools]
                draw(pool, clients[index % 2])
            return partner

        small, large = build(1, 10), build(4, 200)
        viewer = _staff()
        client.force_login(viewer)
        counts = []
        for partner in (small, large):
            # 13: the session is read from the database (decision 0019).
            with django_assert_max_num_queries(13) as queries:
                assert (
                    client.get(reverse("partners:report", args=[partner.slug])).status_code == 200
                )
            counts.append(len(queries))
        assert counts[0] == counts[1]


class TestReportCsv:
    def _rows(self, response):
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert "attachment;" in response["Content-Disposition"]
        return list(csv.reader(io.StringIO(response.content.decode())))

    def test_one_row_per_pool_and_client(self, client):
        partner, pool, ada = _report_fixture()
        bo = enrolled_client(pool, email="bo@example.org")
        draw(pool, bo, units=1)
        enrolled_client(pool, email="cy@example.org")  # joined, used nothing
        client.force_login(partner_admin(partner))
        rows = self._rows(client.get(reverse("partners:report_csv", args=[partner.slug])))
        assert rows[0] == [
            "pool",
            "unit",
            "pool_funded",
            "pool_used",
            "pool_remaining",
            "client_email",
            "joined_via",
            "joined_at",
            "units_in_period",
            "draws_in_period",
        ]
        body = [row[:7] + row[8:] for row in rows[1:]]
        assert body == [
            ["Bursary", "session", "20", "3", "17", "ada@example.org", "voucher", "2", "1"],
            ["Bursary", "session", "20", "3", "17", "bo@example.org", "voucher", "1", "1"],
            ["Bursary", "session", "20", "3", "17", "cy@example.org", "voucher", "0", "0"],
        ]
        assert all(row[7] for row in rows[1:])  # joined_at

    def test_months_table(self, client):
        partner, _, _ = _report_fixture()
        client.force_login(partner_admin(partner))
        rows = self._rows(
            client.get(reverse("partners:report_csv", args=[partner.slug]), {"table": "months"})
        )
        assert rows[0] == ["pool", "unit", "month", "units", "draws"]
        assert [row[0] for row in rows[1:]] == ["Bursary"]
        assert rows[1][3:] == ["2", "1"]

    def test_unknown_table(self, client):
        partner, _, _ = _report_fixture()
        client.force_login(partner_admin(partner))
        response = client.get(reverse("partners:report_csv", args=[partner.slug]), {"table": "x"})
        assert response.status_code == 400

    def test_cells_that_spreadsheets_would_run_are_defused(self, client):
        partner = PartnerFactory()
        pool = SponsorPoolFactory(partner=partner, name='=HYPERLINK("http://evil")')
        enrolled_client(pool, email="=cmd@example.org")
        client.force_login(partner_admin(partner))
        rows = self._rows(client.get(reverse("partners:report_csv", args=[partner.slug])))
        assert rows[1][0].startswith("'=")
        assert rows[1][5] == "'=cmd@example.org"


def test_a_partner_admin_without_mfa_is_sent_to_enrol_before_reports(client):
    partner = PartnerFactory()
    client.force_login(partner_admin(partner, with_mfa=False))
    response = client.get(reverse("partners:report", args=[partner.slug]))
    assert response.status_code == 302
    assert reverse("mfa_activate_totp") in response["Location"]
