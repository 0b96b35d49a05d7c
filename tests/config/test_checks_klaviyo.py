"""The Klaviyo deploy check refuses the offline adapter and a missing API key."""

from django.test import override_settings

from config.checks import check_production_klaviyo


@override_settings(
    KLAVIYO_GATEWAY="integrations.klaviyo.live.KlaviyoLiveClient", KLAVIYO_API_KEY="pk_live"
)
def test_live_adapter_with_a_key_passes():
    assert check_production_klaviyo(None) == []


@override_settings(
    KLAVIYO_GATEWAY="integrations.klaviyo.local.LocalKlaviyo", KLAVIYO_API_KEY="pk_live"
)
def test_local_adapter_is_refused():
    errors = check_production_klaviyo(None)

    assert [error.id for error in errors] == ["aeyia.E031"]
    assert "KlaviyoLiveClient" in errors[0].msg


@override_settings(
    KLAVIYO_GATEWAY="integrations.klaviyo.live.KlaviyoLiveClient", KLAVIYO_API_KEY=""
)
def test_missing_api_key_is_refused():
    assert [error.id for error in check_production_klaviyo(None)] == ["aeyia.E032"]
