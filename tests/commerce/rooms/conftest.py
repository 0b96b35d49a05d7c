import base64
import os

import pytest

from filestore import private_storage_reset
from integrations.kms import get_kms
from integrations.video import get_video_provider
from integrations.video.local import LocalVideoProvider


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    """Each test writes recordings and documents into its own folder, with its own local
    master key, and starts with a fresh peer-to-peer adapter."""
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    settings.KMS_GATEWAY = "integrations.kms.local.LocalKms"
    settings.KMS_LOCAL_MASTER_KEYS = [f"test-1={base64.b64encode(os.urandom(32)).decode()}"]
    settings.VIDEO_PROVIDER = "integrations.video.local.LocalVideoProvider"
    private_storage_reset()
    get_kms.cache_clear()
    get_video_provider.cache_clear()
    LocalVideoProvider.reset()
    yield tmp_path / "private"
    private_storage_reset()
    get_kms.cache_clear()
    get_video_provider.cache_clear()
    LocalVideoProvider.reset()
