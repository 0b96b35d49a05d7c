from .env import env

# Which adapter serves integrations.stripe.get_gateway(): the offline Stripe by default,
# integrations.stripe.live.StripeLiveGateway in production (the deploy check insists).
STRIPE_GATEWAY = env.str("STRIPE_GATEWAY", default="integrations.stripe.local.StripeLocalGateway")
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
# Pinned so a Stripe-side default change cannot alter payloads under us.
STRIPE_API_VERSION = env.str("STRIPE_API_VERSION", default="2026-10-28.endive")
STRIPE_TIMEOUT_SECONDS = env.int("STRIPE_TIMEOUT_SECONDS", default=10)
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=2)
# Signing secrets of the two webhook endpoints (platform events and Connect events). The
# offline Stripe signs with the same secrets, so the local defaults only matter locally.
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="whsec_local_platform")
STRIPE_CONNECT_WEBHOOK_SECRET = env.str(
    "STRIPE_CONNECT_WEBHOOK_SECRET", default="whsec_local_connect"
)
STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300
# Where the offline Stripe delivers the events it emits: the same intake the HTTP
# webhook views use (signature check included).
STRIPE_LOCAL_WEBHOOK_RECEIVER = "commerce.payments.webhooks.receive"
STRIPE_CONNECT_COUNTRY = env.str("STRIPE_CONNECT_COUNTRY", default="GB")

# Commerce money settings.
COMMERCE_CURRENCY = env.str("COMMERCE_CURRENCY", default="gbp")
COMMERCE_PLATFORM_FEE_PERCENT = env.int("COMMERCE_PLATFORM_FEE_PERCENT", default=15)
COMMERCE_GRACE_PERIOD_DAYS = env.int("COMMERCE_GRACE_PERIOD_DAYS", default=7)
