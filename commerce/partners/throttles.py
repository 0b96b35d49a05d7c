"""Rate limits on voucher redemption, shared by the page and the API: codes chosen by
people ("SOCIETY2026") are guessable, so trying many codes is slowed down.

The limit fails closed: when the cache that counts the attempts is down, attempts are
refused with "try again shortly" instead of being let through uncounted (decision 0019)."""

from rest_framework.exceptions import Throttled
from rest_framework.throttling import UserRateThrottle

from config.cache_backend import CacheUnavailable, cache_required


class VoucherRedeemUnavailable(Throttled):
    """429 while the attempt counter cannot be kept (the cache is down)."""

    default_detail = "Redeeming codes is unavailable for a moment. Please try again shortly."
    default_code = "temporarily_unavailable"
    retry_after_seconds = 30

    def __init__(self):
        super().__init__(wait=self.retry_after_seconds, detail=self.default_detail)


class VoucherRedeemThrottle(UserRateThrottle):
    """Per signed-in person (per address otherwise): 20 attempts an hour."""

    scope = "partners_voucher_redeem"
    rate = "20/hour"

    def allow_request(self, request, view) -> bool:
        """DRF's count; raises `VoucherRedeemUnavailable` when it cannot be kept."""
        try:
            with cache_required():
                return super().allow_request(request, view)
        except CacheUnavailable:
            raise VoucherRedeemUnavailable from None

    def allow(self, request) -> bool:
        """The same check for plain Django views, which have no DRF view."""
        return self.allow_request(request, None)
