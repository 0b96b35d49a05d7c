"""Reads a page's head the way crawlers do: meta tags, links and JSON-LD, with
html.parser and json.loads."""

import json
from html.parser import HTMLParser


class HeadParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.links: dict[str, list[str]] = {}
        self.json_ld: list[dict] = []
        self.title = ""
        self._in_json_ld = False
        self._in_title = False
        self._buffer: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "meta":
            key = attributes.get("property") or attributes.get("name")
            if key:
                self.meta.setdefault(key, []).append(attributes.get("content", ""))
        elif tag == "link" and attributes.get("rel"):
            self.links.setdefault(attributes["rel"], []).append(attributes.get("href", ""))
        elif tag == "script" and attributes.get("type") == "application/ld+json":
            self._in_json_ld, self._buffer = True, []
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "script" and self._in_json_ld:
            self.json_ld.append(json.loads("".join(self._buffer)))
            self._in_json_ld = False
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_json_ld:
            self._buffer.append(data)
        elif self._in_title:
            self.title += data


def parse_head(html: str) -> HeadParser:
    parser = HeadParser()
    parser.feed(html)
    return parser


def json_ld_types(head: HeadParser) -> dict[str, dict]:
    """Every JSON-LD object on the page by its @type (each page has at most one of each)."""
    found = {}
    for document in head.json_ld:
        for item in document.get("@graph", [document]):
            found[item["@type"]] = item
    return found
