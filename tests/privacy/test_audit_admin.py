"""The staff audit screen in the Wagtail admin: filters, pages, CSV export safe from
formula injection, staff only; and no clinical model is registered with the Django admin
or as a Wagtail snippet (consent documents excepted: staff edit them)."""

import csv
import io

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from wagtail.snippets.models import get_snippet_models

from privacy.audit import audit
from privacy.models import AuditEntry
from tests.accounts.factories import UserFactory, enrol_totp

CLINICAL_APPS = (
    "care_records",
    "intake",
    "consent",
    "clinical_notes",
    "record_sharing",
    "client_documents",
    "messaging",
)
STAFF_EDITABLE = {"consent.ConsentDocument", "consent.ConsentVersion"}


@pytest.fixture
def staff(client):
    user = UserFactory(roles=["staff"], email="staff@example.org")
    enrol_totp(user)
    client.force_login(user)
    return user


def _entry(*, actor=None, subject=1, action="read", details=None):
    return audit(
        actor=actor,
        action=action,
        subject_user_id=subject,
        object_type="care_record",
        object_id=subject,
        details=details,
    )


@pytest.mark.django_db
def test_staff_filter_the_log_by_actor_subject_action_and_dates(client, staff):
    reader = UserFactory(email="reader@example.org")
    _entry(actor=reader, subject=5)
    _entry(actor=reader, subject=6, action="download")
    _entry(subject=5, action="create")
    url = reverse("privacy_audit_log")

    def rows(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return [(entry.action, entry.subject_user_id) for entry, _ in response.context["rows"]]

    assert len(rows()) == 3
    assert rows(actor="reader@example.org") == [("download", 6), ("read", 5)]
    assert rows(actor=str(reader.pk), action="read") == [("read", 5)]
    assert rows(subject="5") == [("create", 5), ("read", 5)]
    assert rows(actor="nobody@example.org") == []
    today = AuditEntry.objects.first().created_at.date().isoformat()
    assert len(rows(date_from=today, date_to=today)) == 3
    assert rows(date_from="2001-01-01", date_to="2001-01-02") == []
    # A reversed range is a form error, not a crash; the list is unfiltered.
    response = client.get(url, {"date_from": "2030-01-02", "date_to": "2030-01-01"})
    assert response.status_code == 200 and "start date is after" in response.content.decode()


@pytest.mark.django_db
def test_the_csv_export_is_safe_from_formula_injection_and_audited(client, staff):
    _entry(actor=staff, subject=5, details={"note": '=HYPERLINK("http://evil")'})

    response = client.get(reverse("privacy_audit_log_csv"), {"subject": "5"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    header, *data = list(csv.reader(io.StringIO(body)))
    assert header[:3] == ["id", "created_at", "action"]
    assert len(data) == 1 and data[0][4] == "staff@example.org"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in data for cell in row)
    assert AuditEntry.objects.filter(action="export", object_type="audit_log").count() == 1


@pytest.mark.django_db
def test_people_who_are_not_staff_cannot_see_the_log(client):
    editor = UserFactory(roles=["editor"])
    enrol_totp(editor)
    client.force_login(editor)

    for url in (reverse("privacy_audit_log"), reverse("privacy_audit_log_csv")):
        assert client.get(url).status_code in (302, 403)


def test_no_clinical_model_is_in_the_django_admin_or_a_wagtail_snippet():
    clinical = {
        model._meta.label
        for label in CLINICAL_APPS
        if label in {config.label for config in apps.get_app_configs()}
        for model in apps.get_app_config(label).get_models()
    }
    assert "care_records.CareRecord" in clinical
    in_admin = {model._meta.label for model in admin.site._registry} & clinical
    snippets = {model._meta.label for model in get_snippet_models()} & clinical

    assert in_admin == set()
    assert snippets <= STAFF_EDITABLE
