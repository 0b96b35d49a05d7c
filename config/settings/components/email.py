from .env import VAR_DIR, env

DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Aeyia <hello@aeyia.local>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Embedded default: every message is written to var/mail/ (one file per message) so a
# person trying the site can open the confirmation link.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
ANYMAIL = {
    "POSTMARK_SERVER_TOKEN": env.str("POSTMARK_SERVER_TOKEN", default=""),
}
