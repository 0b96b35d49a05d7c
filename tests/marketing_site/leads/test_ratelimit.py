"""The lead rate limit counts visitors, not the proxy in front of us: the address comes from
allauth's rule (TRUSTED_PROXY_COUNT), a forged X-Forwarded-For never picks a bucket, and
garbage in the header is never a 500."""

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse

from marketing_site.leads.models import Lead
from marketing_site.leads.ratelimit import client_address
from tests.marketing_site.leads.factories import newsletter_page

pytestmark = pytest.mark.django_db

API_URL = "/api/v1/leads/"
INGRESS = "10.42.0.7"  # the ingress pod: REMOTE_ADDR of every request that came through it
ADA = "203.0.113.7"
GRACE = "198.51.100.23"

# Values a client (or a broken hop) could put in the header.
GARBAGE = [
    "garbage",
    " , ",
    f"{ADA}, garbage",
    "999.1.2.3",
    "x" * 5000,
    "\x00",
    "<script>alert(1)</script>",
    "203.0.113.7; DROP TABLE",
]


@pytest.fixture
def trusted_proxies(settings):
    """Sets the proxy count the way config.settings.components.auth does from the env: ours
    and allauth's together."""

    def set_count(count: int) -> None:
        settings.TRUSTED_PROXY_COUNT = count
        settings.ALLAUTH_TRUSTED_PROXY_COUNT = count

    return set_count


def _request(*, forwarded_for: str | None = None, remote_addr: str | None = INGRESS):
    request = RequestFactory().post("/leads/submit/")
    if remote_addr is None:
        del request.META["REMOTE_ADDR"]
    else:
        request.META["REMOTE_ADDR"] = remote_addr
    if forwarded_for is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return request


def _post_lead(client, *, email: str, forwarded_for: str | None = None):
    extra = {"REMOTE_ADDR": INGRESS}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    body = {"email": email, "consent": True, "consent_text": "Email me the newsletter."}
    return client.post(API_URL, body, content_type="application/json", **extra)


# --- which address counts ----------------------------------------------------------------


@pytest.mark.parametrize("forged", ["", ADA, f"{GRACE}, {ADA}", "garbage", f"{ADA}:443"])
def test_with_no_trusted_proxy_the_header_is_ignored(trusted_proxies, forged):
    trusted_proxies(0)

    assert client_address(_request(forwarded_for=forged)) == INGRESS


def test_with_one_trusted_proxy_the_address_it_appended_counts(trusted_proxies):
    trusted_proxies(1)

    assert client_address(_request(forwarded_for=ADA)) == ADA
    # The client wrote the left entry itself; our proxy appended the right one.
    assert client_address(_request(forwarded_for=f"{GRACE}, {ADA}")) == ADA
    assert client_address(_request(forwarded_for=f"{GRACE},{ADA}")) == ADA


def test_ports_and_ipv6_are_read_as_addresses(trusted_proxies):
    trusted_proxies(1)

    assert client_address(_request(forwarded_for=f"{ADA}:51234")) == ADA
    assert client_address(_request(forwarded_for="[2001:db8::1]:443")) == "2001:db8::1"
    assert client_address(_request(forwarded_for="2001:DB8:0::1")) == "2001:db8::1"


def test_with_two_trusted_proxies_the_second_entry_from_the_right_counts(trusted_proxies):
    trusted_proxies(2)

    # client-written, then what the load balancer saw, then what the ingress saw
    assert client_address(_request(forwarded_for=f"{GRACE}, {ADA}, 10.0.0.2")) == ADA


def test_without_the_header_the_peer_counts(trusted_proxies):
    trusted_proxies(1)

    assert client_address(_request()) == INGRESS


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_in_the_trusted_hop_falls_back_to_the_peer(trusted_proxies, garbage):
    trusted_proxies(1)

    assert client_address(_request(forwarded_for=garbage)) == INGRESS


def test_fewer_entries_than_trusted_proxies_falls_back_to_the_peer(trusted_proxies):
    # allauth raises ImproperlyConfigured here; for lead capture that must not be a 500.
    trusted_proxies(2)

    assert client_address(_request(forwarded_for=ADA)) == INGRESS


def test_no_address_at_all_is_one_shared_bucket(trusted_proxies):
    trusted_proxies(0)

    assert client_address(_request(remote_addr=None)) == "unknown"
    assert client_address(_request(remote_addr="")) == "unknown"


# --- buckets over HTTP ---------------------------------------------------------------------


