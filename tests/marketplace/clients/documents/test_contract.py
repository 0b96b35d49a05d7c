"""The documents API keeps its published contract with real data: a client of a record with
a document lists it, reads it and downloads it (a PDF the schema names), each answer
checked by schemathesis against /api/v1/schema/ like tests/config/test_openapi_contract.py
does for generated requests."""

import secrets

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client

from marketplace.clients.documents.services import document_upload
from tests.config.test_openapi_contract import CHECKS, schema
from tests.marketplace.clients.documents import samples
from tests.marketplace.clients.factories import CareRecordFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _connection_kept_between_requests():
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def credentials(user) -> dict:
    session = Client()
    session.force_login(user)
    csrf = secrets.token_hex(16)
    return {
        "cookies": {
            settings.SESSION_COOKIE_NAME: session.cookies[settings.SESSION_COOKIE_NAME].value,
            settings.CSRF_COOKIE_NAME: csrf,
        },
        "headers": {"X-CSRFToken": csrf},
    }


def test_real_document_answers_keep_the_contract():
    record = CareRecordFactory()
    document = document_upload(
        record=record,
        uploaded_by=record.client,
        file=SimpleUploadedFile("scan.pdf", samples.PDF),
        title="Scan",
    )
    auth = credentials(record.client)
    base = "/api/v1/care-records/{record_id}/documents/"
    ids = {"record_id": record.pk, "document_id": document.pk}

    listing = schema[base]["GET"].Case(path_parameters={"record_id": record.pk})
    assert listing.call_and_validate(checks=CHECKS, **auth).json()["count"] == 1
    detail = schema[f"{base}{{document_id}}/"]["GET"].Case(path_parameters=ids)
    assert detail.call_and_validate(checks=CHECKS, **auth).json()["title"] == "Scan"
    download = schema[f"{base}{{document_id}}/download/"]["GET"].Case(path_parameters=ids)
    response = download.call_and_validate(checks=CHECKS, **auth)
    assert response.status_code == 200
    headers = {name.lower(): value for name, value in response.headers.items()}
    assert "application/pdf" in str(headers["content-type"])
