"""`LeadFormBlock`: a sign-up form editors can drop into any StreamField (home, landing
and newsletter pages). It posts to the CSRF-exempt lead endpoint, so the page around it
can be cached for anonymous visitors (see docs/decisions/0011-leads-and-klaviyo.md)."""

import uuid

from django.urls import reverse
from wagtail import blocks

DEFAULT_CONSENT_TEXT = (
    "Email me Aeyia's newsletter: new practitioners, courses and offers. "
    "I can unsubscribe at any time."
)


class LeadFormBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120, default="Stay in touch")
    intro = blocks.TextBlock(required=False)
    consent_text = blocks.TextBlock(
        default=DEFAULT_CONSENT_TEXT,
        help_text="Shown next to the consent box and stored with each lead, word for word.",
    )
    button_label = blocks.CharBlock(max_length=40, default="Sign up")
    interest = blocks.CharBlock(
        max_length=80,
        required=False,
        help_text="Optional tag stored on the lead and sent to Klaviyo (e.g. yoga, courses).",
    )

    class Meta:
        template = "leads/blocks/lead_form.html"
        icon = "mail"
        label = "Lead form"

    def get_context(self, value, parent_context=None):
        from marketing_site.leads.forms import LeadForm, form_token_for

        context = super().get_context(value, parent_context=parent_context)
        request = (parent_context or {}).get("request")
        context["form"] = LeadForm(
            consent_text=value["consent_text"],
            # Unique ids: a page may hold more than one lead form.
            auto_id=f"lead-{uuid.uuid4().hex[:8]}-%s",
            initial={
                "form_token": form_token_for(
                    consent_text=value["consent_text"],
                    interest=value.get("interest") or "",
                    button_label=value["button_label"],
                    heading=value["heading"],
                ),
                "source_page": request.path if request is not None else "",
            },
        )
        context["action_url"] = reverse("leads:submit")
        return context


class NewsletterBodyBlock(blocks.StreamBlock):
    rich_text = blocks.RichTextBlock(features=["h2", "h3", "bold", "italic", "link", "ol", "ul"])
    lead_form = LeadFormBlock()