def test_with_no_trusted_proxy_a_forged_header_does_not_buy_a_fresh_bucket(
    client, settings, trusted_proxies
):
    trusted_proxies(0)
    settings.LEADS_RATE_LIMIT = "1/10m"
    assert _post_lead(client, email="a@example.org", forwarded_for=ADA).status_code == 202

    response = _post_lead(client, email="b@example.org", forwarded_for=GRACE)

    assert response.status_code == 429
    assert Lead.objects.count() == 1


def test_two_visitors_behind_one_proxy_have_their_own_buckets(client, settings, trusted_proxies):
    trusted_proxies(1)
    settings.LEADS_RATE_LIMIT = "1/10m"

    assert _post_lead(client, email="ada@example.org", forwarded_for=ADA).status_code == 202
    assert _post_lead(client, email="grace@example.org", forwarded_for=GRACE).status_code == 202
    assert _post_lead(client, email="ada2@example.org", forwarded_for=ADA).status_code == 429
    assert _post_lead(client, email="grace2@example.org", forwarded_for=GRACE).status_code == 429
    assert Lead.objects.count() == 2


def test_a_client_written_entry_cannot_pick_another_visitors_bucket(
    client, settings, trusted_proxies
):
    trusted_proxies(1)
    settings.LEADS_RATE_LIMIT = "1/10m"
    assert _post_lead(client, email="ada@example.org", forwarded_for=ADA).status_code == 202

    # Ada, over her limit, claims Grace's address; the ingress appends Ada's real one.
    forged = _post_lead(client, email="ada2@example.org", forwarded_for=f"{GRACE}, {ADA}")
    # ...and cannot use up Grace's bucket either.
    grace = _post_lead(client, email="grace@example.org", forwarded_for=GRACE)

    assert forged.status_code == 429
    assert grace.status_code == 202


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_in_the_header_is_never_a_500_and_shares_the_peers_bucket(
    client, settings, trusted_proxies, garbage
):
    trusted_proxies(1)
    settings.LEADS_RATE_LIMIT = "1/10m"

    first = _post_lead(client, email="a@example.org", forwarded_for=garbage)
    second = _post_lead(client, email="b@example.org", forwarded_for=f"{garbage}, junk")
    visitor = _post_lead(client, email="ada@example.org", forwarded_for=ADA)

    assert first.status_code == 202
    assert second.status_code == 429  # all unreadable requests count as the proxy
    assert visitor.status_code == 202


def test_fewer_entries_than_trusted_proxies_is_never_a_500(client, settings, trusted_proxies):
    trusted_proxies(2)
    settings.LEADS_RATE_LIMIT = "1/10m"

    assert _post_lead(client, email="a@example.org", forwarded_for=ADA).status_code == 202
    assert _post_lead(client, email="b@example.org", forwarded_for=GRACE).status_code == 429


def test_the_html_form_counts_visitors_behind_one_proxy_apart(client, settings, trusted_proxies):
    trusted_proxies(1)
    settings.LEADS_RATE_LIMIT = "1/10m"
    newsletter_page()
    html = client.get("/newsletter/").content.decode()
    fields = {
        "form_token": re.search(r'name="form_token" value="([^"]+)"', html).group(1),
        "consent": "on",
    }

    def submit(email, forwarded_for):
        return client.post(
            reverse("leads:submit"),
            {"email": email, **fields},
            REMOTE_ADDR=INGRESS,
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )

    assert submit("ada@example.org", ADA).status_code == 302
    assert submit("grace@example.org", f"{ADA}, {GRACE}").status_code == 302
    assert submit("ada2@example.org", f"{GRACE}, {ADA}").status_code == 429
    assert submit("bad@example.org", "garbage").status_code == 302


def test_one_ipv6_subscriber_is_one_bucket_whatever_address_of_their_64(client, settings):
    settings.LEADS_RATE_LIMIT = "1/10m"

    def post(email: str, address: str):
        body = {"email": email, "consent": True, "consent_text": "Email me the newsletter."}
        return client.post(API_URL, body, content_type="application/json", REMOTE_ADDR=address)

    assert post("a@example.org", "2001:db8:1:2::10").status_code == 202
    # The same household taking a fresh address from its /64 is the same visitor...
    assert post("b@example.org", "2001:db8:1:2:ffff::1").status_code == 429
    # ...a neighbour in another /64 is not.
    assert post("c@example.org", "2001:db8:1:3::10").status_code == 202
