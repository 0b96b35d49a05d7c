from .env import env

# Which adapter serves integrations.typeform.get_typeform(): the offline form by default
# (rendered at /typeform-local/), integrations.typeform.live.TypeformLiveClient in
# production (the deploy check insists).
TYPEFORM_GATEWAY = env.str("TYPEFORM_GATEWAY", default="integrations.typeform.local.LocalTypeform")
# [prod] Personal access token the live adapter reads the Responses API with.
TYPEFORM_API_TOKEN = env.str("TYPEFORM_API_TOKEN", default="")
# [prod] Secret of Aeyia's own Typeform webhooks (Typeform-Signature on /webhooks/typeform/).
# A practitioner's form link has its own generated secret as well; either verifies.
TYPEFORM_WEBHOOK_SECRET = env.str("TYPEFORM_WEBHOOK_SECRET", default="local-typeform")
# Connect and read timeout per Responses API request (seconds), and total attempts.
TYPEFORM_TIMEOUT_SECONDS = env.int("TYPEFORM_TIMEOUT_SECONDS", default=10)
TYPEFORM_MAX_ATTEMPTS = env.int("TYPEFORM_MAX_ATTEMPTS", default=3)
# Where the offline form delivers its signed webhooks (the intake /webhooks/typeform/ calls).
TYPEFORM_LOCAL_WEBHOOK_RECEIVER = "marketplace.clients.intake.webhooks.receive"
