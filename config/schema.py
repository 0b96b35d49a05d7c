"""The OpenAPI schema at /api/v1/schema/ tells the truth about errors (decision 0022).

Every operation lists the error statuses it can answer, each with the one error shape
`{"code", "detail"}` (the `Error` component). The ones that follow from how a view is
built are added here, so no view can forget them:

- 400 always: a NUL byte in the query string is refused before any view
  (config.middleware.InputHygieneMiddleware), and bodies are validated;
- 401 and 403 when the view needs a signed-in caller (403: a failed CSRF check or a
  required second factor); where signing in is optional, 401 (a stale app token) and,
  for an unsafe method, 403 (CSRF);
- 404 when the path names something (`{id}`, `{slug}`, `{code}`);
- 413 when the operation takes a body (over DATA_UPLOAD_MAX_MEMORY_SIZE);
- 415 when the operation takes a body and the request's Content-Type is missing or not one
  the view parses (unsupported_media_type: DRF refuses it before the view runs);
- 429 when the view is throttled.

What only the view knows (402 for money, 404 for a body's unknown id, 409 for a state
conflict) it declares itself with `errors(...)` in its `extend_schema(responses=...)`.
"""

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny

ERROR_DESCRIPTIONS = {
    400: "Bad input: invalid, parse_error or an endpoint's own code.",
    401: "Not signed in: not_authenticated.",
    402: "Payment needed: insufficient_credits, insufficient_allowance, membership_required.",
    403: "Refused: permission_denied (CSRF), mfa_required, not_included.",
    404: "Nothing the caller may see has this name: not_found.",
    409: "The current state does not allow it: the slot is taken, the item is not for sale, "
    "consent_required (with `documents` to sign).",
    413: "The body is larger than the server accepts: payload_too_large.",
    415: "The body's Content-Type is missing or not one this operation reads: "
    "unsupported_media_type.",
    429: "Too many requests: throttled or rate_limited (with Retry-After).",
}


class ErrorSerializer(serializers.Serializer):
    """Every error the API answers."""

    code = serializers.CharField(help_text="Stable, for programs.")
    detail = serializers.CharField(help_text="For people.")
    fields = serializers.DictField(
        required=False, help_text="Per-field messages, for code `invalid`."
    )
    documents = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        help_text="For code `consent_required`: the consent documents to sign "
        "({kind, title, version, sha256}).",
    )


def error_response(status: int) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS.get(status, ""))


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """Error responses an operation declares beyond those AutoSchema adds itself, for
    `extend_schema(responses={200: ..., **errors(402, 409)})`."""
    return {status: error_response(status) for status in statuses}


_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema, adding the error responses every view of a kind
    can answer (see the module docstring)."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status in map(str, self._implied_error_statuses()):
            if status not in responses:
                response = error_response(int(status))
                responses[status] = self._get_response_for_code(
                    response, status, direction=direction
                )
        return dict(sorted(responses.items()))

    def _implied_error_statuses(self) -> list[int]:
        statuses = [400]
        needs_sign_in = not all(
            isinstance(permission, AllowAny) for permission in self.view.get_permissions()
        )
        authenticates = bool(self.view.get_authenticators())
        if needs_sign_in:
            statuses += [401, 403]
        elif authenticates:
            # A stale app token is a 401 even where signing in is optional; a session
            # without its CSRF token is a 403 on an unsafe method.
            statuses += [401, 403] if self.method in _UNSAFE else [401]
        if "{" in self.path:
            statuses.append(404)
        if self.method in _UNSAFE:
            statuses.append(413)
            if self.view.get_parsers():
                statuses.append(415)
        if self.view.get_throttles():
            statuses.append(429)
        return statuses
