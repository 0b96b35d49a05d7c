"""Fixtures for the config tests."""

import secrets
import string

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def _rsa_private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _vapid_key_pair() -> tuple[str, str]:
    """A VAPID key pair as the environment carries it (base64url of the private
    value and of the public point)."""
    import base64

    from cryptography.hazmat.primitives.asymmetric import ec

    from config.settings.components.webpush import vapid_public_key_for

    key = ec.generate_private_key(ec.SECP256R1())
    raw = key.private_numbers().private_value.to_bytes(32, "big")
    private = base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
    return private, vapid_public_key_for(private)


@pytest.fixture(scope="session")
def production_env(tmp_path_factory) -> dict[str, str]:
    """Everything production needs, as the deployment would provide it: the environment
    for a subprocess run with DJANGO_SETTINGS_MODULE=config.settings.production. Only
    PATH and HOME come from outside, so the developer's own variables cannot leak in."""
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    vapid_private, vapid_public = _vapid_key_pair()
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path_factory.mktemp("home")),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(60)),
        "DJANGO_ALLOWED_HOSTS": "aeyia.example.org",
        "DATABASE_URL": "postgres://aeyia@127.0.0.1:5432/aeyia",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "MFA_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "IDP_OIDC_PRIVATE_KEY": _rsa_private_key_pem(),
        "EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend",
        "STRIPE_GATEWAY": "integrations.stripe.live.StripeLiveGateway",
        "STRIPE_SECRET_KEY": "sk_live_" + secrets.token_hex(24),
        "STRIPE_WEBHOOK_SECRET": "whsec_" + secrets.token_hex(16),
        "STRIPE_CONNECT_WEBHOOK_SECRET": "whsec_" + secrets.token_hex(16),
        "SMS_SENDER": "integrations.sms.live.SnsSmsSender",
        "AWS_SNS_REGION": "eu-west-2",
        "KLAVIYO_GATEWAY": "integrations.klaviyo.live.KlaviyoLiveClient",
        "KLAVIYO_API_KEY": "pk_" + secrets.token_hex(16),
        "KYC_GATEWAY": "integrations.kyc.live.FrankieOneKyc",
        "KYC_WEBHOOK_SECRET": secrets.token_hex(32),
        "FRANKIEONE_BASE_URL": "https://api.frankie.one",
        "FRANKIEONE_API_KEY": secrets.token_hex(24),
        "FRANKIEONE_CUSTOMER_ID": "12345678-1234-1234-1234-123456789012",
        "FRANKIEONE_SERVICE_NAME": "aeyia_practitioners",
        "FRANKIEONE_WORKFLOW_NAME": "GBR-Basic-IDV",
        "FRANKIEONE_NOTIFICATION_SECRET": secrets.token_urlsafe(32),
        "CONTENTFUL_GATEWAY": "integrations.contentful.live.ContentfulLiveClient",
        "CONTENTFUL_SPACE_ID": "aeyiaspace01",
        "CONTENTFUL_ACCESS_TOKEN": secrets.token_hex(22),
        "CONTENTFUL_WEBHOOK_SECRET": secrets.token_hex(32),
        "TYPEFORM_GATEWAY": "integrations.typeform.live.TypeformLiveClient",
        "TYPEFORM_API_TOKEN": "tfp_" + secrets.token_hex(22),
        "TYPEFORM_WEBHOOK_SECRET": secrets.token_hex(32),
        "KMS_GATEWAY": "integrations.kms.live.AwsKms",
        "KMS_KEY_ID": "alias/aeyia-documents",
        "WEBPUSH_VAPID_PRIVATE_KEY": vapid_private,
        "WEBPUSH_VAPID_PUBLIC_KEY": vapid_public,
        "WEBPUSH_VAPID_SUBJECT": "mailto:support@aeyia.example.org",
        "VIDEO_PROVIDER": "integrations.video.local.LocalVideoProvider",
        "TURN_URLS": "turn:turn.aeyia.example.org:3478,turns:turn.aeyia.example.org:5349",
        "TURN_SECRET": secrets.token_urlsafe(32),
    }
