"""Contentful Rich Text (the JSON document) → Wagtail rich text HTML.

The output is Wagtail's stored rich text format (`<p>`, `<h2>`, `<b>`, `<a linktype="page"
id="..">`...), limited to the features of the field it is written into: an element the
field does not allow is turned into the nearest allowed one (a heading into a bold
paragraph) or reduced to its text. All text and attribute values are escaped; unknown
nodes (tables, new node types Contentful may add) are dropped with their content. Blocks
that cannot live inside rich text (an embedded image asset) are returned as separate
segments so a StreamField can hold them as image blocks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import escape

# Contentful's documents are shallow; a deeper one is malformed or hostile.
MAX_DEPTH = 32
SAFE_URL_SCHEMES = ("https://", "http://", "mailto:", "tel:")
HEADING_TAGS = {
    "heading-1": "h2",
    "heading-2": "h2",
    "heading-3": "h3",
    "heading-4": "h4",
    "heading-5": "h4",
    "heading-6": "h4",
}
# Contentful mark → (Wagtail feature, tag), outermost first when several apply.
MARKS = [
    ("bold", "bold", "b"),
    ("italic", "italic", "i"),
    ("code", "code", "code"),
    ("superscript", "superscript", "sup"),
    ("subscript", "subscript", "sub"),
    ("strikethrough", "strikethrough", "s"),
]
DEFAULT_FEATURES = frozenset(
    {"h2", "h3", "h4", "bold", "italic", "link", "ol", "ul", "blockquote", "hr", "code"}
)


@dataclass(frozen=True)
class HtmlSegment:
    html: str


@dataclass(frozen=True)
class ImageSegment:
    image_id: int
    alt_text: str


Segment = HtmlSegment | ImageSegment


@dataclass(frozen=True)
class LinkTargets:
    """How links out of a document resolve. `page_for_entry(id)` → a Wagtail page id for
    a Contentful entry that became a page (None if it did not); `image_for_asset(id)` →
    (image id, alt text) for an asset that became a Wagtail image."""

    page_for_entry: Callable[[str], int | None] = lambda _id: None
    image_for_asset: Callable[[str], tuple[int, str] | None] = lambda _id: None
    title_for_entry: Callable[[str], str] = lambda _id: ""


@dataclass
class _Converter:
    features: frozenset[str]
    links: LinkTargets
    segments: list[Segment] = field(default_factory=list)
    _html: list[str] = field(default_factory=list)

    # --- helpers ---------------------------------------------------------------------

    def _flush(self) -> None:
        html = "".join(self._html).strip()
        if html:
            self.segments.append(HtmlSegment(html))
        self._html = []

    @staticmethod
    def _children(node: dict[str, Any]) -> list[dict[str, Any]]:
        content = node.get("content")
        if not isinstance(content, list):
            return []
        return [child for child in content if isinstance(child, dict)]

    @staticmethod
    def _target_id(node: dict[str, Any]) -> str:
        data = node.get("data")
        target = data.get("target") if isinstance(data, dict) else None
        sys = target.get("sys") if isinstance(target, dict) else None
        value = sys.get("id") if isinstance(sys, dict) else None
        return value if isinstance(value, str) else ""

    def _page_link(self, entry_id: str, inner: str) -> str:
        page_id = self.links.page_for_entry(entry_id) if entry_id else None
        if page_id is None or "link" not in self.features:
            return inner
        return f'<a linktype="page" id="{int(page_id)}">{inner}</a>'

    # --- inline content ----------------------------------------------------------------

    def inline(self, node: dict[str, Any], depth: int) -> str:
        if depth > MAX_DEPTH:
            return ""
        node_type = node.get("nodeType")
        if node_type == "text":
            return self.text(node)
        inner = "".join(self.inline(child, depth + 1) for child in self._children(node))
        if node_type == "hyperlink":
            data = node.get("data") if isinstance(node.get("data"), dict) else {}
            uri = data.get("uri") if isinstance(data.get("uri"), str) else ""
            if "link" in self.features and uri.lower().startswith(SAFE_URL_SCHEMES):
                return f'<a href="{escape(uri)}">{inner}</a>'
            return inner
        if node_type == "entry-hyperlink":
            return self._page_link(self._target_id(node), inner)
        if node_type == "embedded-entry-inline":
            entry_id = self._target_id(node)
            title = escape(self.links.title_for_entry(entry_id)) if entry_id else ""
            return self._page_link(entry_id, title) if title else ""
        if node_type in {"asset-hyperlink", "paragraph", "list-item"} or node_type in HEADING_TAGS:
            return inner
        # Anything else inline (resource links, new node types) is dropped.
        return ""

    def text(self, node: dict[str, Any]) -> str:
        value = node.get("value")
        if not isinstance(value, str) or not value:
            return ""
        html = escape(value).replace("\n", "<br/>")
        marks = node.get("marks") if isinstance(node.get("marks"), list) else []
        names = {mark.get("type") for mark in marks if isinstance(mark, dict)}
        for mark, feature, tag in reversed(MARKS):
            if mark in names and feature in self.features:
                html = f"<{tag}>{html}</{tag}>"
        return html

    # --- blocks ------------------------------------------------------------------------

    def block(self, node: dict[str, Any], depth: int) -> None:
        if depth > MAX_DEPTH:
            return
        node_type = node.get("nodeType")
        if node_type == "document":
            for child in self._children(node):
                self.block(child, depth + 1)
        elif node_type == "paragraph":
            inner = self.inline(node, depth)
            if inner.strip():
                self._html.append(f"<p>{inner}</p>")
        elif node_type in HEADING_TAGS:
            inner = self.inline(node, depth)
            if not inner.strip():
                return
            tag = HEADING_TAGS[node_type]
            allowed = [t for t in ("h2", "h3", "h4") if t in self.features]
            if tag not in self.features and allowed:
                # The nearest allowed level below (or the lowest allowed at all).
                tag = next((t for t in allowed if t >= tag), allowed[-1])
            if tag in self.features:
                self._html.append(f"<{tag}>{inner}</{tag}>")
            elif "bold" in self.features:
                self._html.append(f"<p><b>{inner}</b></p>")
            else:
                self._html.append(f"<p>{inner}</p>")
        elif node_type in {"unordered-list", "ordered-list"}:
            self._html.append(self.list_html(node, depth))
        elif node_type == "blockquote":
            paragraphs = [self.inline(child, depth + 1) for child in self._children(node)]
            paragraphs = [p for p in paragraphs if p.strip()]
            if not paragraphs:
                return
            if "blockquote" in self.features:
                self._html.append(f"<blockquote>{'<br/>'.join(paragraphs)}</blockquote>")
            else:
                self._html.extend(f"<p>{p}</p>" for p in paragraphs)
        elif node_type == "hr":
            if "hr" in self.features:
                self._html.append("<hr/>")
        elif node_type == "embedded-asset-block":
            image = self.links.image_for_asset(self._target_id(node))
            if image is not None:
                self._flush()
                self.segments.append(ImageSegment(image_id=int(image[0]), alt_text=image[1]))
        elif node_type == "embedded-entry-block":
            entry_id = self._target_id(node)
            title = self.links.title_for_entry(entry_id) if entry_id else ""
            if title and self.links.page_for_entry(entry_id) is not None:
                self._html.append(f"<p>{self._page_link(entry_id, escape(title))}</p>")
        # Tables, resource blocks and unknown nodes: dropped.

    def list_html(self, node: dict[str, Any], depth: int, *, nested: bool = False) -> str:
        ordered = node.get("nodeType") == "ordered-list"
        tag = "ol" if ordered else "ul"
        items = []
        for item in self._children(node):
            if item.get("nodeType") != "list-item":
                continue
            parts = []
            sublists = []
            for child in self._children(item):
                if child.get("nodeType") in {"unordered-list", "ordered-list"}:
                    sublists.append(self.list_html(child, depth + 2, nested=True))
                else:
                    text = self.inline(child, depth + 2)
                    if text.strip():
                        parts.append(text)
            items.append("<br/>".join(parts) + "".join(sublists))
        items = [item for item in items if item.strip()]
        if not items:
            return ""
        if tag not in self.features:
            if nested:
                return "<br/>" + "<br/>".join(items)
            return "".join(f"<p>{item}</p>" for item in items)
        return f"<{tag}>" + "".join(f"<li>{item}</li>" for item in items) + f"</{tag}>"


def rich_text_segments(
    document: Any,
    *,
    features: frozenset[str] | set[str] = DEFAULT_FEATURES,
    links: LinkTargets | None = None,
) -> list[Segment]:
    """The document as rich text HTML segments with image segments between them."""
    converter = _Converter(features=frozenset(features), links=links or LinkTargets())
    if isinstance(document, dict) and document.get("nodeType") == "document":
        converter.block(document, 0)
    converter._flush()
    return converter.segments


def rich_text_to_html(
    document: Any,
    *,
    features: frozenset[str] | set[str] = DEFAULT_FEATURES,
    links: LinkTargets | None = None,
) -> str:
    """The document as one rich text HTML string (embedded images left out)."""
    segments = rich_text_segments(document, features=features, links=links)
    return "".join(segment.html for segment in segments if isinstance(segment, HtmlSegment))


def rich_text_to_plain(document: Any, *, limit: int | None = None) -> str:
    """The document's text, paragraphs separated by blank lines (for teasers)."""
    chunks: list[str] = []

    def walk(node: Any, depth: int, into: list[str]) -> None:
        if depth > MAX_DEPTH or not isinstance(node, dict):
            return
        if node.get("nodeType") == "text" and isinstance(node.get("value"), str):
            into.append(node["value"])
            return
        for child in node.get("content") or []:
            walk(child, depth + 1, into)

    if isinstance(document, dict):
        for block in document.get("content") or []:
            words: list[str] = []
            walk(block, 1, words)
            text = " ".join("".join(words).split())
            if text:
                chunks.append(text)
    plain = "\n\n".join(chunks)
    if limit is not None and len(plain) > limit:
        plain = plain[: max(0, limit - 1)].rsplit(" ", 1)[0] + "…"
    return plain
