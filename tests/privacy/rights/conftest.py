import pytest

from filestore import private_storage_reset


@pytest.fixture(autouse=True)
def _private_media_in_tmp(settings, tmp_path):
    """Export zips written by a test land in its own folder."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    private_storage_reset()
    yield
    private_storage_reset()
