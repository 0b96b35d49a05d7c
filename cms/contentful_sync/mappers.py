"""Which Contentful content types become which Wagtail objects.

The registry is keyed by Contentful content type id. A mapper turns a mirrored entry
(`ContentfulRecord`) into a Wagtail object (`apply`) and takes it back when Contentful
deletes or unpublishes the entry (`withdraw`). Content types without a mapper are only
mirrored. Our Contentful content model (what editors create in Contentful):

- `article`: title, slug, summary (or excerpt), body (Rich Text), heroImage (asset link),
  accessLevel (optional; public by default) → `library.LibraryItemPage`, format article,
  published under the library index page; withdrawn = unpublished (revisions kept).
- `testimonial`: quote, name, role, image (asset link) → `cms_core.Testimonial` snippet.
- `faq`: question, answer (Rich Text or text) → `cms_core.FaqItem` snippet.
Snippets have no draft state, so a withdrawn testimonial or FAQ is deleted.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.apps import apps
from django.db import models
from django.utils.html import escape
from django.utils.text import slugify

from cms.contentful_sync.models import ContentfulRecord
from cms.contentful_sync.rich_text import (
    HtmlSegment,
    ImageSegment,
    LinkTargets,
    rich_text_segments,
    rich_text_to_html,
    rich_text_to_plain,
)


class MapperNotReady(Exception):
    """The target cannot be written yet (its model or parent page is missing); the
    record stays pending and the next sync tries again."""


@dataclass
class ApplyContext:
    """What a mapper may look up: the Wagtail objects other records produced. Lookups
    are cached while one record is applied (the engine starts a fresh context for the
    next, so it sees what was just created)."""

    _pages: dict[str, int | None] = field(default_factory=dict)
    _images: dict[str, tuple[int, str] | None] = field(default_factory=dict)
    _titles: dict[str, str] = field(default_factory=dict)

    def page_for_entry(self, entry_id: str) -> int | None:
        if entry_id not in self._pages:
            record = (
                ContentfulRecord.objects.filter(
                    sys_type=ContentfulRecord.SysType.ENTRY,
                    contentful_id=entry_id,
                    is_deleted=False,
                    wagtail_model=ArticleMapper.model_label,
                )
                .only("wagtail_object_id")
                .first()
            )
            self._pages[entry_id] = record.wagtail_object_id if record else None
        return self._pages[entry_id]

    def image_for_asset(self, asset_id: str) -> tuple[int, str] | None:
        if asset_id not in self._images:
            record = (
                ContentfulRecord.objects.filter(
                    sys_type=ContentfulRecord.SysType.ASSET,
                    contentful_id=asset_id,
                    is_deleted=False,
                    wagtail_object_id__isnull=False,
                )
                .only("wagtail_object_id", "fields")
                .first()
            )
            self._images[asset_id] = (
                (
                    record.wagtail_object_id,
                    str(record.fields.get("description") or record.fields.get("title") or ""),
                )
                if record
                else None
            )
        return self._images[asset_id]

    def title_for_entry(self, entry_id: str) -> str:
        if entry_id not in self._titles:
            record = ContentfulRecord.objects.filter(
                sys_type=ContentfulRecord.SysType.ENTRY, contentful_id=entry_id, is_deleted=False
            ).first()
            fields = record.fields if record else {}
            self._titles[entry_id] = str(fields.get("title") or fields.get("name") or "")
        return self._titles[entry_id]

    def link_targets(self) -> LinkTargets:
        return LinkTargets(
            page_for_entry=self.page_for_entry,
            image_for_asset=self.image_for_asset,
            title_for_entry=self.title_for_entry,
        )

    def image(self, link: Any):
        """The Wagtail image behind an asset link field value, or None."""
        asset_id = _link_id(link, "Asset")
        found = self.image_for_asset(asset_id) if asset_id else None
        if found is None:
            return None
        from wagtail.images import get_image_model

        return get_image_model().objects.filter(pk=found[0]).first()


class Mapper(Protocol):
    content_type: str
    model_label: str

    def apply(self, *, record: ContentfulRecord, context: ApplyContext) -> models.Model:
        """Create or update the Wagtail object for `record`; returns it."""
        ...

    def withdraw(self, *, record: ContentfulRecord) -> None:
        """Take the object down after Contentful deleted or unpublished the entry."""
        ...


def _link_id(value: Any, link_type: str) -> str:
    sys = value.get("sys") if isinstance(value, dict) else None
    if isinstance(sys, dict) and sys.get("type") == "Link" and sys.get("linkType") == link_type:
        return str(sys.get("id") or "")
    return ""


def _text(fields: dict[str, Any], *names: str, limit: int | None = None) -> str:
    for name in names:
        value = fields.get(name)
        if isinstance(value, dict) and value.get("nodeType") == "document":
            value = rich_text_to_plain(value)
        if isinstance(value, str | int | float) and str(value).strip():
            text = " ".join(str(value).split()) if limit else str(value).strip()
            if limit is not None and len(text) > limit:
                text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
            return text
    return ""


def _model(label: str) -> type[models.Model]:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError) as error:
        raise MapperNotReady(f"The model {label} is not installed yet.") from error


def _existing(record: ContentfulRecord, model: type[models.Model]):
    if record.wagtail_model != model._meta.label_lower or not record.wagtail_object_id:
        return None
    return model._default_manager.filter(pk=record.wagtail_object_id).first()


class ArticleMapper:
    content_type = "article"
    model_label = "library.libraryitempage"
    index_label = "library.libraryindexpage"
    features = frozenset({"h2", "h3", "bold", "italic", "link", "ol", "ul", "blockquote"})
    teaser_max_length = 600

    def body(self, record: ContentfulRecord, context: ApplyContext) -> str:
        """The StreamField body as raw JSON: the hero image first, then rich text
        blocks with the document's embedded images between them."""
        fields = record.fields
        blocks: list[dict[str, Any]] = []
        hero_id = _link_id(fields.get("heroImage") or fields.get("image"), "Asset")
        hero = context.image_for_asset(hero_id) if hero_id else None
        if hero is not None:
            blocks.append(_image_block(hero[0], hero[1]))
        for segment in rich_text_segments(
            fields.get("body"), features=self.features, links=context.link_targets()
        ):
            if isinstance(segment, HtmlSegment):
                blocks.append({"type": "rich_text", "value": segment.html})
            elif isinstance(segment, ImageSegment):
                blocks.append(_image_block(segment.image_id, segment.alt_text))
        if not blocks and isinstance(fields.get("body"), str) and fields["body"].strip():
            # A plain long-text body instead of Rich Text.
            paragraphs = [p for p in fields["body"].split("\n\n") if p.strip()]
            html = "".join(f"<p>{escape(p.strip())}</p>" for p in paragraphs)
            blocks.append({"type": "rich_text", "value": html})
        for position, block in enumerate(blocks):
            # Stable block ids: applying the same version twice writes the same body.
            block["id"] = str(
                uuid.uuid5(uuid.NAMESPACE_URL, f"contentful:{record.contentful_id}:{position}")
            )
        return json.dumps(blocks)

    def apply(self, *, record: ContentfulRecord, context: ApplyContext) -> models.Model:
        page_model = _model(self.model_label)
        index_model = _model(self.index_label)
        fields = record.fields
        title = _text(fields, "title", "name")[:255] or record.contentful_id
        teaser = _text(fields, "summary", "excerpt", "teaser", limit=self.teaser_max_length)
        if not teaser:
            teaser = rich_text_to_plain(fields.get("body"), limit=self.teaser_max_length)
        access_field = page_model._meta.get_field("access_level")
        access_choices = {value for value, _label in access_field.choices}
        access = str(fields.get("accessLevel") or "")
        # Credit-priced items need a price Contentful does not carry; stay public then.
        if access not in access_choices or access == "credits":
            access = access_field.get_default()

        page = _existing(record, page_model)
        if page is None:
            index = index_model.objects.first()
            if index is None:
                raise MapperNotReady("There is no library index page to publish articles under.")
            page = page_model(
                title=title,
                slug=self._free_slug(index, fields, title, record),
                format="article",
                teaser=teaser,
                access_level=access,
                body=self.body(record, context),
            )
            index.add_child(instance=page)
        else:
            page.title = title
            page.teaser = teaser
            page.access_level = access
            page.body = self.body(record, context)
        revision = page.save_revision(log_action=True)
        revision.publish()
        page.refresh_from_db()
        return page

    @staticmethod
    def _free_slug(index, fields: dict[str, Any], title: str, record: ContentfulRecord) -> str:
        slug = slugify(str(fields.get("slug") or "")) or slugify(title) or record.contentful_id
        slug = slug[:200]
        if index.get_children().filter(slug=slug).exists():
            slug = f"{slug[:180]}-{slugify(record.contentful_id)[:12]}"
        return slug

    def withdraw(self, *, record: ContentfulRecord) -> None:
        page = _existing(record, _model(self.model_label))
        if page is not None and page.live:
            page.unpublish(log_action=True)


