from .env import env

# Which adapter serves integrations.klaviyo.get_klaviyo(): the in-memory recorder by
# default, integrations.klaviyo.live.KlaviyoLiveClient in production (deploy check).
KLAVIYO_GATEWAY = env.str("KLAVIYO_GATEWAY", default="integrations.klaviyo.local.LocalKlaviyo")
# [prod] Private API key (pk_...) and the list consented leads are subscribed to.
KLAVIYO_API_KEY = env.str("KLAVIYO_API_KEY", default="")
KLAVIYO_LIST_ID = env.str("KLAVIYO_LIST_ID", default="")
# Seconds per Klaviyo request, and how many times a task retries a 429/5xx before giving up.
KLAVIYO_TIMEOUT_SECONDS = env.int("KLAVIYO_TIMEOUT_SECONDS", default=10)
KLAVIYO_MAX_RETRIES = env.int("KLAVIYO_MAX_RETRIES", default=5)
# Called with the details of a Klaviyo call that failed for good (not an env setting:
# the leads app records failures where staff see them).
KLAVIYO_FAILURE_HANDLER = "marketing_site.leads.services.klaviyo_failure_record"
# Lead form submissions allowed per IP address (django-style rate "N/period").
LEADS_RATE_LIMIT = env.str("LEADS_RATE_LIMIT", default="5/10m")
# Messages from the editor-built form pages (the contact page) allowed per IP address: a
# separate count from sign-ups, so a newsletter sign-up does not use up someone's messages.
CONTACT_FORM_RATE_LIMIT = env.str("CONTACT_FORM_RATE_LIMIT", default="5/h")
# Where staff are told of each message when the form page names no address of its own
# ("Email the submissions to staff"); empty: every active member of the Staff group.
CONTACT_FORM_NOTIFY_EMAIL = env.str("CONTACT_FORM_NOTIFY_EMAIL", default="")
# Seconds anonymous marketing pages stay in the cache (purged on publish).
MARKETING_PAGE_CACHE_SECONDS = env.int("MARKETING_PAGE_CACHE_SECONDS", default=600)
# Production only: robots.txt allows crawling; everywhere else it disallows everything.
SEO_ALLOW_INDEXING = env.bool("SEO_ALLOW_INDEXING", default=False)
