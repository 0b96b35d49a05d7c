from .env import env

# Which adapter serves integrations.sms.get_sms_sender(): the in-memory sender by default,
# integrations.sms.live.SnsSmsSender in production (the deploy check insists).
SMS_SENDER = env.str("SMS_SENDER", default="integrations.sms.local.LocalSmsSender")
# AWS SNS: region that sends the SMS, and the alphanumeric sender id (countries that
# support one show it instead of a number; empty: SNS picks).
AWS_SNS_REGION = env.str("AWS_SNS_REGION", default="eu-west-2")
AWS_SNS_SENDER_ID = env.str("AWS_SNS_SENDER_ID", default="Aeyia")
# Connect and read timeout per SNS request (seconds), and total attempts (first included).
SMS_TIMEOUT_SECONDS = env.int("SMS_TIMEOUT_SECONDS", default=5)
SMS_MAX_ATTEMPTS = env.int("SMS_MAX_ATTEMPTS", default=2)