class TestimonialMapper:
    content_type = "testimonial"
    model_label = "cms_core.testimonial"

    def apply(self, *, record: ContentfulRecord, context: ApplyContext) -> models.Model:
        model = _model(self.model_label)
        fields = record.fields
        testimonial = _existing(record, model) or model()
        testimonial.quote = _text(fields, "quote", "text", "body", limit=600)
        testimonial.person_name = _text(fields, "name", "personName", "author")[:120]
        testimonial.role = _text(fields, "role", "context", "attribution")[:160]
        testimonial.image = context.image(fields.get("image") or fields.get("photo"))
        testimonial.full_clean()
        testimonial.save()
        return testimonial

    def withdraw(self, *, record: ContentfulRecord) -> None:
        testimonial = _existing(record, _model(self.model_label))
        if testimonial is not None:
            testimonial.delete()


class FaqMapper:
    content_type = "faq"
    model_label = "cms_core.faqitem"
    features = frozenset({"bold", "italic", "link", "ol", "ul"})

    def apply(self, *, record: ContentfulRecord, context: ApplyContext) -> models.Model:
        model = _model(self.model_label)
        fields = record.fields
        item = _existing(record, model) or model()
        item.question = _text(fields, "question", "title")[:255]
        answer = fields.get("answer")
        if isinstance(answer, dict):
            item.answer = rich_text_to_html(
                answer, features=self.features, links=context.link_targets()
            )
        else:
            paragraphs = [p for p in str(answer or "").split("\n\n") if p.strip()]
            item.answer = "".join(f"<p>{escape(p.strip())}</p>" for p in paragraphs)
        item.full_clean()
        item.save()
        return item

    def withdraw(self, *, record: ContentfulRecord) -> None:
        item = _existing(record, _model(self.model_label))
        if item is not None:
            item.delete()


def _image_block(image_id: int, alt_text: str) -> dict[str, Any]:
    return {
        "type": "image",
        "value": {"image": image_id, "alt_text": alt_text, "decorative": not alt_text},
    }


MAPPERS: dict[str, Mapper] = {}


def register(mapper: Mapper) -> Mapper:
    MAPPERS[mapper.content_type] = mapper
    return mapper


def mapper_for(content_type: str) -> Mapper | None:
    return MAPPERS.get(content_type)


for _mapper in (ArticleMapper(), TestimonialMapper(), FaqMapper()):
    register(_mapper)
