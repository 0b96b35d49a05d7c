"""Onboarding tests write photos and documents: each test gets its own media folders,
and the offline KYC adapter starts with an empty record."""

import pytest

from integrations.kyc.local import LocalKyc


@pytest.fixture(autouse=True)
def _media_folders(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _fresh_local_kyc():
    LocalKyc.reset()
    yield
    LocalKyc.reset()
