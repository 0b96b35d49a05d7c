"""Contact-form submissions are stored encrypted (LeadFormSubmission, not Wagtail's
plaintext wagtailforms_formsubmission): the raw column holds no name, email or message;
staff still get the message, editors still see it in the Wagtail admin, erasure finds it
by the email's keyed hash, and key rotation keeps it readable and findable."""

import importlib
import io
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet
from django.apps import apps as installed_apps
from django.core import mail
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from wagtail.contrib.forms.models import FormMixin, FormSubmission
from wagtail.models import Page

from accounts.encryption import EncryptedJSONField, lookup_digests
from accounts.roles import Role
from marketing_site.leads.forms import submission_token_new
from marketing_site.leads.models import LeadFormSubmission, LeadFormSubmissionEmail
from marketing_site.leads.selectors import form_submissions_with_email, person_footprint
from marketing_site.leads.services import person_erase
from tests.accounts.factories import UserFactory
from tests.marketing_site.leads.factories import contact_page

pytestmark = pytest.mark.django_db

NAME = "Ada Lovelace"
EMAIL = "ada@example.org"
MESSAGE = "I get panic attacks at night"

migration = importlib.import_module(
    "marketing_site.leads.migrations.0006_lead_form_submissions_encrypted"
)


def _message(**extra) -> dict:
    return {
        "your_name": NAME,
        "email": EMAIL,
        "message": MESSAGE,
        "submission_token": submission_token_new(),
        **extra,
    }


