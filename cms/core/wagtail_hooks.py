from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.core.models import FaqItem, Testimonial


class TestimonialViewSet(SnippetViewSet):
    model = Testimonial
    icon = "openquote"
    menu_label = "Testimonials"
    list_display = ["person_name", "role"]
    search_fields = ["quote", "person_name"]


class FaqItemViewSet(SnippetViewSet):
    model = FaqItem
    icon = "help"
    menu_label = "FAQs"
    list_display = ["question"]
    search_fields = ["question"]


register_snippet(TestimonialViewSet)
register_snippet(FaqItemViewSet)
