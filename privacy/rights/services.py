"""A person's own requests: a copy of their data, and their erasure.

Export: `data_export_request` records the request (audited `export`) and, after commit,
the outbox starts `tasks.build_data_export`, which calls `data_export_build`: every
registered exporter (privacy.export) writes into one zip in private storage while the
row's percent and step move for the page; a signed link (DATA_EXPORT_LINK_MAX_AGE)
then downloads it. `data_exports_purge` (daily) removes zips older than
DATA_EXPORT_KEEP_DAYS."""

import logging
import tempfile
import uuid
import zipfile
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from events.outbox import enqueue_on_commit
from filestore import private_storage
from privacy.audit import audit
from privacy.export import chunks, json_bytes, registered_exporters
from privacy.rights.models import DataExport, ErasureRequest

logger = logging.getLogger(__name__)

LINK_SALT = "privacy.rights.data-export-link"
EXPORT_FOLDER = "data-exports"
# An export still pending or running after this long was lost (a worker died); asking
# again starts a new one.
STALE_AFTER = timedelta(hours=1)


class ExportLinkExpired(Exception):
    """The link was genuine but is older than DATA_EXPORT_LINK_MAX_AGE."""


class ExportLinkInvalid(Exception):
    """The link was not made by us (or names no export)."""


@transaction.atomic
def data_export_request(*, user: User, request=None) -> DataExport:
    """Starts a new export for `user`, or returns the one already under way (a second
    click does not build a second zip)."""
    in_progress = DataExport.objects.select_for_update().filter(
        user=user, status__in=[DataExport.Status.PENDING, DataExport.Status.RUNNING]
    )
    # A run a lost worker left behind must not block the person for ever.
    in_progress.filter(created_at__lt=timezone.now() - STALE_AFTER).update(
        status=DataExport.Status.FAILED, step="", finished_at=timezone.now()
    )
    running = in_progress.first()
    if running is not None:
        return running
    export = DataExport.objects.create(user=user, step="Waiting to start")
    from privacy.rights.tasks import build_data_export

    enqueue_on_commit(build_data_export, export.pk)
    audit(
        actor=user,
        action="export",
        subject_user_id=user.pk,
        object_type="data_export",
        object_id=export.pk,
        request=request,
        details={"stage": "requested"},
    )
    return export


def _progress(export: DataExport, *, percent: int, step: str) -> None:
    DataExport.objects.filter(pk=export.pk).update(
        status=DataExport.Status.RUNNING, percent=min(max(percent, 0), 99), step=step[:80]
    )


def _zip_name(label: str, path: str) -> str:
    parts = [part for part in path.replace("\\", "/").split("/") if part not in {"", ".", ".."}]
    return "/".join([label, *parts])


def _readme(user: User, labels: list[str]) -> bytes:
    lines = [
        "Your data at Aeyia",
        "",
        f"Prepared {timezone.now():%Y-%m-%d %H:%M} UTC for account {user.pk}.",
        "Each folder is one part of Aeyia; JSON files hold the records, files/ folders",
        "hold the files you or your practitioners shared with you.",
        "",
        *[f"- {label}/" for label in labels],
        "",
    ]
    return "\n".join(lines).encode()


def data_export_build(*, export_id: int) -> DataExport | None:
    """Builds the zip for a pending export (the task's body). Runs each exporter in turn,
    recording its label as the step; writes the zip to private storage; signs the
    download link. Idempotent: an export that is ready, failed or expired is left alone.
    An exporter that raises marks the export failed (logged without personal data)."""
    export = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None or not export.in_progress:
        return export
    user = export.user
    exporters = registered_exporters()
    try:
        with tempfile.TemporaryFile() as spool:
            with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for index, registration in enumerate(exporters):
                    _progress(
                        export,
                        percent=index * 100 // max(len(exporters), 1),
                        step=registration.label,
                    )
                    for path, content in registration.exporter(user):
                        with archive.open(_zip_name(registration.label, path), "w") as out:
                            for piece in chunks(content):
                                out.write(piece)
                archive.writestr("README.txt", _readme(user, [entry.label for entry in exporters]))
                archive.writestr(
                    "manifest.json",
                    json_bytes(
                        {
                            "account_id": user.pk,
                            "prepared_at": timezone.now(),
                            "parts": [entry.label for entry in exporters],
                        }
                    ),
                )
            size = spool.tell()
            spool.seek(0)
            name = private_storage().save(
                f"{EXPORT_FOLDER}/{user.pk}/{uuid.uuid4().hex}.zip", File(spool)
            )
    except Exception:
        logger.exception("data export failed", extra={"data_export": export.pk})
        DataExport.objects.filter(pk=export.pk).update(
            status=DataExport.Status.FAILED, step="", finished_at=timezone.now()
        )
        export.refresh_from_db()
        return export
    token = signing.dumps({"export": export.pk, "user": user.pk}, salt=LINK_SALT)
    DataExport.objects.filter(pk=export.pk).update(
        status=DataExport.Status.READY,
        percent=100,
        step="",
        file_name=name,
        size_bytes=size,
        link_token=token,
        finished_at=timezone.now(),
    )
    export.refresh_from_db()
    return export


