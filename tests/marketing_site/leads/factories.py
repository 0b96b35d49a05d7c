"""Leads and lead pages for tests."""

import factory
from django.utils import timezone

from marketing_site.leads.blocks import DEFAULT_CONSENT_TEXT
from marketing_site.leads.models import Lead, LeadFormField, LeadFormPage, NewsletterPage
from marketing_site.pages.demo import seed_home_page


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    email = factory.Sequence(lambda n: f"lead{n}@example.org")
    name = factory.Faker("name")
    consent_text = DEFAULT_CONSENT_TEXT
    consent_given_at = factory.LazyFunction(timezone.now)
    source = "direct"
    source_page = "/newsletter/"


def newsletter_page(*, interest: str = "newsletter", consent_text: str = DEFAULT_CONSENT_TEXT):
    """A published page at /newsletter/ holding one LeadFormBlock."""
    home = seed_home_page()
    page = NewsletterPage(
        title="Newsletter",
        slug="newsletter",
        intro="<p>Monthly letter.</p>",
        body=[
            {
                "type": "lead_form",
                "value": {
                    "heading": "Get the Aeyia letter",
                    "intro": "Confirm by email first.",
                    "consent_text": consent_text,
                    "button_label": "Sign up",
                    "interest": interest,
                },
            }
        ],
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def contact_page(*, slug: str = "contact") -> LeadFormPage:
    """A published Wagtail form page with name, email and message fields."""
    home = seed_home_page()
    page = LeadFormPage(
        title="Contact us",
        slug=slug,
        consent_text="Also email me the newsletter.",
        interest="contact",
        submit_label="Send message",
    )
    home.add_child(instance=page)
    for order, (label, field_type) in enumerate(
        [("Your name", "singleline"), ("Email", "email"), ("Message", "multiline")]
    ):
        LeadFormField.objects.create(
            page=page, sort_order=order, label=label, field_type=field_type, required=True
        )
    page.save_revision().publish()
    return page
