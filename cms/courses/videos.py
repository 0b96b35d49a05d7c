"""Lesson videos that course authors upload as Wagtail documents into the "Course videos"
collection: which collection that is, and whether a file really is an MP4 or WebM video.

The type is read from the file's first bytes, not its name: a PNG renamed to lesson.mp4 is
not a video. MP4 is an ISO base media file whose first box is `ftyp` with a video brand
(HEIC and AVIF pictures share the box layout, so the brand is checked too); WebM is an EBML
(Matroska) file whose DocType is "webm"."""

from typing import IO

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from wagtail.models import Collection

COURSE_VIDEOS_COLLECTION = "Course videos"

# Extension → the type the content must have.
VIDEO_EXTENSIONS = {"mp4": "mp4", "webm": "webm"}

# Major brands of MP4 video files (ISO/IEC 14496-12 and -14 and common encoders). Not
# "qt  " (QuickTime), nor the still-image brands heic, mif1 or avif.
MP4_BRANDS = frozenset(
    {
        b"isom",
        b"iso2",
        b"iso3",
        b"iso4",
        b"iso5",
        b"iso6",
        b"iso7",
        b"iso8",
        b"iso9",
        b"mp41",
        b"mp42",
        b"mp71",
        b"avc1",
        b"dash",
        b"M4V ",
        b"M4VP",
        b"mmp4",
        b"MSNV",
        b"f4v ",
    }
)
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
# The EBML header (with the DocType) sits within the first few dozen bytes.
HEAD_BYTES = 64


def course_videos_collection() -> Collection | None:
    return Collection.objects.filter(name=COURSE_VIDEOS_COLLECTION, depth=2).first()


@transaction.atomic
def course_videos_collection_ensure() -> Collection:
    """The "Course videos" collection, directly under the root collection. Idempotent."""
    existing = course_videos_collection()
    if existing is not None:
        return existing
    root = Collection.get_first_root_node()
    return root.add_child(instance=Collection(name=COURSE_VIDEOS_COLLECTION))


def video_kind(head: bytes) -> str | None:
    """ "mp4" or "webm" when `head` (a file's first bytes) starts a video of that type."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        box_size = int.from_bytes(head[:4], "big")
        if box_size >= 16 and head[8:12] in MP4_BRANDS:
            return "mp4"
        return None
    if head.startswith(EBML_MAGIC) and b"\x42\x82\x84webm" in head[:HEAD_BYTES]:
        return "webm"
    return None


def read_head(file: IO[bytes]) -> bytes:
    """The first bytes of an uploaded or stored file, leaving it as it was (a stored file
    that was closed is opened for the read and closed again)."""
    if getattr(file, "closed", False):
        file.open("rb")  # type: ignore[attr-defined]  # a FieldFile
        try:
            return file.read(HEAD_BYTES) or b""
        finally:
            file.close()
    position = file.tell()
    try:
        file.seek(0)
        return file.read(HEAD_BYTES) or b""
    finally:
        file.seek(position)


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def is_course_videos(collection: Collection | None) -> bool:
    return (
        collection is not None
        and collection.depth == 2
        and collection.name == COURSE_VIDEOS_COLLECTION
    )


def document_problem(*, file, collection: Collection | None) -> str | None:
    """Why `file` may not be a document in `collection`, or None when it may: the Course
    videos collection takes real MP4/WebM files up to COURSE_VIDEO_MAX_BYTES, and videos go
    nowhere else (so every video is behind the lesson serving rules)."""
    if not is_course_videos(collection):
        if extension_of(file.name) in VIDEO_EXTENSIONS:
            return f"Videos go in the “{COURSE_VIDEOS_COLLECTION}” collection."
        return None
    limit = settings.COURSE_VIDEO_MAX_BYTES
    try:
        size = file.size
        head = read_head(file)
    except OSError:
        return "This file could not be read; please upload it again."
    if size > limit:
        return f"This video is too big: lesson videos may be up to {filesizeformat(limit)}."
    expected = VIDEO_EXTENSIONS.get(extension_of(file.name))
    if expected is None or video_kind(head) != expected:
        return "Lesson videos must be MP4 or WebM files (the file's content is checked)."
    return None
