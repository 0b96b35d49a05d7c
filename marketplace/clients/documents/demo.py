"""Demo document for the embedded default (idempotent): a one-page PDF the practitioner
uploads to the demo client's record and shares with them, through document_upload (so it
is checked by content and encrypted like any upload)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.clients.documents.models import ClientDocument
from marketplace.clients.documents.services import document_upload
from marketplace.clients.records.models import CareRecord

DEMO_TITLE = "Grounding exercise"
DEMO_FILENAME = "grounding-exercise.pdf"
DEMO_LINES = (
    "Grounding exercise: 5-4-3-2-1",
    "Name 5 things you can see, 4 you can touch, 3 you can hear,",
    "2 you can smell and 1 you can taste. Breathe out slowly.",
)


def demo_pdf(lines: tuple[str, ...] = DEMO_LINES) -> bytes:
    """A small valid PDF 1.4 (one A4 page of Helvetica text) with a correct cross-reference
    table, built here so the demo needs no file on disk."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text_ops = ["BT", "/F1 14 Tf", "72 770 Td", "18 TL"]
    for line in lines:
        text_ops.append(f"({escape(line)}) Tj T*")
    text_ops.append("ET")
    stream = "\n".join(text_ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n" % (len(objects) + 1)
    out += b"0000000000 65535 f \n"
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def seed_shared_document(*, record: CareRecord) -> ClientDocument:
    """The practitioner's demo PDF in the record, shared with the client (uploaded once:
    an existing upload of it, deleted or not, is kept as it is)."""
    practitioner_user = record.practitioner.user
    for document in ClientDocument.objects.filter(record=record, uploaded_by=practitioner_user):
        if document.title == DEMO_TITLE:
            return document
    return document_upload(
        record=record,
        uploaded_by=practitioner_user,
        file=SimpleUploadedFile(DEMO_FILENAME, demo_pdf(), content_type="application/pdf"),
        title=DEMO_TITLE,
        visibility=ClientDocument.Visibility.SHARED_WITH_CLIENT,
    )
