import pytest

from integrations.contentful import get_contentful
from integrations.contentful.live import ContentfulLiveClient
from integrations.contentful.local import LocalContentful
from integrations.contentful.types import ContentfulUnauthorized


def test_the_factory_loads_the_adapter_the_setting_names(live_settings):
    settings = live_settings
    settings.CONTENTFUL_GATEWAY = "integrations.contentful.local.LocalContentful"
    get_contentful.cache_clear()
    assert isinstance(get_contentful(), LocalContentful)
    assert get_contentful() is get_contentful()

    settings.CONTENTFUL_GATEWAY = "integrations.contentful.live.ContentfulLiveClient"
    get_contentful.cache_clear()
    try:
        assert isinstance(get_contentful(), ContentfulLiveClient)
    finally:
        get_contentful.cache_clear()


def test_the_live_adapter_refuses_to_start_without_space_and_token(live_settings):
    live_settings.CONTENTFUL_ACCESS_TOKEN = ""

    with pytest.raises(ContentfulUnauthorized, match="CONTENTFUL_ACCESS_TOKEN"):
        ContentfulLiveClient()
