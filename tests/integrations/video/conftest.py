import pytest

from integrations.video import get_video_provider
from integrations.video.local import LocalVideoProvider


@pytest.fixture(autouse=True)
def _clean_video_state():
    LocalVideoProvider.reset()
    get_video_provider.cache_clear()
    yield
    LocalVideoProvider.reset()
    get_video_provider.cache_clear()
