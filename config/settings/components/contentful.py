from .env import env

# Which adapter serves integrations.contentful.get_contentful(): the in-process space by
# default, integrations.contentful.live.ContentfulLiveClient in production (deploy check).
CONTENTFUL_GATEWAY = env.str(
    "CONTENTFUL_GATEWAY", default="integrations.contentful.local.LocalContentful"
)
# [prod] Space, environment and Content Delivery API token.
CONTENTFUL_SPACE_ID = env.str("CONTENTFUL_SPACE_ID", default="")
CONTENTFUL_ENVIRONMENT = env.str("CONTENTFUL_ENVIRONMENT", default="master")
CONTENTFUL_ACCESS_TOKEN = env.str("CONTENTFUL_ACCESS_TOKEN", default="")
# The space's default locale: synced fields are read in this locale.
CONTENTFUL_LOCALE = env.str("CONTENTFUL_LOCALE", default="en-US")
# [prod] Shared secret Contentful sends in the X-Aeyia-Webhook-Secret header.
CONTENTFUL_WEBHOOK_SECRET = env.str("CONTENTFUL_WEBHOOK_SECRET", default="local-contentful")
# Seconds per Contentful request, and retries of a rate-limited (429) sync before giving up.
CONTENTFUL_TIMEOUT_SECONDS = env.int("CONTENTFUL_TIMEOUT_SECONDS", default=10)
CONTENTFUL_MAX_RATE_LIMIT_RETRIES = env.int("CONTENTFUL_MAX_RATE_LIMIT_RETRIES", default=5)
