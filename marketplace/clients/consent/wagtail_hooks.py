"""Staff edit the consent documents in Wagtail (Snippets → Consent documents): drafts,
revisions and publishing. Publishing freezes a new ConsentVersion (registrations.py).
Signatures are not shown here: staff do not read clients' consent evidence."""

from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from marketplace.clients.consent.models import ConsentDocument


class ConsentDocumentViewSet(SnippetViewSet):
    model = ConsentDocument
    icon = "doc-full"
    menu_label = "Consent documents"
    list_display = ["title", "kind", "live", "last_published_at"]
    panels = [FieldPanel("kind"), FieldPanel("title"), FieldPanel("body")]


register_snippet(ConsentDocumentViewSet)
