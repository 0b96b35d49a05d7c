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


@pytest.fixture(autouse=True)
def aws_environment(monkeypatch, tmp_path, settings):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    settings.AWS_CHIME_REGION = "us-east-1"
    settings.CHIME_MEDIA_REGION = "eu-west-2"
    settings.CHIME_RECORDING_BUCKET = "aeyia-recordings"
