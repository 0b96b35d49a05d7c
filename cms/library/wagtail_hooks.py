from wagtail import hooks
from wagtail.search import index

from cms.library.models import LibraryItemPage, Topic


def _reindex_items_of(topic: Topic) -> None:
    # Topic names are part of the items' search entries.
    for item in LibraryItemPage.objects.filter(topics=topic).live():
        index.insert_or_update_object(item)


@hooks.register("after_edit_snippet")
def reindex_after_topic_edit(request, instance):
    if isinstance(instance, Topic):
        _reindex_items_of(instance)
