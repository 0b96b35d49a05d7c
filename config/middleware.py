"""Project-wide middleware: request ids and the content security policy."""

import re
import uuid

from csp.middleware import CSPMiddleware
from django.conf import settings

from config.logging import request_id_var

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Accepts a well-formed `X-Request-ID` from the proxy or makes one; logs and the
    response carry it so one request can be followed across processes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


def is_wagtail_preview(request) -> bool:
    """True for the request Wagtail builds to render a page preview. Wagtail runs that
    dummy request through the whole middleware chain with the page's own path (so the
    site's policy applies, not the admin's) and marks it `is_preview`; nothing a browser
    sends can set that attribute."""
    return (
        getattr(request, "is_dummy", False) is True
        and getattr(request, "is_preview", False) is True
    )


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp with two policies: strict for the site, relaxed under the admins,
    whose bundled JavaScript needs inline script and style. A Wagtail preview keeps the
    strict site policy but may be framed by our own origin (the editor's preview pane);
    every other page refuses to be framed at all."""

    def get_policy_parts(self, request, response, report_only=False):
        relaxed = request.path_info.startswith(tuple(settings.CSP_RELAXED_PATH_PREFIXES))
        if relaxed and not report_only and getattr(response, "_csp_replace", None) is None:
            response._csp_replace = settings.CSP_ADMIN
        if is_wagtail_preview(request) and not report_only:
            response._csp_replace = {
                **(getattr(response, "_csp_replace", None) or {}),
                "frame-ancestors": ["'self'"],
            }
        return super().get_policy_parts(request, response, report_only)

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if is_wagtail_preview(request):
            # XFrameOptionsMiddleware (inside this one) wrote DENY for the page's path.
            response["X-Frame-Options"] = "SAMEORIGIN"
        return response
