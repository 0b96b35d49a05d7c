"""The body's limited formatting never lets HTML through."""

from notifications.announcements import markup


def test_paragraphs_lists_bold_and_links_become_html():
    html = markup.to_html("Hello **you**.\n\n- one\n- [two](/b/)", base_url="https://a.example")
    assert "<p" in html and "<strong>you</strong>" in html
    assert "<ul" in html and html.count("<li>") == 2
    assert 'href="https://a.example/b/"' in html


def test_html_in_the_body_is_escaped():
    html = markup.to_html('<script>alert(1)</script> [x](javascript:alert(1)) <b onclick="y">')
    assert "<script>" not in html and "<b " not in html
    assert "href" not in html
    assert "&lt;script&gt;" in html


def test_a_link_label_cannot_smuggle_markup():
    html = markup.to_html("[<img src=x onerror=alert(1)>](https://ok.example/)")
    assert "<img" not in html
    assert 'href="https://ok.example/"' in html


def test_plain_text_spells_links_out():
    plain = markup.to_plain("See **the** [terms](/terms/).", base_url="https://a.example")
    assert plain == "See the terms (https://a.example/terms/)."


def test_summary_is_the_first_paragraph_cut_at_a_word():
    assert markup.summary("First **one** [here](/x/).\n\nSecond.") == "First one here."
    long = "word " * 60
    cut = markup.summary(long, limit=40)
    assert len(cut) <= 40 and cut.endswith("…")
