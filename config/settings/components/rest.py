REST_FRAMEWORK = {
    # allauth headless app tokens (X-Session-Token) first, then the browser's session with
    # CSRF; both refuse privileged roles without a second factor (403 mfa_required).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.AppSessionTokenAuthentication",
        "accounts.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's parsers plus a nesting limit and no NUL characters (config/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.SafeJSONParser",
        "config.parsers.SafeFormParser",
        "config.parsers.SafeMultiPartParser",
    ],
    # drf-spectacular's, plus the error responses every view of a kind can answer.
    "DEFAULT_SCHEMA_CLASS": "config.schema.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "600/min"},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Aeyia API",
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["config.api.schema_endpoints_under_api"],
    # Request bodies get their own components (no read-only fields in them), so responses
    # can mark every field they always carry as required.
    "COMPONENT_SPLIT_REQUEST": True,
    # /api/v1/docs/ loads Swagger UI from our own static files: the CSP allows no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge image from the public validator (another host the CSP refuses).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # Several apps name a field access_level or pay_with with different choices.
    "ENUM_NAME_OVERRIDES": {
        "MembershipAccessLevelEnum": "commerce.memberships.models.AccessLevel",
        "ContentAccessLevelEnum": ["public", "account", "member", "premium", "credits"],
        "BookingPayWithEnum": "commerce.bookings.models.Booking.PayWith",
        "CoursePayWithEnum": ["membership", "credits", "card"],
        "ConsentKindEnum": "marketplace.clients.consent.models.ConsentKind",
        "ConsentStateEnum": ["signed", "outdated", "withdrawn", "unsigned"],
        "SharingGrantStateEnum": ["active", "expired", "revoked"],
        "SessionNoteFormatEnum": "marketplace.clients.notes.models.SessionNote.Format",
        "LibraryItemFormatEnum": ["article", "video", "audio", "worksheet"],
        "SessionNoteStatusEnum": "marketplace.clients.notes.models.SessionNote.Status",
    },
}
