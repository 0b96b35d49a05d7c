"""The HTTP API: /api/v1/ (REST, documented at /api/v1/schema/) and the JSON error shape
every endpoint shares: {"code": <stable>, "detail": <human>}."""

from django.http import Http404
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.api.rest import MeView
from accounts.errors import DomainError
from cms.courses.api import rest as courses_rest
from cms.library.api import rest as library_rest
from commerce.bookings.api import directory as bookings_directory
from commerce.bookings.api import rest as bookings_rest
from commerce.credits.api import rest as credits_rest
from commerce.memberships.api import rest as memberships_rest
from commerce.partners.api import rest as partners_rest
from commerce.payments.api import rest as payments_rest
from marketing_site.leads.api import rest as leads_rest
from marketplace.clients.consent import api as consent_api
from marketplace.clients.documents import api as documents_api
from marketplace.clients.intake.api import rest as intake_rest
from marketplace.clients.messaging.api import rest as messaging_rest
from marketplace.clients.notes import api as notes_api
from marketplace.clients.records import api as care_records_api
from marketplace.clients.sharing import api as sharing_api
from marketplace.practitioners.api import rest as practitioners_rest
from notifications.api import rest as notifications_rest


def exception_handler(exc, context):
    """DRF errors as {"code", "detail"} (plus "fields" for validation errors)."""
    if isinstance(exc, DomainError):
        # Domain errors carry their own status and stable code (and, for some, more
        # fields: consent_required lists the documents to sign).
        body = {"code": exc.api_code, "detail": exc.detail, **getattr(exc, "api_extra", {})}
        return Response(body, status=exc.api_status)
    if isinstance(exc, Http404):
        # record_access and get_object_or_404 raise Django's 404: the same not_found.
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = {
            "code": "invalid",
            "detail": "The request has invalid fields.",
            "fields": exc.detail,
        }
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        body = {"code": code, "detail": str(exc.detail)}
    else:
        body = {"code": "error", "detail": "The request could not be completed."}
    # Session authentication has no WWW-Authenticate scheme, so DRF answers "not signed in"
    # with 403; it is a 401. Other 403s stay 403: a signed-in caller whose CSRF check
    # fails is not "signed out" (DRF treats them as anonymous once authentication raised).
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        response.status_code = status.HTTP_401_UNAUTHORIZED
        body = {"code": "not_authenticated", "detail": "Sign in to use this endpoint."}
    return Response(body, status=response.status_code, headers=response.headers)


def schema_endpoints_under_api(endpoints, **kwargs):
    """drf-spectacular preprocessing hook: the published schema (and the deploy check
    that generates it) covers our /api/ only, not Wagtail's internal admin API under /cms/."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI from our static files, its start-up script from ?script: no CDN, nothing
    # inline, so the strict site CSP applies unchanged.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/docs.html"),
        name="api-docs",
    ),
    path("me/", MeView.as_view(), name="api-me"),
    *credits_rest.urlpatterns,
    *partners_rest.urlpatterns,
    *memberships_rest.urlpatterns,
    *payments_rest.urlpatterns,
    *bookings_rest.urlpatterns,
    *bookings_directory.urlpatterns,
    *practitioners_rest.urlpatterns,
    *messaging_rest.urlpatterns,
    *care_records_api.urlpatterns,
    *library_rest.urlpatterns,
    *courses_rest.urlpatterns,
    *leads_rest.urlpatterns,
    *intake_rest.urlpatterns,
    *documents_api.urlpatterns,
    *consent_api.urlpatterns,
    *consent_api.record_urlpatterns,
    *notes_api.record_urlpatterns,
    *sharing_api.urlpatterns,
    *notifications_rest.urlpatterns,
]
