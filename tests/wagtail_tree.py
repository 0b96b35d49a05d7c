"""Wagtail's default locale, root page and root collection come from its data migrations,
so the flush after a committing (transactional) test removes them. Factories and fixtures
that build pages call `ensure_wagtail_tree()` first. (Serialized rollback cannot bring them
back reliably: the flush re-creates content types, which the restore then collides with.)"""

from django.conf import settings
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Collection, Locale, Page


def ensure_wagtail_tree() -> None:
    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root"))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
