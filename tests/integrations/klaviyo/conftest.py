import pytest
from django.test import override_settings

from integrations.klaviyo import get_klaviyo
from integrations.klaviyo.local import LocalKlaviyo


@pytest.fixture(autouse=True)
def local_klaviyo():
    """Each test starts with an empty offline Klaviyo and a fresh adapter."""
    get_klaviyo.cache_clear()
    LocalKlaviyo.reset()
    with override_settings(KLAVIYO_GATEWAY="integrations.klaviyo.local.LocalKlaviyo"):
        yield LocalKlaviyo
    LocalKlaviyo.reset()
    get_klaviyo.cache_clear()
