from .env import env

# Envelope encryption of client documents (decision 0032). Which adapter serves
# integrations.kms.get_kms(): the local key store by default, integrations.kms.live.AwsKms
# in production (the deploy check insists unless KMS_LOCAL_ALLOWED_IN_PRODUCTION).
KMS_GATEWAY = env.str("KMS_GATEWAY", default="integrations.kms.local.LocalKms")
# Local adapter: master keys as comma-separated `key-id=base64(32 random bytes)`; the first
# wraps new data keys, all unwrap (rotate: put a new one first, run `manage.py kms_rotate`,
# then drop the old). Empty: one key derived from SECRET_KEY, for `make run` only.
KMS_LOCAL_MASTER_KEYS = env.list("KMS_LOCAL_MASTER_KEYS", default=[])
# A deliberate choice to keep master keys in the environment in production (no AWS).
KMS_LOCAL_ALLOWED_IN_PRODUCTION = env.bool("KMS_LOCAL_ALLOWED_IN_PRODUCTION", default=False)
# Live adapter: the AWS KMS key (id, ARN or alias/name) and its region.
KMS_KEY_ID = env.str("KMS_KEY_ID", default="")
AWS_KMS_REGION = env.str("AWS_KMS_REGION", default="eu-west-2")
# Connect and read timeout per KMS request (seconds), and total attempts (first included).
KMS_TIMEOUT_SECONDS = env.int("KMS_TIMEOUT_SECONDS", default=5)
KMS_MAX_ATTEMPTS = env.int("KMS_MAX_ATTEMPTS", default=3)
# Largest client document (bytes; default 20 MB). The ingress must accept bodies this large.
CLIENT_DOCUMENT_MAX_BYTES = env.int("CLIENT_DOCUMENT_MAX_BYTES", default=20 * 1000 * 1000)
# Largest multipart body the API accepts (a document upload plus its form fields); other
# API bodies stay within DATA_UPLOAD_MAX_MEMORY_SIZE (config/middleware.py).
API_MULTIPART_MAX_BYTES = env.int(
    "API_MULTIPART_MAX_BYTES", default=CLIENT_DOCUMENT_MAX_BYTES + 1_000_000
)
