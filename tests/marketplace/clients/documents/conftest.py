import base64
import os

import pytest

from filestore import private_storage_reset
from integrations.kms import get_kms


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    """Each test writes its blobs into its own folder, with its own local master key."""
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    settings.KMS_GATEWAY = "integrations.kms.local.LocalKms"
    settings.KMS_LOCAL_MASTER_KEYS = [f"test-1={base64.b64encode(os.urandom(32)).decode()}"]
    private_storage_reset()
    get_kms.cache_clear()
    yield tmp_path / "private"
    private_storage_reset()
    get_kms.cache_clear()


def stored_blobs(root) -> list:
    folder = root / "client-documents"
    return sorted(folder.iterdir()) if folder.exists() else []
