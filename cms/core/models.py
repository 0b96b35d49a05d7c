"""Snippets shared by every content product: testimonials and frequently asked questions.
The Contentful sync maps Contentful's testimonials and FAQs onto these two models."""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.search import index

from cms.core.seo import SeoMixin

__all__ = ["FaqItem", "SeoMixin", "Testimonial"]

ANSWER_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class Testimonial(index.Indexed, models.Model):
    quote = models.TextField(max_length=600)
    person_name = models.CharField(max_length=120)
    role = models.CharField(
        max_length=160, blank=True, help_text="Role or context, e.g. “Client since 2025”."
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Optional portrait; shown small and round.",
    )

    panels = [
        FieldPanel("quote"),
        FieldPanel("person_name"),
        FieldPanel("role"),
        FieldPanel("image"),
    ]
    search_fields = [index.SearchField("quote"), index.SearchField("person_name")]

    class Meta:
        ordering = ["person_name", "pk"]

    def __str__(self) -> str:
        return f"{self.person_name}: {self.quote[:40]}"


class FaqItem(index.Indexed, models.Model):
    question = models.CharField(max_length=255)
    answer = RichTextField(features=ANSWER_FEATURES)

    panels = [FieldPanel("question"), FieldPanel("answer")]
    search_fields = [index.SearchField("question"), index.SearchField("answer")]

    class Meta:
        ordering = ["question", "pk"]
        verbose_name = "FAQ item"

    def __str__(self) -> str:
        return self.question
