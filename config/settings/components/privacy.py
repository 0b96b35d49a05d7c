from .env import env

# Years each class of data is kept after its retention clock stops (for clinical data: the
# last contact between client and practitioner), then purged by `retention_purge`
# (docs/retention.md gives the reason for each period).
RETENTION_POLICY = {
    "clinical_adult": env.int("RETENTION_CLINICAL_ADULT_YEARS", default=7),
}
# Seconds a "Download my data" link stays valid after the export is ready.
DATA_EXPORT_LINK_MAX_AGE = env.int("DATA_EXPORT_LINK_MAX_AGE", default=7 * 24 * 3600)
# Days a finished export zip is kept in private storage before it is purged.
DATA_EXPORT_KEEP_DAYS = env.int("DATA_EXPORT_KEEP_DAYS", default=7)
# Where a client reaches a person at Aeyia (shown on closed message threads and the
# support page).
SUPPORT_EMAIL = env.str("SUPPORT_EMAIL", default="support@aeyia.local")
# At most one "new message" email per thread and recipient per this many minutes while
# the thread stays unread.
MESSAGE_EMAIL_THROTTLE_MINUTES = env.int("MESSAGE_EMAIL_THROTTLE_MINUTES", default=30)
# Minutes a member of staff may read one care record after opening emergency
# ("break-glass") access with a reason; the client is emailed the reason.
BREAK_GLASS_MINUTES = env.int("BREAK_GLASS_MINUTES", default=60)
