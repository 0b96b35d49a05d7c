"""The notification service (decision 0035): the email tracking webhook's ESP and
secrets. Delivery back-off and quiet-hour rules are code, not settings."""

from .email import ANYMAIL as _ANYMAIL
from .env import env

# Which ESP's tracking webhook /webhooks/email/ speaks: "mailgun" (signed events; the
# default, see decision 0035), "postmark" (basic auth only) or "" (off: answers 404).
# Send through the same ESP: EMAIL_BACKEND=anymail.backends.mailgun.EmailBackend.
EMAIL_TRACKING_ESP = env.str("EMAIL_TRACKING_ESP", default="mailgun")

ANYMAIL = {
    **_ANYMAIL,
    "MAILGUN_API_KEY": env.str("MAILGUN_API_KEY", default=""),
    "MAILGUN_SENDER_DOMAIN": env.str("MAILGUN_SENDER_DOMAIN", default="") or None,
    # Mailgun's HTTP webhook signing key: Anymail checks each event's HMAC with it.
    "MAILGUN_WEBHOOK_SIGNING_KEY": env.str("MAILGUN_WEBHOOK_SIGNING_KEY", default=""),
    # "user:password" the ESP's webhook URL carries as basic auth (every ESP).
    "WEBHOOK_SECRET": env.str("ANYMAIL_WEBHOOK_SECRET", default=""),
}
if not ANYMAIL["MAILGUN_SENDER_DOMAIN"]:
    del ANYMAIL["MAILGUN_SENDER_DOMAIN"]
