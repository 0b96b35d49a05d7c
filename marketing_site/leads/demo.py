"""Demo lead capture for the embedded default: a contact form page, a newsletter page
with the lead form block, and a few attributed leads so the funnel report has a picture."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page

from marketing_site.leads.blocks import DEFAULT_CONSENT_TEXT
from marketing_site.leads.models import Lead, LeadFormField, LeadFormPage, NewsletterPage

CONTACT_CONSENT = "Also email me Aeyia's newsletter. I can unsubscribe at any time."

# (email, name, source, campaign, medium, days ago, confirmed, signed-up account email)
DEMO_LEADS = [
    ("maya.lead@example.org", "Maya Okafor", "instagram", "spring-calm", "social", 40, True, None),
    ("tom.lead@example.org", "Tom Reyes", "instagram", "spring-calm", "social", 33, True, None),
    ("ines.lead@example.org", "Inès Laurent", "google", "", "organic", 28, True, None),
    ("omar.lead@example.org", "Omar Haddad", "google", "", "organic", 20, False, None),
    ("lena.lead@example.org", "Lena Fischer", "newsletter", "may-letter", "email", 15, True, None),
    ("sam.lead@example.org", "Sam Ito", "direct", "", "", 9, False, None),
    ("client@aeyia.local", "Clara Client", "instagram", "spring-calm", "social", 45, True,
     "client@aeyia.local"),
]  # fmt: skip

# Demo leads who withdrew consent, so the funnel shows unsubscribes: (email, days after
# confirming, reason).
DEMO_UNSUBSCRIBES = [
    ("tom.lead@example.org", 12, "aeyia"),
    ("ines.lead@example.org", 5, "hard_bounce"),
]


def _home() -> Page | None:
    from marketing_site.pages.models import HomePage

    return HomePage.objects.first()


def _seed_contact_page(home: Page) -> LeadFormPage:
    page = LeadFormPage.objects.filter(slug="contact").first()
    if page is not None:
        return page
    page = LeadFormPage(
        title="Contact us",
        slug="contact",
        intro="<p>Questions about sessions, courses or working with us? Write to us and "
        "we will answer within two working days.</p>",
        consent_text=CONTACT_CONSENT,
        interest="contact",
        submit_label="Send message",
        thank_you_text="<p>Thank you for writing. We will answer within two working days.</p>",
    )
    home.add_child(instance=page)
    fields = [
        ("Your name", "singleline", True),
        ("Email", "email", True),
        ("Message", "multiline", True),
    ]
    for order, (label, field_type, required) in enumerate(fields):
        LeadFormField.objects.create(
            page=page, sort_order=order, label=label, field_type=field_type, required=required
        )
    page.save_revision().publish()
    return page


def _seed_newsletter_page(home: Page) -> NewsletterPage:
    page = NewsletterPage.objects.filter(slug="newsletter").first()
    if page is not None:
        return page
    page = NewsletterPage(
        title="Newsletter",
        slug="newsletter",
        intro="<p>One letter a month: new practitioners, courses and small practices for "
        "calmer days.</p>",
        body=[
            {
                "type": "lead_form",
                "value": {
                    "heading": "Get the Aeyia letter",
                    "intro": "We will ask you to confirm by email before we send anything.",
                    "consent_text": DEFAULT_CONSENT_TEXT,
                    "button_label": "Sign up",
                    "interest": "newsletter",
                },
            }
        ],
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def _seed_demo_leads() -> None:
    now = timezone.now()
    users = get_user_model().objects
    for email, name, source, campaign, medium, days, confirmed, account in DEMO_LEADS:
        at = now - timedelta(days=days)
        touch = {"utm_source": source, "utm_medium": medium, "utm_campaign": campaign}
        touch = {key: value for key, value in touch.items() if value and source != "direct"}
        touch["landing_page"] = "/newsletter/"
        touch["at"] = at.isoformat()
        user = users.filter(email=account).first() if account else None
        Lead.objects.update_or_create(
            email=email,
            defaults={
                "name": name,
                "interest": "newsletter",
                "consent_text": DEFAULT_CONSENT_TEXT,
                "consent_given_at": at,
                "confirmation_sent_at": at,
                "confirmed_at": at + timedelta(minutes=7) if confirmed else None,
                "source_page": "/newsletter/",
                "source": source,
                "campaign": campaign,
                "utm_source": touch.get("utm_source", ""),
                "utm_medium": touch.get("utm_medium", ""),
                "utm_campaign": touch.get("utm_campaign", ""),
                "first_touch": touch if source != "direct" else {},
                "last_touch": touch if source != "direct" else {},
                "user": user,
                "signed_up_at": at + timedelta(days=2) if user else None,
            },
        )
        Lead.objects.filter(email=email).update(created_at=at)
    for email, days, reason in DEMO_UNSUBSCRIBES:
        lead = Lead.objects.filter(email=email, confirmed_at__isnull=False).first()
        if lead is not None and lead.confirmed_at is not None:
            Lead.objects.filter(pk=lead.pk).update(
                unsubscribed_at=lead.confirmed_at + timedelta(days=days),
                unsubscribe_reason=reason,
            )


def seed_leads() -> list[str]:
    """The demo contact/newsletter form pages and a few attributed leads for the funnel
    report (idempotent)."""
    home = _home()
    if home is None:
        return []
    contact = _seed_contact_page(home)
    newsletter = _seed_newsletter_page(home)
    _seed_demo_leads()
    url = settings.SITE_URL.rstrip("/")
    return [
        f"Lead forms: {url}{contact.url}  and  {url}{newsletter.url}",
        f"Lead funnel (editors and staff): {url}{reverse('leads_admin_funnel')}",
    ]
