"""Bytes a broken server sends still read as the text the publisher wrote."""

from __future__ import annotations

import pytest
from lxml import etree, html

from crawler.parsers import decode
from crawler.parsers.text import normalize_space, paragraphs

PAGES = [
    ("<p>Café Zürich – the Airmen’s “story” (AFNS) — more.</p>", "cp1252"),
    ("<p>Ramstein Air Base, Germany (AFNS) – Airmen’s day.</p>", "cp1252"),
    ("<p>横田基地のニュースです。日本語の文章をここに書きます。</p>", "shift_jis"),
    ("<p>주한미군 험프리스 기지에서 훈련을 실시했습니다.</p>", "euc_kr"),
]


@pytest.mark.parametrize(("text", "encoding"), PAGES)
def test_a_page_not_in_the_utf8_it_declares_is_read_as_what_it_is(text: str, encoding: str) -> None:
    page = f"<html><head><meta charset='utf-8'></head><body>{text}</body></html>"
    assert text in decode(page.encode(encoding), [("Content-Type", "text/html; charset=utf-8")])
    assert text in decode(page.encode(encoding), [("Content-Type", "text/html")])


@pytest.mark.parametrize("declared", ["iso-8859-1", "Shift_JIS", "euc-kr", "windows-1252"])
def test_utf8_declared_as_a_legacy_charset_is_read_as_utf8(declared: str) -> None:
    text = "<p>Café – 横田基地 – 서울</p>"
    page = f'<html><head><meta charset="{declared}"></head><body>{text}</body></html>'
    assert text in decode(page.encode(), [("Content-Type", f"text/html; charset={declared}")])


def test_a_page_with_no_charset_anywhere_is_read() -> None:
    for text, encoding in PAGES:
        assert text in decode(f"<html><body>{text}</body></html>".encode(encoding), [])


def test_control_characters_are_dropped_from_text() -> None:
    assert normalize_space("a stray\x00 NUL\x07 bell\x1b escape\x7f\tend") == (
        "a stray NUL bell escape end"
    )


def test_thousands_of_nested_elements_and_comments_keep_their_text_in_order() -> None:
    root = html.fromstring(
        "<div><!--x-->lead<p>one<!--y-->mid<b>bold</b> tail<br>x<br><br>y</p>"
        "<!--c-->after<script>no</script>t2<div></div></div>"
    )
    node = root[-1]
    for _ in range(10_000):  # deeper than any parser builds, deeper than Python recurses
        node = etree.SubElement(node, "div")
    node.text = "deep"
    assert paragraphs(root) == ["lead", "onemidbold tail x", "y", "aftert2", "deep"]


def test_utf8_with_stray_bytes_or_a_word_paste_stays_utf8() -> None:
    """Mostly UTF-8: the bytes that are not are read as Windows-1252, the rest as UTF-8."""
    stray = "<p>(AFNS) – Airmen “Our Airmen” café @ end</p>".encode().replace(b"@", b"\xff\xfe\x80")
    pasted = "<p>“Quotes” in UTF-8, and it".encode() + b"\x92s pasted from Word\x81</p>"
    declared = [("Content-Type", "text/html; charset=utf-8")]
    assert decode(stray, declared) == "<p>(AFNS) – Airmen “Our Airmen” café ÿþ€ end</p>"
    assert decode(pasted, declared) == "<p>“Quotes” in UTF-8, and it’s pasted from Word</p>"
    assert decode(pasted, []) == "<p>“Quotes” in UTF-8, and it’s pasted from Word</p>"
