REST_FRAMEWORK = {
    # allauth headless app tokens (X-Session-Token) first, then the browser's session with
    # CSRF; both refuse privileged roles without a second factor (403 mfa_required).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.AppSessionTokenAuthentication",
        "accounts.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
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
    # Several apps name a field access_level or pay_with with different choices.
    "ENUM_NAME_OVERRIDES": {
        "MembershipAccessLevelEnum": "commerce.memberships.models.AccessLevel",
        "ContentAccessLevelEnum": ["public", "account", "member", "premium", "credits"],
        "BookingPayWithEnum": "commerce.bookings.models.Booking.PayWith",
        "CoursePayWithEnum": ["membership", "credits", "card"],
    },
}
