from .env import env

# Which adapter serves integrations.kyc.get_kyc(): the rule-deciding local adapter by default;
# production must name a live one (deploy check).
KYC_GATEWAY = env.str("KYC_GATEWAY", default="integrations.kyc.local.LocalKyc")
# [prod] Shared secret that signs KYC webhooks to /webhooks/kyc/.
KYC_WEBHOOK_SECRET = env.str("KYC_WEBHOOK_SECRET", default="local-kyc")
# Days before a licence or insurance expires that the practitioner is reminded.
CREDENTIAL_REMINDER_DAYS = env.list("CREDENTIAL_REMINDER_DAYS", cast=int, default=[30, 7])
# Where the offline adapter delivers its signed result webhooks (the same intake the HTTP
# view at /webhooks/kyc/ calls).
KYC_LOCAL_WEBHOOK_RECEIVER = "marketplace.practitioners.webhooks.receive"
# How far a KYC webhook's signed timestamp may be from now (replay window).
KYC_WEBHOOK_TOLERANCE_SECONDS = 300

# FrankieOne KYC V2 (integrations.kyc.live.FrankieOneKyc, named by KYC_GATEWAY in
# production). The UAT API by default; https://api.frankie.one in production.
FRANKIEONE_BASE_URL = env.str("FRANKIEONE_BASE_URL", default="https://api.uat.frankie.one")
# [prod] The API key and customer id FrankieOne issued; the child id only for a
# customer account with child accounts.
FRANKIEONE_API_KEY = env.str("FRANKIEONE_API_KEY", default="")
FRANKIEONE_CUSTOMER_ID = env.str("FRANKIEONE_CUSTOMER_ID", default="")
FRANKIEONE_CUSTOMER_CHILD_ID = env.str("FRANKIEONE_CUSTOMER_CHILD_ID", default="")
# [prod] The service profile and workflow a practitioner's identity check executes.
FRANKIEONE_SERVICE_NAME = env.str("FRANKIEONE_SERVICE_NAME", default="")
FRANKIEONE_WORKFLOW_NAME = env.str("FRANKIEONE_WORKFLOW_NAME", default="")
# [prod] The secret path segment of the notification URL FrankieOne calls
# (/webhooks/kyc/frankieone/<secret>/): their notifications are not signed, so the path
# is what keeps strangers out. At least 32 characters; empty refuses every notification.
FRANKIEONE_NOTIFICATION_SECRET = env.str("FRANKIEONE_NOTIFICATION_SECRET", default="")
# Seconds to connect and to wait for an answer; retries of what is safe to retry (reads,
# and any request that never reached FrankieOne) and the pause before each.
FRANKIEONE_CONNECT_TIMEOUT_SECONDS = env.float("FRANKIEONE_CONNECT_TIMEOUT_SECONDS", default=5.0)
FRANKIEONE_READ_TIMEOUT_SECONDS = env.float("FRANKIEONE_READ_TIMEOUT_SECONDS", default=20.0)
FRANKIEONE_MAX_RETRIES = env.int("FRANKIEONE_MAX_RETRIES", default=2)
FRANKIEONE_RETRY_BACKOFF_SECONDS = env.float("FRANKIEONE_RETRY_BACKOFF_SECONDS", default=0.5)