def _raw_form_data(pk: int) -> str:
    table = connection.ops.quote_name(LeadFormSubmission._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT form_data FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def _raw_digests() -> list[str]:
    table = connection.ops.quote_name(LeadFormSubmissionEmail._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT digest FROM {table}")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def page(settings):
    settings.CONTACT_FORM_NOTIFY_EMAIL = "care-team@aeyia.example"
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    return contact_page()


def _submit(client, page, django_capture_on_commit_callbacks, **extra) -> LeadFormSubmission:
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(page.url, _message(**extra)).status_code == 302
    return LeadFormSubmission.objects.get(page=page)


def test_the_stored_column_holds_no_name_email_or_message(
    client, page, django_capture_on_commit_callbacks
):
    submission = _submit(client, page, django_capture_on_commit_callbacks, email="Ada@Example.org")

    raw = _raw_form_data(submission.pk)
    assert raw.startswith("gAAAAA")
    # (Strings with characters base64 never uses, so a random token cannot contain them.)
    for secret in (NAME, "Ada@Example.org", EMAIL, "example.org", MESSAGE, "your_name"):
        assert secret not in raw
    # Nothing went into Wagtail's plaintext table.
    assert not FormSubmission.objects.exists()
    # The model reads the plaintext back.
    data = LeadFormSubmission.objects.get(pk=submission.pk).get_data()
    assert (data["your_name"], data["email"], data["message"]) == (NAME, "Ada@Example.org", MESSAGE)
    # The email is kept only as a keyed hash of its lower-cased form.
    digests = _raw_digests()
    assert digests == [lookup_digests(EMAIL)[0]]
    assert all(EMAIL not in digest for digest in digests)


def test_json_lookups_on_the_encrypted_column_are_refused(page):
    with pytest.raises(FieldError):
        list(LeadFormSubmission.objects.filter(form_data__icontains=EMAIL))
    with pytest.raises(FieldError):
        list(LeadFormSubmission.objects.filter(form_data__email=EMAIL))


def test_staff_are_still_emailed_the_message(client, page, django_capture_on_commit_callbacks):
    _submit(client, page, django_capture_on_commit_callbacks)

    [email] = [email for email in mail.outbox if email.to == ["care-team@aeyia.example"]]
    assert f"Message: {MESSAGE}" in email.body
    assert f"Your name: {NAME}" in email.body
    assert f"Email: {EMAIL}" in email.body


def test_editors_see_the_submission_in_the_wagtail_admin(
    client, page, django_capture_on_commit_callbacks, editor_client
):
    _submit(client, page, django_capture_on_commit_callbacks)

    listing = editor_client.get(reverse("wagtailforms:list_submissions", args=[page.pk]))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert MESSAGE in html and EMAIL in html and NAME in html

    export = editor_client.get(
        reverse("wagtailforms:list_submissions", args=[page.pk]), {"export": "csv"}
    )
    assert export.status_code == 200
    assert MESSAGE in b"".join(export.streaming_content).decode()

    edit = editor_client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert edit.status_code == 200
    # Wagtail's FormSubmissionsPanel counts this page's (encrypted) submissions.
    html = edit.content.decode()
    listing_url = reverse("wagtailforms:list_submissions", args=[page.pk])
    assert "Total submissions" in html and f'href="{listing_url}">1</a>' in html


def test_erasure_by_email_removes_the_submission_and_its_hash(
    client, page, settings, django_capture_on_commit_callbacks
):
    from notifications.models import Notification

    settings.CONTACT_FORM_NOTIFY_EMAIL = "care-team@aeyia.example"
    mine = _submit(client, page, django_capture_on_commit_callbacks, email="ADA@example.org")
    # The staff email about it keeps an (encrypted) copy on its notification.
    staff_copy = Notification.objects.get(type_key="leads.form_submission")
    assert staff_copy.dedupe_key == f"form-submission:{mine.pk}"
    other = LeadFormSubmission.objects.create(
        page=page, form_data={"your_name": "Bob", "email": "ada@example.org.uk", "message": "hi"}
    )
    assert person_footprint(email=EMAIL)["submissions"] == 1

    result = person_erase(email=" Ada@Example.org ", requested_by=UserFactory(roles=[Role.STAFF]))

    assert result.submissions_deleted == 1
    assert not LeadFormSubmission.objects.filter(pk=mine.pk).exists()
    assert not LeadFormSubmissionEmail.objects.filter(submission_id=mine.pk).exists()
    assert LeadFormSubmission.objects.filter(pk=other.pk).exists()
    assert not Notification.objects.filter(pk=staff_copy.pk).exists()


def test_key_rotation_keeps_the_submission_readable_and_findable(
    client, page, settings, django_capture_on_commit_callbacks
):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    submission = _submit(client, page, django_capture_on_commit_callbacks)
    before = _raw_form_data(submission.pk)
    new_key = Fernet.generate_key().decode()

    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    # Before the rotation ran, the old key's hash still finds it.
    assert form_submissions_with_email(email=EMAIL) == [submission.pk]
    call_command("encrypted_fields_rotate", stdout=io.StringIO())

    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert _raw_form_data(submission.pk) != before
    assert LeadFormSubmission.objects.get(pk=submission.pk).form_data["message"] == MESSAGE
    assert _raw_digests() == [lookup_digests(EMAIL)[0]]
    assert form_submissions_with_email(email=EMAIL) == [submission.pk]


def test_the_migration_moves_plaintext_submissions_in_encrypted_and_back(page):
    other_page = Page.objects.get(depth=1)
    old = FormSubmission.objects.create(
        page=page, form_data={"your_name": NAME, "email": EMAIL, "message": MESSAGE}
    )
    FormSubmission.objects.filter(pk=old.pk).update(submit_time="2026-01-02T03:04:05Z")
    unrelated = FormSubmission.objects.create(page=other_page, form_data={"email": EMAIL})
    old_time = FormSubmission.objects.get(pk=old.pk).submit_time
    schema_editor = SimpleNamespace(connection=connection)
    state = MigrationLoader(connection).project_state(
        ("leads", "0006_lead_form_submissions_encrypted")
    )
    apps = state.apps  # the historical models the migration runs with

    migration.move_into_encrypted_table(apps, schema_editor)

    moved = LeadFormSubmission.objects.get(pk=old.pk)
    assert moved.page_id == page.pk and moved.submit_time == old_time
    assert moved.form_data["message"] == MESSAGE
    assert MESSAGE not in _raw_form_data(moved.pk)
    assert form_submissions_with_email(email=EMAIL) == [moved.pk]
    assert list(FormSubmission.objects.values_list("pk", flat=True)) == [unrelated.pk]
    # The id sequence continues after the moved ids.
    assert LeadFormSubmission.objects.create(page=page, form_data={}).pk > moved.pk

    migration.move_back_to_wagtail(apps, schema_editor)

    assert not LeadFormSubmission.objects.exists()
    back = FormSubmission.objects.exclude(pk=unrelated.pk).order_by("pk")
    assert [submission.form_data.get("message") for submission in back] == [MESSAGE, None]
    assert back[0].submit_time == old_time


def test_every_form_page_type_stores_its_submissions_encrypted():
    form_pages = [model for model in installed_apps.get_models() if issubclass(model, FormMixin)]

    assert form_pages  # the contact page type at least
    for model in form_pages:
        submission_class = model().get_submission_class()
        assert isinstance(submission_class._meta.get_field("form_data"), EncryptedJSONField), (
            f"{model.__name__} stores its submissions in plaintext"
        )
