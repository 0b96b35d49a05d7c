"""Snippets shown on cached pages (testimonials, FAQs, blog authors) have no publish step,
so saving or deleting one empties the page cache too."""

from wagtail import hooks

from marketing_site.pages.caching import page_cache_purge


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
@hooks.register("after_delete_snippet")
@hooks.register("after_delete_page")
def purge_page_cache(request, *args) -> None:
    page_cache_purge()
