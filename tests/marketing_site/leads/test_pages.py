"""The page types editors build: the Wagtail form page (contact) whose submissions also
create the lead, and the newsletter page holding lead form blocks."""

import pytest
from django.core import mail
from wagtail.test.utils import WagtailPageTestCase

from marketing_site.leads.forms import submission_token_new
from marketing_site.leads.models import Lead, LeadFormPage, LeadFormSubmission, NewsletterPage
from marketing_site.pages.models import HomePage
from tests.marketing_site.leads.factories import contact_page, newsletter_page


class LeadPageTypesTest(WagtailPageTestCase):
    def test_editors_can_add_both_pages_under_the_home_page(self):
        self.assertCanCreateAt(HomePage, LeadFormPage)
        self.assertCanCreateAt(HomePage, NewsletterPage)

    def test_the_pages_route_and_render(self):
        for page in (newsletter_page(), contact_page()):
            self.assertPageIsRoutable(page)
            self.assertPageIsRenderable(page)

    def test_editors_can_edit_and_preview_both_pages(self):
        from wagtail.test.utils.form_data import (
            inline_formset,
            nested_form_data,
            rich_text,
            streamfield,
        )

        from tests.accounts.factories import UserFactory, enrol_totp

        editor = UserFactory(is_superuser=True, is_staff=True)
        enrol_totp(editor)
        newsletter, contact = newsletter_page(), contact_page()
        newsletter_data = nested_form_data(
            {
                "title": newsletter.title,
                "slug": newsletter.slug,
                "intro": rich_text("<p>Monthly letter.</p>"),
                "body": streamfield([]),
            }
        )
        fields = [
            {
                "id": field.pk,
                "label": field.label,
                "field_type": field.field_type,
                "required": "on",
                "choices": "",
                "default_value": "",
                "help_text": "",
            }
            for field in contact.form_fields.all()
        ]
        contact_data = nested_form_data(
            {
                "title": contact.title,
                "slug": contact.slug,
                "intro": rich_text(""),
                "form_fields": inline_formset(fields, initial=len(fields)),
                "consent_text": contact.consent_text,
                "interest": contact.interest,
                "submit_label": contact.submit_label,
                "thank_you_text": rich_text(""),
                "from_address": "",
                "to_address": "",
                "subject": "",
            }
        )

        for page, data in ((newsletter, newsletter_data), (contact, contact_data)):
            self.assertPageIsEditable(page, user=editor, post_data=data)
            self.assertPageIsPreviewable(page, user=editor, post_data=data)


pytestmark = pytest.mark.django_db

CONTACT_FIELDS = {
    "your_name": "Ada Lovelace",
    "email": "Ada@Example.org",
    "message": "Do you offer evening sessions?",
}


def contact(**extra) -> dict:
    """The contact form's fields with a fresh submission token, as a rendered form has."""
    return {**CONTACT_FIELDS, "submission_token": submission_token_new(), **extra}


def test_a_contact_submission_is_stored_and_creates_the_lead(
    client, django_capture_on_commit_callbacks
):
    page = contact_page()
    client.get("/contact/?utm_source=flyer&utm_campaign=autumn")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page.url, {**contact(), "consent": "on"}, follow=True)

    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    submission = LeadFormSubmission.objects.get(page=page)
    assert submission.form_data["email"] == "Ada@Example.org"
    assert "website" not in submission.form_data
    lead = Lead.objects.get()
    assert (lead.email, lead.name, lead.interest) == ("ada@example.org", "Ada Lovelace", "contact")
    assert lead.message == "Do you offer evening sessions?"
    assert lead.consent_text == "Also email me the newsletter."
    assert (lead.source, lead.campaign) == ("flyer", "autumn")
    assert [message.to for message in mail.outbox] == [["ada@example.org"]]


def test_contact_without_marketing_consent_stores_the_lead_without_consent(client):
    page = contact_page()

    client.post(page.url, contact())

    lead = Lead.objects.get()
    assert lead.consent_given_at is None and lead.consent_text == ""
    assert mail.outbox == []


def test_a_second_message_updates_the_same_lead(client):
    page = contact_page()
    client.post(page.url, contact())

    client.post(page.url, {**contact(), "message": "And weekends?"})

    assert Lead.objects.get().message == "And weekends?"
    assert LeadFormSubmission.objects.filter(page=page).count() == 2


def test_invalid_contact_posts_show_errors(client):
    page = contact_page()

    response = client.post(page.url, {**contact(), "email": "nope"})

    assert response.status_code == 400
    assert "There is a problem with what you entered" in response.content.decode()
    assert not LeadFormSubmission.objects.exists() and not Lead.objects.exists()


def test_contact_honeypot_and_rate_limit(client, settings):
    page = contact_page()
    settings.CONTACT_FORM_RATE_LIMIT = "2/h"

    assert client.post(page.url, {**contact(), "website": "x"}).status_code == 302
    assert not LeadFormSubmission.objects.exists()
    client.post(page.url, contact())
    limited = client.post(page.url, contact())

    assert limited.status_code == 429
    assert "You&#x27;ve sent several messages; please wait" in limited.content.decode()
    assert LeadFormSubmission.objects.count() == 1


def test_a_form_without_an_email_field_stores_the_submission_only(client):
    page = contact_page()
    page.form_fields.filter(field_type="email").delete()

    client.post(
        page.url,
        {"your_name": "Ada", "message": "hi", "submission_token": submission_token_new()},
    )

    assert LeadFormSubmission.objects.count() == 1
    assert not Lead.objects.exists()


@pytest.mark.parametrize("count", [10, 200])
def test_the_newsletter_page_queries_do_not_grow_with_leads(
    count, client, django_assert_max_num_queries
):
    from tests.marketing_site.leads.factories import LeadFactory

    page = newsletter_page()
    LeadFactory.create_batch(count)

    with django_assert_max_num_queries(12):
        assert client.get(page.url).status_code == 200


def test_form_pages_carry_the_seo_fields(client):
    from tests.cms.core.factories import ImageFactory
    from tests.cms.core.html import parse_head

    page = contact_page()
    page.noindex = True
    page.canonical_url = "https://aeyia.example.org/contact/"
    page.og_image = ImageFactory()
    page.save_revision().publish()
    newsletter_page()

    head = parse_head(client.get(page.url).content.decode())
    sitemap = client.get("/sitemap.xml").content.decode()

    assert head.meta["robots"] == ["noindex"]
    assert head.links["canonical"] == ["https://aeyia.example.org/contact/"]
    assert ".fill-1200x630" in head.meta["og:image"][0]
    assert head.meta["twitter:card"] == ["summary_large_image"]
    assert "/contact/" not in sitemap
    assert "http://localhost/newsletter/" in sitemap
