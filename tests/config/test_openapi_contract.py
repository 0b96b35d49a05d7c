"""The API keeps the contract it publishes (decision 0022): schemathesis reads the schema
the app serves at /api/v1/schema/ and sends every operation generated requests, signed out
and signed in as a client, over a small realistic catalogue. Every answer must be no
server error, a status the operation documents, the documented content type and a body
that matches the documented schema.

Examples are bounded (MAX_EXAMPLES per operation, no deadline) so both runs take minutes
at most on two cores."""

import datetime as dt
import json
import secrets

import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from commerce.credits.models import CreditPack
from commerce.memberships.defaults import ensure_default_plans
from commerce.memberships.models import MembershipPlan
from config.wsgi import application
from tests.accounts.factories import UserFactory
from tests.cms.courses.factories import EnrolmentFactory, short_course
from tests.cms.library.factories import LibraryItemFactory, TopicFactory, library_index
from tests.commerce.bookings.booking_setup import bookable_service, slot
from tests.commerce.credits.factories import give_credits
from tests.conftest import _clear_cache
from tests.marketplace.practitioners.factories import ModalityFactory

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 20

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

CONTRACT = hypothesis_settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(autouse=True)
def _connection_kept_between_requests():
    """Django closes the database connection when a request starts and finishes; the test client
    switches that off, and so must a test that calls the WSGI application itself, or the
    test's transaction (and the catalogue in it) is gone after the first request."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def catalogue():
    """A practitioner with a bookable service, the membership plans, credit packs, a
    course and a few library items: enough for the operations to answer with data."""
    yoga = ModalityFactory(name="Yoga therapy", slug="yoga-therapy")
    service = bookable_service(modality=yoga, name="Yoga therapy session")
    ensure_default_plans(MembershipPlan)
    CreditPack.objects.create(name="Starter", credit_count=5, price=4500)
    CreditPack.objects.create(name="Regular", credit_count=10, price=8000)
    sleep = TopicFactory(name="Sleep", slug="sleep")
    index = library_index()
    article = LibraryItemFactory(title="Sleep hygiene", topics=[sleep], parent=index)
    for_credits = LibraryItemFactory(
        title="Evening yoga", modality=yoga, access_level="credits", credit_price=2, parent=index
    )
    course, text, _quiz = short_course()
    return {
        "service": service,
        "course": course,
        "lesson": text,
        "article": article,
        "for_credits": for_credits,
    }


def _published_schema() -> dict:
    """The schema exactly as /api/v1/schema/ serves it (same generator, same settings),
    built without a request so the operations can be collected as separate tests."""
    generator = SchemaGenerator()
    return json.loads(OpenApiJsonRenderer().render(generator.get_schema(request=None, public=True)))


SCHEMA = _published_schema()
schema = schemathesis.openapi.from_dict(SCHEMA)
schema.app = application  # requests go through the whole WSGI stack, middleware included


def test_the_tested_schema_is_the_one_the_app_serves(client):
    response = client.get("/api/v1/schema/", {"format": "json"})

    assert response.status_code == 200
    assert response.json() == SCHEMA


@pytest.fixture
def client_credentials(catalogue):
    """A signed-in client (credits, a course enrolment): the session cookie and the CSRF
    cookie and header, the way a browser sends them."""
    user = UserFactory()
    give_credits(user=user, amount=40)
    EnrolmentFactory(user=user, course=catalogue["course"], enrolled_at=_yesterday())
    session = Client()
    session.force_login(user)
    csrf = secrets.token_hex(16)  # 32 characters from CSRF's alphabet
    return {
        "cookies": {
            settings.SESSION_COOKIE_NAME: session.cookies[settings.SESSION_COOKIE_NAME].value,
            settings.CSRF_COOKIE_NAME: csrf,
        },
        "headers": {"X-CSRFToken": csrf},
    }


def test_the_signed_in_run_is_signed_in(client_credentials):
    response = schema["/api/v1/me/"]["GET"].Case().call(**client_credentials)

    assert response.status_code == 200


def _yesterday():
    return dt.datetime.now(dt.UTC) - dt.timedelta(days=1)


@schema.parametrize()
@CONTRACT
def test_every_operation_keeps_the_contract_signed_out(case, catalogue):
    _clear_cache()  # throttles and rate limits would answer 429 to most examples
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@CONTRACT
def test_every_operation_keeps_the_contract_signed_in(case, client_credentials):
    _clear_cache()
    case.call_and_validate(checks=CHECKS, **client_credentials)


def _answer(method: str, path: str, credentials=None, **parts):
    """One call with chosen (not generated) data, under the same checks."""
    if "body" in parts:
        parts["media_type"] = "application/json"
    case = schema[path][method].Case(**parts)
    return case.call_and_validate(checks=CHECKS, **(credentials or {}))


def test_real_answers_with_data_keep_the_contract(catalogue, client_credentials):
    """Generated ids and slugs mostly name nothing (404); these name the seeded rows, so
    the success bodies are checked against the schema too."""
    service, course = catalogue["service"], catalogue["course"]
    slug = service.practitioner.slug
    week = {"start": slot(days=2, hour=0).isoformat(), "end": slot(days=9, hour=0).isoformat()}
    signed_in = {"credentials": client_credentials}
    calls = [
        ("GET", "/api/v1/practitioners/", {}, {"query": {"modality": "yoga-therapy"}}),
        ("GET", "/api/v1/practitioners/{slug}/", {}, {"path_parameters": {"slug": slug}}),
        ("GET", "/api/v1/practitioners/{slug}/services/", {}, {"path_parameters": {"slug": slug}}),
        (
            "GET",
            "/api/v1/practitioners/{slug}/slots/",
            {},
            {"path_parameters": {"slug": slug}, "query": {"service": service.pk, **week}},
        ),
        ("GET", "/api/v1/library/", {}, {"query": {"q": "yoga", "modality": "yoga-therapy"}}),
        (
            "GET",
            "/api/v1/library/{item_id}/",
            {},
            {"path_parameters": {"item_id": catalogue["article"].pk}},
        ),
        ("GET", "/api/v1/membership-plans/", {}, {}),
        ("GET", "/api/v1/credit-packs/", {}, {}),
        ("GET", "/api/v1/courses/", signed_in, {}),
        ("GET", "/api/v1/memberships/me/", signed_in, {}),
        (
            "POST",
            "/api/v1/bookings/",
            signed_in,
            {
                "body": {
                    "service": service.pk,
                    "start": slot(days=3).isoformat(),
                    "pay_with": "credits",
                }
            },
        ),
        ("GET", "/api/v1/bookings/", signed_in, {}),
        ("GET", "/api/v1/credits/", signed_in, {}),
        (
            "POST",
            "/api/v1/library/{item_id}/purchase/",
            signed_in,
            {"path_parameters": {"item_id": catalogue["for_credits"].pk}},
        ),
        (
            "POST",
            "/api/v1/lessons/{id}/progress/",
            signed_in,
            {"path_parameters": {"id": catalogue["lesson"].pk}, "body": {"completed": True}},
        ),
        (
            "POST",
            "/api/v1/courses/{id}/enroll/",
            signed_in,
            {"path_parameters": {"id": course.pk}, "body": {"pay_with": "credits"}},
        ),
    ]
    statuses = {}
    for method, path, call, parts in calls:
        response = _answer(method, path, **call, **parts)
        statuses[f"{method} {path}"] = response.status_code

    assert statuses == {
        **{f"{method} {path}": 200 for method, path, _, _ in calls},
        "POST /api/v1/bookings/": 201,
        "POST /api/v1/library/{item_id}/purchase/": 201,
    }
