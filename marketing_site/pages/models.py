from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from marketing_site.pages.blocks import BodyBlock


class HomePage(Page):
    """The public front door: a hero and an editor-composed body."""

    hero_heading = models.CharField(max_length=120)
    hero_text = models.TextField(blank=True)
    hero_cta_text = models.CharField(max_length=40, blank=True)
    hero_cta_url = models.CharField(max_length=200, blank=True)
    body = StreamField(BodyBlock(), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("hero_heading"),
        FieldPanel("hero_text"),
        FieldPanel("hero_cta_text"),
        FieldPanel("hero_cta_url"),
        FieldPanel("body"),
    ]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1
