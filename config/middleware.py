"""Project-wide middleware: request ids, input hygiene for the API and webhooks, and the
content security policy."""

import re
import uuid

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import JsonResponse, QueryDict

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


# Paths whose callers are programs: their errors are JSON, never an HTML error page.
_MACHINE_PATH_PREFIXES = ("/api/", "/webhooks/")
_NUL = "\x00"
# `\u0000` in JSON text: a backslash escape that is not itself an escaped backslash.
_JSON_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


_ERROR_BODIES = {
    400: ("bad_request", "The request could not be understood."),
    403: ("permission_denied", "You may not do this."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "This method is not allowed here."),
    413: ("payload_too_large", "The request body is too large."),
    500: ("server_error", "Something went wrong on our side."),
}


def _json_error(code: str, detail: str, status: int) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=status)


def _has_nul(data) -> bool:
    return any(
        _NUL in key or any(isinstance(value, str) and _NUL in value for value in values)
        for key, values in data.lists()
    )


class InputHygieneMiddleware:
    """The first gate for the API and the webhooks (decision 0022). PostgreSQL refuses a
    NUL character in text, so one would be a 500 at the first query: in the query string or
    an API body it is a 400 `invalid`, in the path a 404. A body over
    DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 `payload_too_large`; Django alone answers it with
    an HTML 400 when a view first reads `request.body`. All as JSON. The API's parsers
    (config/parsers.py) bound JSON nesting. Webhook bodies are left untouched: their
    signature covers the raw bytes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(_MACHINE_PATH_PREFIXES):
            return self.get_response(request)
        if self._is_too_large(request):
            return self._too_large(request)
        if _NUL in request.path_info:
            # No route or object is named with a NUL.
            return _json_error("not_found", "Not found.", 404)
        try:
            has_nul = _has_nul(request.GET) or self._body_has_nul(request)
        except TooManyFieldsSent:
            return _json_error("invalid", "The request has too many parameters.", 400)
        if has_nul:
            return _json_error("invalid", "The request contains a NUL character.", 400)
        return self._as_json(self.get_response(request))

    @staticmethod
    def _as_json(response):
        """Errors raised outside our views (no route matched: 404; a wrong method on a
        plain Django view: 405; a suspicious request: 400) come back as HTML pages; programs
        get them as {"code", "detail"} like every other error, headers (Allow) kept."""
        content_type = response.get("Content-Type", "")
        if response.status_code < 400 or content_type.startswith("application/json"):
            return response
        code, detail = _ERROR_BODIES.get(
            response.status_code, ("error", "The request could not be completed.")
        )
        replacement = _json_error(code, detail, response.status_code)
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                replacement[header] = response[header]
        return replacement

    @staticmethod
    def _body_has_nul(request) -> bool:
        """JSON and form bodies sent to the API, checked whether or not the view reads
        them. Webhook bodies stay untouched: their signature covers the raw bytes."""
        if not request.path_info.startswith("/api/") or request.method in ("GET", "HEAD"):
            return False
        content_type = request.content_type or ""
        if content_type == "application/json" or content_type.endswith("+json"):
            body = request.body
            return b"\x00" in body or _JSON_NUL_ESCAPE.search(body) is not None
        if content_type == "application/x-www-form-urlencoded":
            return _has_nul(QueryDict(request.body, encoding=request.encoding))
        return False

    def process_exception(self, request, exception):
        # A body that grows past the limit after the headers were read (no or a wrong
        # Content-Length) raises inside the view.
        if isinstance(exception, RequestDataTooBig) and request.path_info.startswith(
            _MACHINE_PATH_PREFIXES
        ):
            return self._too_large()
        return None

    @staticmethod
    def _limit(request) -> int | None:
        """DATA_UPLOAD_MAX_MEMORY_SIZE, except for multipart uploads to the API: Django
        streams their file parts to disk (its own limit still bounds the other fields), so
        they may be as large as API_MULTIPART_MAX_BYTES (a client document, decision 0032)."""
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if (
            limit is not None
            and request.path_info.startswith("/api/")
            and (request.META.get("CONTENT_TYPE") or "").startswith("multipart/form-data")
        ):
            return max(limit, settings.API_MULTIPART_MAX_BYTES)
        return limit

    @classmethod
    def _is_too_large(cls, request) -> bool:
        limit = cls._limit(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return False
        return limit is not None and length > limit

    @classmethod
    def _too_large(cls, request=None) -> JsonResponse:
        limit = cls._limit(request) if request is not None else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return _json_error(
            "payload_too_large", f"The request body is larger than {limit} bytes.", 413
        )
