import pytest

from integrations.klaviyo.local import LocalKlaviyo
from integrations.stripe.local import StripeLocalGateway


@pytest.fixture(autouse=True)
def _clean_adapters():
    StripeLocalGateway.reset()
    LocalKlaviyo.reset()
    yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
