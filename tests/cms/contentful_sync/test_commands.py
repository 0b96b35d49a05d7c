"""manage.py contentful_sync [--full]."""

import pytest
from django.core.management import CommandError, call_command

from cms.contentful_sync.models import ContentfulRecord, ContentfulSyncRun
from integrations.contentful.local import LocalContentful
from integrations.contentful.types import ContentfulRateLimited, ContentfulUnauthorized

pytestmark = pytest.mark.django_db


def test_the_command_syncs_and_reports(capsys):
    LocalContentful.publish(content_type="cat", entry_id="tom", fields={"name": "Tom"})

    call_command("contentful_sync")
    call_command("contentful_sync", "--full")

    output = capsys.readouterr().out
    assert "1 new or changed" in output and "1 unchanged" in output
    assert ContentfulRecord.objects.count() == 1
    assert list(ContentfulSyncRun.objects.order_by("pk").values_list("is_full", flat=True)) == [
        False,
        True,
    ]


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (ContentfulRateLimited("429", reset_seconds=9), "run again in 9 s"),
        (ContentfulUnauthorized("bad token"), "bad token"),
    ],
)
def test_failures_exit_with_the_reason(error, message):
    LocalContentful.fail_next(error)

    with pytest.raises(CommandError, match=message):
        call_command("contentful_sync")


def test_the_demo_space_syncs_into_the_library(capsys):
    from cms.library.models import LibraryItemPage
    from tests.cms.library.factories import library_index

    library_index()
    LocalContentful.reset(demo=True)

    call_command("contentful_sync")

    titles = sorted(LibraryItemPage.objects.live().values_list("title", flat=True))
    assert titles == [
        "Three breathing exercises for a busy day",
        "What to expect from your first therapy session",
    ]
    assert "not applied" not in capsys.readouterr().out
