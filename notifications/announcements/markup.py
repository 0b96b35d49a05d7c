"""The little formatting an announcement's body may use: paragraphs (blank lines), lists
(lines starting with "- "), **bold** and [links](https://…). Anything else is text: the
body is escaped before any of it becomes markup, so staff cannot inject HTML into emails."""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")
BOLD = re.compile(r"\*\*(.+?)\*\*")
LINK_STYLE = "color:#17504d;"


def allowed_url(url: str) -> bool:
    """Web links and pages of this site only: no javascript:, data: or mailto: tricks."""
    return url.startswith(("https://", "http://")) or (
        url.startswith("/") and not url.startswith("//")
    )


def _absolute(url: str, base_url: str) -> str:
    return base_url.rstrip("/") + url if url.startswith("/") else url


def _inline_html(text: str, base_url: str) -> str:
    parts: list[str] = []
    position = 0
    for match in LINK.finditer(text):
        parts.append(BOLD.sub(r"<strong>\1</strong>", escape(text[position : match.start()])))
        label, url = match.group(1), match.group(2)
        if allowed_url(url):
            parts.append(
                f'<a href="{escape(_absolute(url, base_url))}" style="{LINK_STYLE}">'
                f"{escape(label)}</a>"
            )
        else:
            parts.append(escape(match.group(0)))
        position = match.end()
    parts.append(BOLD.sub(r"<strong>\1</strong>", escape(text[position:])))
    return "".join(parts)


def _blocks(text: str) -> list[list[str]]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line.rstrip())
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _is_list(block: list[str]) -> bool:
    return all(line.lstrip().startswith("- ") for line in block)


def to_html(text: str, *, base_url: str = "") -> SafeString:
    """The body as HTML for an email; site-relative links are made absolute."""
    html: list[str] = []
    for block in _blocks(text):
        if _is_list(block):
            items = "".join(
                f"<li>{_inline_html(line.lstrip()[2:], base_url)}</li>" for line in block
            )
            html.append(f'<ul style="margin:0 0 16px 0;padding-left:24px;">{items}</ul>')
        else:
            inner = "<br>".join(_inline_html(line, base_url) for line in block)
            html.append(f'<p style="margin:0 0 16px 0;">{inner}</p>')
    return mark_safe("\n".join(html))  # noqa: S308 - every piece of text above is escaped


def _inline_plain(text: str, base_url: str) -> str:
    def link(match: re.Match[str]) -> str:
        label, url = match.group(1), match.group(2)
        return f"{label} ({_absolute(url, base_url)})" if allowed_url(url) else match.group(0)

    return BOLD.sub(r"\1", LINK.sub(link, text))


def to_plain(text: str, *, base_url: str = "") -> str:
    """The body as plain text for the text part of an email: links spelled out."""
    out: list[str] = []
    for block in _blocks(text):
        out.append("\n".join(_inline_plain(line.strip(), base_url) for line in block))
    return "\n\n".join(out)


def summary(text: str, *, limit: int = 160) -> str:
    """The first paragraph on one line, without formatting, cut at a word: the in-app
    notification's sentence."""
    blocks = _blocks(text)
    if not blocks:
        return ""
    first = " ".join(
        BOLD.sub(r"\1", LINK.sub(r"\1", line.strip().removeprefix("- "))) for line in blocks[0]
    )
    if len(first) <= limit:
        return first
    return first[: limit - 1].rsplit(" ", 1)[0].rstrip(".,;:") + "…"
