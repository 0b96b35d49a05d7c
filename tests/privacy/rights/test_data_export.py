"""Download my data: the request, the Celery-built zip with its progress, the signed
expiring link, the purge of old zips, and the audit rows."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from filestore import private_storage
from privacy import export as export_registry
from privacy.models import AuditEntry
from privacy.rights import services
from privacy.rights.models import DataExport
from tests.accounts.factories import UserFactory
from tests.marketplace.practitioners.factories import (
    CredentialFactory,
    PractitionerProfileFactory,
)

pytestmark = pytest.mark.django_db


def _start(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy-data-export-start"))
    assert response.status_code == 302
    return DataExport.objects.get()


def _zip(client, export) -> zipfile.ZipFile:
    response = client.get(reverse("privacy-data-export-download", args=[export.link_token]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_a_client_downloads_a_zip_with_json_per_domain_and_their_files(
    client, django_capture_on_commit_callbacks
):
    practitioner = PractitionerProfileFactory(bio="Somatic work since 2009")
    credential = CredentialFactory(practitioner=practitioner)
    credential.document.save("licence.pdf", ContentFile(b"%PDF-1.4 the licence"))
    client.force_login(practitioner.user)

    export = _start(client, django_capture_on_commit_callbacks)

    assert export.status == DataExport.Status.READY
    assert export.percent == 100
    archive = _zip(client, export)
    names = set(archive.namelist())
    assert {
        "README.txt",
        "manifest.json",
        "account/account.json",
        "bookings/bookings.json",
    } <= names
    account = json.loads(archive.read("account/account.json"))
    assert account["email"] == practitioner.user.email
    profile = json.loads(archive.read("practitioner/profile.json"))
    assert profile["bio"] == "Somatic work since 2009"
    [file_name] = [name for name in names if name.startswith("practitioner/files/")]
    assert archive.read(file_name) == b"%PDF-1.4 the licence"
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["parts"][0] == "account"


def test_the_export_holds_only_the_persons_own_rows(client, django_capture_on_commit_callbacks):
    from tests.commerce.bookings.notification_setup import make_booking

    mine = make_booking(starts_at=timezone.now() + timedelta(days=3))
    make_booking(starts_at=timezone.now() + timedelta(days=4))  # someone else's
    client.force_login(mine.client)

    archive = _zip(client, _start(client, django_capture_on_commit_callbacks))

    bookings = json.loads(archive.read("bookings/bookings.json"))
    assert [row["id"] for row in bookings] == [mine.pk]


def test_progress_moves_step_by_step_and_the_page_refreshes_while_it_runs(client, monkeypatch):
    user = UserFactory()
    client.force_login(user)
    seen: list[tuple[int, str]] = []

    def spy(person):
        row = DataExport.objects.get(user=person)
        seen.append((row.percent, row.step))
        return iter(())

    monkeypatch.setitem(
        export_registry._exporters,
        "zz_spy",
        export_registry.ExportRegistration(label="zz_spy", exporter=spy, models=(), order=999),
    )
    export = services.data_export_request(user=user)  # not committed: the task waits

    page = client.get(reverse("privacy-data-export"))
    assert b'http-equiv="refresh"' in page.content
    assert b'id="export-progress"' in page.content

    services.data_export_build(export_id=export.pk)

    assert seen and seen[0][1] == "zz_spy" and 0 < seen[0][0] < 100
    assert seen[0][0] > 50
    page = client.get(reverse("privacy-data-export"))
    assert b'http-equiv="refresh"' not in page.content
    assert b'id="export-ready"' in page.content
    assert b"<script" not in page.content.split(b"</header>")[-1].split(b"<footer")[0]


def test_a_second_request_while_one_runs_does_not_start_another():
    user = UserFactory()
    first = services.data_export_request(user=user)

    assert services.data_export_request(user=user) == first
    assert DataExport.objects.count() == 1


def test_an_export_lost_by_a_worker_does_not_block_a_new_one():
    user = UserFactory()
    lost = services.data_export_request(user=user)
    DataExport.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - timedelta(hours=2), status=DataExport.Status.RUNNING
    )

    fresh = services.data_export_request(user=user)

    assert fresh.pk != lost.pk
    lost.refresh_from_db()
    assert lost.status == DataExport.Status.FAILED


def test_an_expired_link_says_so_clearly(client, settings, django_capture_on_commit_callbacks):
    user = UserFactory()
    client.force_login(user)
    export = _start(client, django_capture_on_commit_callbacks)
    settings.DATA_EXPORT_LINK_MAX_AGE = 60

    from unittest import mock

    later = timezone.now().timestamp() + 120
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = client.get(reverse("privacy-data-export-download", args=[export.link_token]))

    assert response.status_code == 410
    assert b"This download link has expired" in response.content
    assert b"Prepare a new copy" in response.content


def test_someone_elses_or_a_forged_link_is_404(client, django_capture_on_commit_callbacks):
    owner = UserFactory()
    client.force_login(owner)
    export = _start(client, django_capture_on_commit_callbacks)

    client.force_login(UserFactory())
    assert (
        client.get(reverse("privacy-data-export-download", args=[export.link_token])).status_code
        == 404
    )
    client.force_login(owner)
    forged = export.link_token[:-3] + "abc"
    assert client.get(reverse("privacy-data-export-download", args=[forged])).status_code == 404
    client.logout()
    response = client.get(reverse("privacy-data-export-download", args=[export.link_token]))
    assert response.status_code == 302  # to sign in


def test_old_exports_are_purged_and_their_link_then_expired(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory()
    client.force_login(user)
    export = _start(client, django_capture_on_commit_callbacks)
    token, name = export.link_token, export.file_name
    assert private_storage().exists(name)

    assert services.data_exports_purge(now=timezone.now() + timedelta(days=30)) == 1

    export.refresh_from_db()
    assert export.status == DataExport.Status.EXPIRED
    assert not private_storage().exists(name)
    response = client.get(reverse("privacy-data-export-download", args=[token]))
    assert response.status_code == 410
    assert services.data_exports_purge(now=timezone.now() + timedelta(days=30)) == 0


def test_request_and_download_are_audited_without_content(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory()
    client.force_login(user)
    export = _start(client, django_capture_on_commit_callbacks)
    _zip(client, export)

    rows = list(
        AuditEntry.objects.filter(subject_user_id=user.pk, object_type="data_export").order_by("pk")
    )
    assert [row.action for row in rows] == ["export", "download"]
    assert all(row.object_id == str(export.pk) for row in rows)
    assert user.email not in json.dumps([row.details for row in rows])


def test_a_failing_exporter_marks_the_export_failed(monkeypatch, client):
    user = UserFactory()

    def broken(person):
        raise RuntimeError("boom")

    monkeypatch.setitem(
        export_registry._exporters,
        "zz_broken",
        export_registry.ExportRegistration(label="zz_broken", exporter=broken, models=(), order=1),
    )
    export = services.data_export_request(user=user)

    assert services.data_export_build(export_id=export.pk).status == DataExport.Status.FAILED
    client.force_login(user)
    assert b'id="export-failed"' in client.get(reverse("privacy-data-export")).content
