"""Contentful image assets → Wagtail images."""

from __future__ import annotations

import io
from pathlib import PurePosixPath

from django.core.files.images import ImageFile
from django.db import transaction
from django.utils.text import get_valid_filename
from PIL import Image as PillowImage
from PIL import UnidentifiedImageError
from wagtail.images import get_image_model

from cms.contentful_sync.models import ContentfulRecord
from integrations.contentful.protocol import ContentfulGateway
from integrations.contentful.types import ContentfulRequestError

# Content type Contentful reports → the Pillow format the bytes must really be.
IMAGE_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
}
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 50_000_000


class AssetRejected(ContentfulRequestError):
    """The file is not an image we accept (type, size, or bytes that lie about it)."""


def is_image_asset(record: ContentfulRecord) -> bool:
    return str(record.fields.get("content_type", "")).lower() in IMAGE_FORMATS


def _checked_image_bytes(data: bytes, content_type: str) -> None:
    expected = IMAGE_FORMATS[content_type]
    try:
        with PillowImage.open(io.BytesIO(data)) as image:
            if image.format != expected:
                raise AssetRejected(f"The file is {image.format}, not {expected} as declared.")
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise AssetRejected(f"The image is too large ({width}×{height} pixels).")
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise AssetRejected(f"The file is not a readable image: {error}") from error


def _file_name(record: ContentfulRecord, content_type: str) -> str:
    name = PurePosixPath(str(record.fields.get("file_name") or "")).name
    name = get_valid_filename(name) if name else ""
    if not name:
        name = f"{record.contentful_id}.{IMAGE_FORMATS[content_type].lower()}"
    return f"contentful-{record.contentful_id}-{name}"[:100]


def asset_image_apply(*, record: ContentfulRecord, gateway: ContentfulGateway):
    """Create or refresh the Wagtail image of an image asset; returns the image. The same
    image row is reused when the asset changes (pages that show it keep working), and
    its old renditions go. Raises `AssetRejected` for files we refuse."""
    content_type = str(record.fields.get("content_type", "")).lower()
    if content_type not in IMAGE_FORMATS:
        raise AssetRejected(f"{content_type or 'An unknown type'} is not an image type we import.")
    declared_size = record.fields.get("size") or 0
    if isinstance(declared_size, int) and declared_size > MAX_IMAGE_BYTES:
        raise AssetRejected(f"The image is larger than {MAX_IMAGE_BYTES} bytes.")
    url = str(record.fields.get("url") or "")
    if not url:
        raise AssetRejected("The asset has no file.")
    data = gateway.fetch_asset_bytes(url, max_bytes=MAX_IMAGE_BYTES)
    _checked_image_bytes(data, content_type)

    image_model = get_image_model()
    title = (str(record.fields.get("title") or "") or record.contentful_id)[:255]
    description = str(record.fields.get("description") or "")[:255]
    image = None
    if record.wagtail_object_id:
        image = image_model.objects.filter(pk=record.wagtail_object_id).first()
    file = ImageFile(io.BytesIO(data), name=_file_name(record, content_type))
    if image is None:
        image = image_model(title=title, description=description, file=file)
    else:
        image.title = title
        image.description = description
        old_name, storage = image.file.name, image.file.storage
        image.renditions.all().delete()
        image.file = file
        # The old file goes only once the new one is committed.
        transaction.on_commit(lambda: storage.delete(old_name) if old_name else None)
    image._set_image_file_metadata()
    image.save()
    return image
