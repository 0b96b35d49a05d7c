from .env import env

# Headers every response carries, in every mode. HSTS and secure cookies are switched on
# in production.py, where TLS terminates in front of us.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Userway accessibility widget (off unless an account id is set).
USERWAY_ACCOUNT_ID = env.str("USERWAY_ACCOUNT_ID", default="")
_widget_hosts = ["https://cdn.userway.org", "https://api.userway.org"] if USERWAY_ACCOUNT_ID else []

# Strict policy for the site: our own origin only, no inline script, no framing.
CSP_SITE = {
    "default-src": ["'self'"],
    "script-src": ["'self'", *_widget_hosts],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'", *_widget_hosts],
    "frame-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}
# Wagtail's admin uses inline scripts and styles and frames its own previews; the
# relaxation applies under /cms/ only.
CSP_ADMIN = {
    **CSP_SITE,
    "script-src": ["'self'", "'unsafe-inline'", "'unsafe-eval'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:", "https:"],
    "frame-src": ["'self'", "https:"],
    "frame-ancestors": ["'self'"],
}
# Hosts the session room's page may connect to besides its own origin (the room view adds
# its WebSocket origin itself): the live video adapter's signalling and media endpoints,
# e.g. "https://*.chime.aws wss://*.chime.aws". Only the room page gets them.
ROOM_CSP_CONNECT_SRC = env.list("ROOM_CSP_CONNECT_SRC", default=[])
CSP_RELAXED_PATH_PREFIXES = ["/cms/", "/django-admin/"]
CONTENT_SECURITY_POLICY = {"DIRECTIVES": CSP_SITE}
