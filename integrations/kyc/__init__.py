"""Identity verification (KYC) behind a port (DESIGN.md §4). `get_kyc()` returns the
adapter named by the KYC_GATEWAY setting, the way EMAIL_BACKEND works."""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from integrations.kyc.protocol import KycGateway


@cache
def get_kyc() -> KycGateway:
    return import_string(settings.KYC_GATEWAY)()
