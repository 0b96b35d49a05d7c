import pytest
from django.test import override_settings

from integrations.klaviyo import get_klaviyo
from integrations.klaviyo.local import LocalKlaviyo


@pytest.fixture(autouse=True)
def local_klaviyo():
    """An empty offline Klaviyo and a configured list for every test."""
    get_klaviyo.cache_clear()
    LocalKlaviyo.reset()
    with override_settings(
        KLAVIYO_GATEWAY="integrations.klaviyo.local.LocalKlaviyo",
        KLAVIYO_LIST_ID="LIST123",
        LEADS_RATE_LIMIT="5/10m",
    ):
        yield LocalKlaviyo
    LocalKlaviyo.reset()
    get_klaviyo.cache_clear()


@pytest.fixture
def staff_client(client):
    """Signed in as Staff (with the second factor staff must have)."""
    from accounts.roles import Role
    from tests.accounts.factories import UserFactory, enrol_totp

    user = UserFactory(roles=[Role.STAFF])
    enrol_totp(user)
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def editor_client(client):
    """Signed in as a marketer (Editors group, second factor enrolled)."""
    from accounts.roles import Role
    from tests.accounts.factories import UserFactory, enrol_totp

    user = UserFactory(roles=[Role.EDITOR])
    enrol_totp(user)
    client.force_login(user)
    client.user = user
    return client
