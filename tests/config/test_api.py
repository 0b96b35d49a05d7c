"""config.api: the published schema and the JSON error shape."""

import pytest
import yaml
from rest_framework import exceptions
from rest_framework.test import APIRequestFactory

from config.api import exception_handler, schema_endpoints_under_api
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_schema_documents_our_api_only(client):
    response = client.get("/api/v1/schema/")

    assert response.status_code == 200
    paths = yaml.safe_load(response.content)["paths"]
    assert "/api/v1/me/" in paths
    assert all(path.startswith("/api/") for path in paths)


def test_the_schema_hook_drops_everything_outside_api():
    endpoints = [
        ("/api/v1/me/", "^api/v1/me/$", "GET", None),
        ("/cms/api/main/pages/", "^cms/api/main/pages/$", "GET", None),
        ("/apiary/", "^apiary/$", "GET", None),
    ]

    assert [e[0] for e in schema_endpoints_under_api(endpoints)] == ["/api/v1/me/"]


def _context(user=None):
    from django.contrib.auth.models import AnonymousUser

    request = APIRequestFactory().get("/api/v1/me/")
    request.user = user or AnonymousUser()
    return {"request": request, "view": None}


def test_not_signed_in_is_a_401_with_a_stable_code():
    response = exception_handler(exceptions.NotAuthenticated(), _context())

    assert response.status_code == 401
    assert response.data == {"code": "not_authenticated", "detail": "Sign in to use this endpoint."}


def test_permission_denied_stays_a_403():
    response = exception_handler(
        exceptions.PermissionDenied("CSRF Failed: CSRF token missing."), _context(UserFactory())
    )

    assert response.status_code == 403
    assert response.data["code"] == "permission_denied"


def test_validation_errors_list_the_fields():
    response = exception_handler(
        exceptions.ValidationError({"email": ["Enter a valid email address."]}), _context()
    )

    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert response.data["fields"] == {"email": ["Enter a valid email address."]}


def test_throttling_is_a_429_with_a_stable_code():
    response = exception_handler(exceptions.Throttled(wait=30), _context())

    assert response.status_code == 429
    assert response.data["code"] == "throttled"
    assert response["Retry-After"] == "30"


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        ("commerce.errors.InsufficientCredits", 402, "insufficient_credits"),
        ("commerce.errors.Conflict", 409, "conflict"),
        ("marketplace.practitioners.errors.TransitionRefused", 409, "transition_refused"),
        ("cms.courses.errors.NotIncluded", 403, "not_included"),
    ],
)
def test_every_domain_error_answers_its_own_status_and_code(error, status, code):
    from django.utils.module_loading import import_string

    from accounts.errors import DomainError
    from config.api import exception_handler

    exc = import_string(error)("Something specific.")
    response = exception_handler(exc, {})

    assert isinstance(exc, DomainError)
    assert (response.status_code, response.data) == (
        status,
        {"code": code, "detail": "Something specific."},
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/api/v1/courses/", "/api/v1/bookings/", "/api/v1/library/", "/api/v1/practitioners/"]
)
@pytest.mark.parametrize("query", ["limit=abc", "limit=0", "limit=100000", "offset=-1", "offset=²"])
def test_every_list_endpoint_refuses_a_bad_page_the_same_way(client, url, query):
    from tests.accounts.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get(f"{url}?{query}")

    assert response.status_code == 400, (url, query, response.content)
    assert response.json()["code"] == "invalid_pagination"
