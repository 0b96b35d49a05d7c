"""One lead per email under real concurrency: a person double-clicks, or an app retries,
and several submissions for a new address reach the server at the same instant. Each
gets the same 202 and one row holds them all (PostgreSQL: the unique index decides and
the losers update the winner's row; SQLite: serialized write transactions)."""

import json
import threading
import urllib.error
import urllib.request
from collections import Counter

import pytest

from marketing_site.leads.attribution import Attribution
from marketing_site.leads.models import Lead
from marketing_site.leads.services import lead_capture
from tests.concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)

CONTENDERS = 8


def _post_lead(base_url: str, email: str, name: str) -> str:
    body = json.dumps(
        {
            "email": email,
            "name": name,
            "consent": True,
            "consent_text": "Email me the newsletter.",
            "utm_source": "race",
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - the test's own server
        f"{base_url}/api/v1/leads/",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return str(response.status)
    except urllib.error.HTTPError as error:
        return str(error.code)


def test_simultaneous_submissions_for_a_new_email_make_one_lead(live_server, settings):
    settings.LEADS_RATE_LIMIT = "1000/10m"

    def submit(index: int):
        return lambda: _post_lead(live_server.url, "Racing.Person@Example.org", f"Racer {index}")

    outcomes = race([submit(index) for index in range(CONTENDERS)])

    assert outcomes == Counter({"202": CONTENDERS}), outcomes
    lead = Lead.objects.get()
    assert lead.email == "racing.person@example.org"
    assert lead.submission_count == CONTENDERS
    assert lead.first_touch["utm_source"] == "race"


def test_submissions_that_all_found_no_lead_still_make_one(monkeypatch):
    """The widest race, made certain: every submission has looked for the lead (and found
    none) before the first one inserts it."""
    looked = threading.Barrier(CONTENDERS)
    real_save = Lead.save

    def save_after_everyone_looked(self, *args, **kwargs):
        if self._state.adding:
            try:
                # On SQLite the writers are serialized before they look, so nobody else
                # can arrive: the wait ends after a second and the save goes on.
                looked.wait(timeout=1)
            except threading.BrokenBarrierError:
                pass
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Lead, "save", save_after_everyone_looked)

    def submit(index: int):
        return lambda: lead_capture(
            email="same.person@example.org",
            name=f"Racer {index}",
            consent_text="Email me the newsletter.",
            is_consent_given=True,
            attribution=Attribution(first_touch={"utm_source": "race"}, last_touch={}),
        )

    outcomes = race([submit(index) for index in range(CONTENDERS)])

    assert outcomes == Counter({"ok": CONTENDERS}), outcomes
    assert Lead.objects.get().submission_count == CONTENDERS
