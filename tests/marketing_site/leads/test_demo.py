"""seed_leads() makes the demo pages and leads, and can run again."""

import pytest

from marketing_site.leads.demo import seed_leads
from marketing_site.leads.models import Lead, LeadFormPage, NewsletterPage
from marketing_site.leads.selectors import lead_funnel
from marketing_site.pages.demo import seed_home_page

pytestmark = pytest.mark.django_db


def test_seed_leads_is_complete_and_idempotent(client):
    seed_home_page()

    lines = seed_leads()
    seed_leads()

    assert any("/cms/leads/funnel/" in line for line in lines)
    assert LeadFormPage.objects.get().url == "/contact/"
    assert NewsletterPage.objects.get().url == "/newsletter/"
    assert LeadFormPage.objects.get().form_fields.count() == 3
    assert Lead.objects.count() == 7
    assert lead_funnel().total.leads == 7
    assert lead_funnel().total.unsubscribed == 2  # one here, one hard bounce
    assert client.get("/contact/").status_code == 200
    assert client.get("/newsletter/").status_code == 200


def test_seed_leads_without_a_home_page_does_nothing():
    assert seed_leads() == []
