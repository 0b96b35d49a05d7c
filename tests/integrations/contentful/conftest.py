import pytest

from integrations.contentful import get_contentful
from integrations.contentful.local import LocalContentful
from tests.integrations.contentful.recordings import use_live_adapter


@pytest.fixture(autouse=True)
def _empty_local_space():
    LocalContentful.reset()
    yield
    LocalContentful.reset()


@pytest.fixture
def live_settings(settings):
    """The live adapter pointed at Contentful's demo space (served from recordings)."""
    use_live_adapter(settings)
    yield settings
    get_contentful.cache_clear()
