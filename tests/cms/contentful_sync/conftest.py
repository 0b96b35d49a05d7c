import pytest

from integrations.contentful import get_contentful
from integrations.contentful.local import LocalContentful
from tests.integrations.contentful.recordings import use_live_adapter


@pytest.fixture(autouse=True)
def _clean_space(settings, tmp_path):
    """An empty offline space, a fresh adapter and images written to this test's folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CONTENTFUL_GATEWAY = "integrations.contentful.local.LocalContentful"
    LocalContentful.reset()
    get_contentful.cache_clear()
    yield
    LocalContentful.reset()
    get_contentful.cache_clear()


@pytest.fixture
def live_adapter(settings):
    """The live adapter for Contentful's demo space, answered by `responses`."""
    use_live_adapter(settings)
    return settings
