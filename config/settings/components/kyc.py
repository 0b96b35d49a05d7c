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
