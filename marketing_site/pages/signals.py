"""Wagtail's publishing signals empty the marketing page cache (see caching.py)."""

from wagtail.signals import page_published, page_unpublished, post_page_move

from marketing_site.pages.caching import page_cache_purge


def _purge(**kwargs) -> None:
    from marketing_site.pages.templatetags.practise_tags import practise_url_forget

    page_cache_purge()
    practise_url_forget()


def connect() -> None:
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(_purge, dispatch_uid=f"marketing-page-cache-purge-{id(signal)}")
