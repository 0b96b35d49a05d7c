import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings

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


@pytest.fixture(scope="session")
def bundle(tmp_path_factory) -> Path:
    """`make assets` into a temporary folder (the working tree's static/dist is left alone)."""
    out = tmp_path_factory.mktemp("assets")
    result = subprocess.run(  # noqa: S603
        ["make", "--no-print-directory", "assets", f"ASSETS_OUT={out}", f"ASSETS_META={out}"],  # noqa: S607
        cwd=Path(django_settings.BASE_DIR),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out
