"""Keeps the search index in step with topics.

Wagtail indexes a page on post_save, but a page's topics (a ParentalManyToManyField) are
written after that save, so the entry would lag one publish behind. Wagtail's
`page_published` signal comes once everything is written."""

from wagtail.search import index
from wagtail.signals import page_published


def reindex_published_item(sender, instance, **kwargs):
    index.insert_or_update_object(instance.specific)


def connect() -> None:
    from cms.library.models import LibraryItemPage

    page_published.connect(
        reindex_published_item, sender=LibraryItemPage, dispatch_uid="library-reindex"
    )
