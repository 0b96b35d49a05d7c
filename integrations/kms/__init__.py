"""Key management behind a port (DESIGN.md §4, decision 0032). `get_kms()` returns the
adapter named by the KMS_GATEWAY setting: `integrations.kms.local.LocalKms` (master keys
from KMS_LOCAL_MASTER_KEYS) or `integrations.kms.live.AwsKms` (AWS KMS, key KMS_KEY_ID)."""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from integrations.kms.protocol import KeyManagementService


@cache
def get_kms() -> KeyManagementService:
    return import_string(settings.KMS_GATEWAY)()
