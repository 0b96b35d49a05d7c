"""Rate limits on voucher redemption, shared by the page and the API: codes chosen by
people ("SOCIETY2026") are guessable, so trying many codes is slowed down."""

from rest_framework.throttling import UserRateThrottle


class VoucherRedeemThrottle(UserRateThrottle):
    """Per signed-in person (per address otherwise): 20 attempts an hour."""

    scope = "partners_voucher_redeem"
    rate = "20/hour"

    def allow(self, request) -> bool:
        """The same check for plain Django views, which have no DRF view."""
        return self.allow_request(request, None)
