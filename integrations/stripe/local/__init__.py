"""The offline Stripe (DESIGN.md §4 `local`): a complete Stripe for development, CI and
staging, with hosted pages under /stripe-local/ and signed webhook events delivered to
the same intake as real ones. See `gateway.StripeLocalGateway`."""

from integrations.stripe.local.gateway import LocalCall, StripeLocalGateway

__all__ = ["LocalCall", "StripeLocalGateway"]
