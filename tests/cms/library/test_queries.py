"""The library's pages and API read a fixed number of queries however many items exist."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.cms.library.factories import LibraryItemFactory, TopicFactory, library_index, viewer
from tests.marketplace.practitioners.factories import ModalityFactory

pytestmark = pytest.mark.django_db

LEVELS = ["public", "account", "member", "premium", "credits"]
VIEWERS = ["anonymous", "free", "premium"]
REQUESTS = [
    ("/library/", {}),
    ("/library/", {"q": "teaser"}),
    ("/library/", {"format": "article", "level": "beginner", "page": "2"}),
    ("/api/v1/library/", {}),
    ("/api/v1/library/", {"q": "teaser", "limit": "50"}),
]


def _fill(count: int, topics, modality):
    for number in range(count):
        LibraryItemFactory(
            access_level=LEVELS[number % len(LEVELS)],
            modality=modality if number % 2 else None,
            topics=topics[: number % 3],
        )


def _queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


def _measure(clients) -> dict:
    return {
        (kind, url, tuple(params.items())): _queries(client, url, params)
        for kind, client in clients.items()
        for url, params in REQUESTS
    }


def test_query_counts_do_not_grow_from_10_to_200_items():
    library_index()
    topics, modality = [TopicFactory(), TopicFactory()], ModalityFactory()
    clients = {}
    for kind in VIEWERS:
        clients[kind] = APIClient()
        user = viewer(kind)
        if user is not None:
            clients[kind].force_login(user)

    _fill(10, topics, modality)
    with_ten = _measure(clients)
    _fill(190, topics, modality)
    with_two_hundred = _measure(clients)

    grew = {
        key: (with_ten[key], count)
        for key, count in with_two_hundred.items()
        if count > with_ten[key]
    }
    assert not grew, f"query counts grew (10 items, 200 items): {grew}"
