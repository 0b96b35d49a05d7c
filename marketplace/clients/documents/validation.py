"""What a client document (or a message attachment) may be, decided by its CONTENT.

One allow-list of types recognised by their leading bytes (our own small sniffer: no
libmagic, no extra package; decision 0032): PDF, PNG, JPEG, GIF, WebP, HEIC/HEIF, and the
Office Open XML formats (DOCX, XLSX, PPTX: a zip whose directory holds [Content_Types].xml
and the part that names the format, with no macro project). The file name's extension must
agree with the content, so a program renamed to report.pdf is refused, and so is a PDF
named photo.png. Everything else is refused, with a specific message for the dangerous
cases (programs and scripts, SVG and HTML, which can carry script; legacy OLE Office files,
whose macros we cannot inspect).

`validate_upload(file)` returns the `SniffedType` or raises Django's ValidationError, which
forms show next to the field and the API answers as a 400 `invalid_document`."""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

HEAD_BYTES = 4096


@dataclass(frozen=True)
class SniffedType:
    key: str
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = SniffedType("pdf", "PDF", "application/pdf", (".pdf",))
PNG = SniffedType("png", "PNG image", "image/png", (".png",))
JPEG = SniffedType("jpeg", "JPEG image", "image/jpeg", (".jpg", ".jpeg"))
GIF = SniffedType("gif", "GIF image", "image/gif", (".gif",))
WEBP = SniffedType("webp", "WebP image", "image/webp", (".webp",))
HEIC = SniffedType("heic", "HEIC image", "image/heic", (".heic", ".heif"))
DOCX = SniffedType(
    "docx",
    "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
)
XLSX = SniffedType(
    "xlsx",
    "Excel workbook",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    (".xlsx",),
)
PPTX = SniffedType(
    "pptx",
    "PowerPoint presentation",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    (".pptx",),
)
ALLOWED_TYPES = (PDF, PNG, JPEG, GIF, WEBP, HEIC, DOCX, XLSX, PPTX)
ALLOWED_EXTENSIONS = tuple(ext for kind in ALLOWED_TYPES for ext in kind.extensions)
ACCEPT_ATTRIBUTE = ",".join(ALLOWED_EXTENSIONS)
ALLOWED_DESCRIPTION = (
    "PDF, PNG, JPEG, GIF, WebP, HEIC, Word (.docx), Excel (.xlsx) or PowerPoint (.pptx)"
)

HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"})
OOXML_PARTS = (
    ("word/document.xml", DOCX),
    ("xl/workbook.xml", XLSX),
    ("ppt/presentation.xml", PPTX),
)
PROGRAM_SIGNATURES = (
    b"MZ",  # Windows executables and DLLs
    b"\x7fELF",  # Linux executables
    b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",  # Mach-O
    b"\xca\xfe\xba\xbe",  # Mach-O universal, Java class
    b"#!",  # scripts
)  # fmt: skip
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MARKUP_MARKERS = (b"<svg", b"<!doctype html", b"<html", b"<script", b"<?xml")


def max_bytes() -> int:
    return settings.CLIENT_DOCUMENT_MAX_BYTES


def _read_head(file) -> bytes:
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    return head


def _ooxml_type(file) -> SniffedType | None:
    """The OOXML format of a zip, by its directory only (nothing is extracted)."""
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        file.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise ValidationError(
            "Documents with macros are not accepted. Save it as a plain .docx, .xlsx or .pptx.",
            code="macros",
        )
    for part, kind in OOXML_PARTS:
        if part in names:
            return kind
    return None


def sniff(file) -> SniffedType | None:
    """The allowed type `file`'s bytes show, or None. Raises ValidationError for content
    refused for what it is (a program, markup, a legacy Office file, macros)."""
    head = _read_head(file)
    if head.startswith(PROGRAM_SIGNATURES):
        raise ValidationError("This file is a program or script, not a document.", code="program")
    if head.startswith(OLE_SIGNATURE):
        raise ValidationError(
            "Older Office files (.doc, .xls, .ppt) are not accepted: save it as .docx, .xlsx, "
            ".pptx or PDF.",
            code="legacy_office",
        )
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return HEIC
    if head.startswith(b"PK\x03\x04"):
        return _ooxml_type(file)
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if any(marker in lowered for marker in MARKUP_MARKERS):
        raise ValidationError(
            "SVG, HTML and XML files are not accepted (they can carry scripts). Send a PNG, "
            "JPEG or PDF instead.",
            code="markup",
        )
    return None


def clean_filename(name: str) -> str:
    """The base name only, without path parts or control characters, at most 200 long."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[-200:] or "document"


def validate_upload(file, *, limit: int | None = None) -> SniffedType:
    """Checks an uploaded file (Django's UploadedFile or any seekable file with `.name` and
    `.size`) and returns its type. Raises ValidationError with a message for the person
    and a code: empty, too_large, program, markup, legacy_office, macros, unsupported,
    extension_mismatch."""
    limit = max_bytes() if limit is None else limit
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, os.SEEK_END)
        size = file.tell()
        file.seek(0)
    if size == 0:
        raise ValidationError("The file is empty.", code="empty")
    if size > limit:
        raise ValidationError(
            f"The file is {filesizeformat(size)}; the largest accepted is {filesizeformat(limit)}.",
            code="too_large",
        )
    kind = sniff(file)
    if kind is None:
        raise ValidationError(
            f"This type of file is not accepted. Upload a {ALLOWED_DESCRIPTION}.",
            code="unsupported",
        )
    extension = os.path.splitext(clean_filename(getattr(file, "name", "")))[1].lower()
    if extension not in kind.extensions:
        raise ValidationError(
            f"The file's name ends in {extension or 'no extension'} but its content is a "
            f"{kind.label} ({' or '.join(kind.extensions)}). Rename it or choose the right file.",
            code="extension_mismatch",
        )
    return kind
