"""Uploads are judged by their bytes: the allowed types pass, programs, markup, legacy
Office files, macros, empty and oversized files and a name that disagrees are refused."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.clients.documents.validation import validate_upload
from tests.marketplace.clients.documents import samples


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("scan.pdf", samples.PDF, "application/pdf"),
        ("photo.png", samples.PNG, "image/png"),
        ("photo.JPG", samples.JPEG, "image/jpeg"),
        ("photo.jpeg", samples.JPEG, "image/jpeg"),
        ("anim.gif", samples.GIF, "image/gif"),
        ("pic.webp", samples.WEBP, "image/webp"),
        ("phone.heic", samples.HEIC, "image/heic"),
        (
            "letter.docx",
            samples.ooxml("word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "sheet.xlsx",
            samples.ooxml("xl/workbook.xml"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "slides.pptx",
            samples.ooxml("ppt/presentation.xml"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
    ],
)
def test_allowed_types_are_recognised_by_content(name, content, content_type):
    assert validate_upload(upload(name, content)).content_type == content_type


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("report.pdf", samples.EXE, "program"),
        ("report.pdf", samples.ELF, "program"),
        ("install.sh.pdf", b"#!/bin/sh\nrm -rf /\n", "program"),
        ("logo.svg", samples.SVG, "markup"),
        ("logo.png", samples.SVG, "markup"),
        ("page.pdf", samples.HTML, "markup"),
        ("old.doc", samples.OLE, "legacy_office"),
        ("macro.docx", samples.ooxml("word/document.xml", macros=True), "macros"),
        ("notes.txt", b"just some text", "unsupported"),
        ("archive.zip", samples.ooxml("other/part.xml"), "unsupported"),
        ("scan.png", samples.PDF, "extension_mismatch"),
        ("scan", samples.PDF, "extension_mismatch"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_refused_files_say_why(name, content, code):
    with pytest.raises(ValidationError) as raised:
        validate_upload(upload(name, content))
    assert raised.value.code == code
    assert raised.value.messages[0]


def test_the_size_limit_comes_from_the_setting(settings):
    settings.CLIENT_DOCUMENT_MAX_BYTES = 1000
    assert validate_upload(upload("a.pdf", samples.pdf_of_size(1000)))
    with pytest.raises(ValidationError) as raised:
        validate_upload(upload("a.pdf", samples.pdf_of_size(1001)))
    assert raised.value.code == "too_large"
