"""Testimonials and FAQ items are Wagtail snippets editors manage."""

import pytest
from wagtail.snippets.models import get_snippet_models

from cms.core import models as snippets
from cms.core.seo import SeoMixin
from tests.cms.core.factories import FaqItemFactory, TestimonialFactory


def test_testimonials_and_faqs_are_snippets():
    assert {snippets.Testimonial, snippets.FaqItem} <= set(get_snippet_models())


def test_seo_mixin_is_abstract_with_its_own_promote_panels():
    assert SeoMixin._meta.abstract
    fields = {panel.field_name for panel in SeoMixin.seo_panels[0].children}
    assert fields == {"og_image", "canonical_url", "noindex"}


@pytest.mark.django_db
def test_snippets_read_well_in_choosers():
    testimonial = TestimonialFactory(person_name="Hannah R.", quote="It helped a great deal.")
    faq = FaqItemFactory(question="Can I meet online?")

    assert str(testimonial) == "Hannah R.: It helped a great deal."
    assert str(faq) == "Can I meet online?"
