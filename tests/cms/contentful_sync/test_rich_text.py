"""Contentful Rich Text → Wagtail rich text, on the recorded "All Features" document."""

from cms.contentful_sync.rich_text import (
    MAX_DEPTH,
    HtmlSegment,
    ImageSegment,
    LinkTargets,
    rich_text_segments,
    rich_text_to_html,
    rich_text_to_plain,
)
from tests.integrations.contentful.recordings import rich_text_document


def _text(value, *marks):
    return {"nodeType": "text", "value": value, "marks": [{"type": m} for m in marks], "data": {}}


def _doc(*content):
    return {"nodeType": "document", "data": {}, "content": list(content)}


def _paragraph(*content):
    return {"nodeType": "paragraph", "data": {}, "content": list(content)}


def _link(link_type, target_id, node_type, *content):
    return {
        "nodeType": node_type,
        "data": {"target": {"sys": {"type": "Link", "linkType": link_type, "id": target_id}}},
        "content": list(content),
    }


def test_the_recorded_document_converts_every_supported_node():
    html = rich_text_to_html(rich_text_document())

    assert html.startswith("<h2>Some heading</h2><h2>Some subheading</h2>")
    for fragment in (
        "<p><b>Some bold</b></p>",
        "<p><i>Some italics</i></p>",
        "<p>Some underline</p>",  # no underline in Wagtail: the text stays
        "<p><code>Some code</code></p>",
        '<p><a href="https://www.contentful.com">A hyperlink</a></p>',
        "<ul><li>Ul list</li><li>A few <b>items</b><ol><li>Ordered list nested inside an "
        "Unordered list item</li></ol></li></ul>",
        "<ol><li>Ol list</li><li>two</li><li>three</li></ol>",
        "<hr/>",
        "<blockquote>An inspirational quote</blockquote>",
    ):
        assert fragment in html
    # The embedded entry links nowhere we know: dropped, no empty paragraphs left.
    assert "<p></p>" not in html


def test_text_and_urls_are_escaped_and_unsafe_links_dropped():
    html = rich_text_to_html(
        _doc(
            _paragraph(_text('<script>alert("x")</script> & more')),
            _paragraph(
                {
                    "nodeType": "hyperlink",
                    "data": {"uri": "javascript:alert(1)"},
                    "content": [_text("bad")],
                },
                {
                    "nodeType": "hyperlink",
                    "data": {"uri": 'https://e.org/?a=1&b="2"'},
                    "content": [_text("ok")],
                },
            ),
        )
    )

    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in html
    assert "javascript" not in html and "bad" in html
    assert '<a href="https://e.org/?a=1&amp;b=&quot;2&quot;">ok</a>' in html


def test_unknown_malformed_and_too_deep_nodes_are_dropped_safely():
    deep = _text("deep")
    for _ in range(MAX_DEPTH + 5):
        deep = {"nodeType": "blockquote", "data": {}, "content": [deep]}
    html = rich_text_to_html(
        _doc(
            {"nodeType": "table", "data": {}, "content": [_paragraph(_text("cell"))]},
            {"nodeType": "paragraph", "content": "not a list"},
            "not a node",
            {
                "nodeType": "paragraph",
                "data": {},
                "content": [{"nodeType": "mystery-inline", "content": [_text("x")]}],
            },
            deep,
            _paragraph(_text("kept")),
        )
    )

    assert html == "<p>kept</p>"
    assert rich_text_to_html(None) == "" and rich_text_to_html({"nodeType": "paragraph"}) == ""


def test_elements_the_field_does_not_allow_become_the_nearest_allowed_ones():
    item = {
        "nodeType": "list-item",
        "data": {},
        "content": [_paragraph(_text("one", "bold", "code"))],
    }
    document = _doc(
        {"nodeType": "heading-1", "data": {}, "content": [_text("Title")]},
        {"nodeType": "heading-4", "data": {}, "content": [_text("Small")]},
        {"nodeType": "ordered-list", "data": {}, "content": [item]},
        {"nodeType": "blockquote", "data": {}, "content": [_paragraph(_text("quoted"))]},
    )

    assert rich_text_to_html(document, features={"h3", "bold"}) == (
        "<h3>Title</h3><h3>Small</h3><p><b>one</b></p><p>quoted</p>"
    )
    assert rich_text_to_html(document, features=set()) == (
        "<p>Title</p><p>Small</p><p>one</p><p>quoted</p>"
    )


def test_links_to_entries_and_embedded_assets_resolve_through_the_targets():
    targets = LinkTargets(
        page_for_entry={"article-1": 41}.get,
        image_for_asset={"pic": (7, "A pic")}.get,
        title_for_entry={"article-1": "Breathing"}.get,
    )
    document = _doc(
        _paragraph(
            _text("See "),
            _link("Entry", "article-1", "entry-hyperlink", _text("this")),
            _text(" and "),
            _link("Entry", "elsewhere", "entry-hyperlink", _text("that")),
            _link("Entry", "article-1", "embedded-entry-inline"),
        ),
        _link("Asset", "pic", "embedded-asset-block"),
        _link("Asset", "missing", "embedded-asset-block"),
        _link("Entry", "article-1", "embedded-entry-block"),
    )

    segments = rich_text_segments(document, links=targets)

    assert segments == [
        HtmlSegment(
            '<p>See <a linktype="page" id="41">this</a> and that'
            '<a linktype="page" id="41">Breathing</a></p>'
        ),
        ImageSegment(image_id=7, alt_text="A pic"),
        HtmlSegment('<p><a linktype="page" id="41">Breathing</a></p>'),
    ]


def test_line_breaks_and_plain_text_for_teasers():
    document = _doc(_paragraph(_text("one\ntwo")), _paragraph(_text("three   four")))

    assert rich_text_to_html(document) == "<p>one<br/>two</p><p>three   four</p>"
    assert rich_text_to_plain(document) == "one two\n\nthree four"
    assert rich_text_to_plain(rich_text_document(), limit=30) == "Some heading\n\nSome…"