def data_export_for_link(*, token: str, user: User) -> DataExport:
    """The ready export a download link names, for the signed-in owner. Raises
    ExportLinkExpired for a genuine link past DATA_EXPORT_LINK_MAX_AGE (or whose zip was
    purged), ExportLinkInvalid for anything else."""
    try:
        value = signing.loads(token, salt=LINK_SALT, max_age=settings.DATA_EXPORT_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise ExportLinkExpired from None
    except signing.BadSignature:
        raise ExportLinkInvalid from None
    if not isinstance(value, dict) or value.get("user") != user.pk:
        raise ExportLinkInvalid
    export_id = value.get("export")
    if not isinstance(export_id, int):
        raise ExportLinkInvalid
    export = DataExport.objects.filter(pk=export_id, user=user).first()
    if export is None:
        raise ExportLinkInvalid
    if export.status == DataExport.Status.EXPIRED:
        raise ExportLinkExpired
    if export.status != DataExport.Status.READY or export.link_token != token:
        raise ExportLinkInvalid
    return export


def _delete_export_file(export: DataExport) -> None:
    if export.file_name:
        try:
            private_storage().delete(export.file_name)
        except OSError:
            logger.warning("data export file not deleted", extra={"data_export": export.pk})


def data_exports_purge(*, now=None) -> int:
    """Deletes the zips of exports finished more than DATA_EXPORT_KEEP_DAYS ago and marks
    them expired (their links then say so). Returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.DATA_EXPORT_KEEP_DAYS)
    old = DataExport.objects.filter(
        status__in=[DataExport.Status.READY, DataExport.Status.FAILED], finished_at__lt=cutoff
    )
    count = 0
    for export in old:
        _delete_export_file(export)
        DataExport.objects.filter(pk=export.pk).update(
            status=DataExport.Status.EXPIRED, file_name="", link_token=""
        )
        count += 1
    return count


def data_exports_erase(*, user: User) -> int:
    """Eraser part: every export of the person, files included."""
    exports = list(DataExport.objects.filter(user=user))
    for export in exports:
        _delete_export_file(export)
    DataExport.objects.filter(pk__in=[export.pk for export in exports]).delete()
    return len(exports)


@transaction.atomic
def erasure_request_create(*, user: User, request=None) -> ErasureRequest:
    """The client asks for their data to be erased; staff confirm it in the Wagtail admin.
    Asking again while one is pending returns that one."""
    pending = ErasureRequest.objects.filter(user=user, status=ErasureRequest.Status.PENDING).first()
    if pending is not None:
        return pending
    erasure_request = ErasureRequest.objects.create(user=user)
    audit(
        actor=user,
        action="erasure",
        subject_user_id=user.pk,
        object_type="erasure_request",
        object_id=erasure_request.pk,
        request=request,
        details={"stage": "requested"},
    )
    return erasure_request


@transaction.atomic
def erasure_request_cancel(*, erasure_request: ErasureRequest, by: User) -> ErasureRequest:
    if erasure_request.status == ErasureRequest.Status.PENDING:
        erasure_request.status = ErasureRequest.Status.CANCELLED
        erasure_request.decided_at = timezone.now()
        erasure_request.decided_by_id = by.pk
        erasure_request.save(update_fields=["status", "decided_at", "decided_by_id"])
    return erasure_request


@transaction.atomic
def erasure_request_confirm(*, erasure_request: ErasureRequest, by: User):
    """Staff confirm: the person is erased through every registered eraser
    (privacy.services.person_erase) and the request is marked done. Confirming a done
    request again changes nothing."""
    from privacy.services import person_erase

    erasure_request = ErasureRequest.objects.select_for_update().get(pk=erasure_request.pk)
    if erasure_request.status != ErasureRequest.Status.PENDING:
        return None
    report = person_erase(email=erasure_request.user.email, requested_by=by)
    erasure_request.status = ErasureRequest.Status.DONE
    erasure_request.decided_at = timezone.now()
    erasure_request.decided_by_id = by.pk
    erasure_request.save(update_fields=["status", "decided_at", "decided_by_id"])
    return report
