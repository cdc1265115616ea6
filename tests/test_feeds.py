"""Feeds are read safely (no entity is expanded, no file or URL is read) and tolerantly."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from crawler.parsers.feeds import HostileFeed, read_feed
from crawler.profiles import get_profile

AFMIL = get_profile("afmil")
PAGE = "https://www.af.mil/DesktopModules/ArticleCS/RSS.ashx?ContentType=1&Site=1"
ITEM = "<item><title>{title}</title><link>https://www.af.mil/News/Article-Display/Article/{id}/slug/</link></item>"


def rss(items: str, prolog: str = '<?xml version="1.0" encoding="utf-8"?>') -> bytes:
    return (
        f'{prolog}<rss version="2.0"><channel><title>Air Force</title>{items}</channel></rss>'
    ).encode()


def test_an_external_entity_is_refused_and_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    body = rss(
        ITEM.format(title="&x;", id=1),
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>',
    )
    with pytest.raises(HostileFeed) as refused:
        read_feed(body, AFMIL, PAGE)
    assert "TOP-SECRET-VALUE" not in str(refused.value)
    assert "entities" in str(refused.value)


def test_a_billion_laughs_is_refused_at_once() -> None:
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {b} "{("&" + a + ";") * 10}">'
        for a, b in zip("abcdefgh", "bcdefghi", strict=True)
    )
    body = rss(ITEM.format(title="&i;", id=1), f'<?xml version="1.0"?><!DOCTYPE rss [{entities}]>')
    started = time.process_time()
    with pytest.raises(HostileFeed):
        read_feed(body, AFMIL, PAGE)
    assert time.process_time() - started < 1.0  # 10**9 characters were never built


def test_a_parameter_entity_is_refused() -> None:
    doctype = '<!DOCTYPE rss [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>'
    with pytest.raises(HostileFeed):
        read_feed(rss(ITEM.format(title="t", id=1), '<?xml version="1.0"?>' + doctype), AFMIL, PAGE)


def test_an_external_dtd_is_never_fetched_and_the_feed_is_read() -> None:
    """Old RSS 0.91 feeds name Netscape's DTD: harmless while nothing fetches it."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.setblocking(False)
        port = listener.getsockname()[1]
        doctype = f'<!DOCTYPE rss SYSTEM "http://127.0.0.1:{port}/rss-0.91.dtd">'
        read = read_feed(
            rss(ITEM.format(title="t", id=1), '<?xml version="1.0"?>' + doctype), AFMIL, PAGE
        )
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected
    assert len(read.links) == 1


def test_malformed_feeds_real_cmss_emit_still_give_their_links() -> None:
    items = "".join(
        ITEM.format(title=f"R&D {n} &nbsp; <b>bold</b> caf\u00e9", id=n) for n in range(1, 6)
    )
    for body in (
        rss(items),  # unescaped & and an HTML entity XML does not know
        b"\xef\xbb\xbf\n  " + rss(items),  # a byte-order mark and blank lines first
        rss(items, '<?xml version="1.0" encoding="iso-8859-1"?>'),  # UTF-8 declared Latin-1
        rss(items).replace(b"</channel></rss>", b""),  # cut before the end
    ):
        read = read_feed(body, AFMIL, PAGE, "text/xml")
        assert [link.split("/")[6] for link in read.links] == ["1", "2", "3", "4", "5"]


def test_atom_rdf_and_permalink_guids_are_read() -> None:
    atom = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        b'<entry><title>a</title><link rel="alternate" href="https://www.af.mil/News/Article-Display/Article/7/a/"/>'
        b"<id>tag:af.mil,2024:7</id></entry></feed>"
    )
    rdf = (
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        b' xmlns="http://purl.org/rss/1.0/"><channel rdf:about="x"><title>t</title></channel>'
        b'<item rdf:about="https://www.af.mil/News/Article-Display/Article/8/b/"><title>b</title>'
        b"<link>https://www.af.mil/News/Article-Display/Article/8/b/</link></item></rdf:RDF>"
    )
    guid = rss(
        '<item><title>c</title><guid isPermaLink="true">https://www.af.mil/News/Article-Display/Article/9/c/</guid></item>'
    )
    assert read_feed(atom, AFMIL, PAGE).links == [
        "https://www.af.mil/News/Article-Display/Article/7/a/"
    ]
    assert read_feed(rdf, AFMIL, PAGE).links == [
        "https://www.af.mil/News/Article-Display/Article/8/b/"
    ]
    assert read_feed(guid, AFMIL, PAGE).links == [
        "https://www.af.mil/News/Article-Display/Article/9/c/"
    ]


def test_items_of_other_sites_and_repeats_are_left_out() -> None:
    items = (
        ITEM.format(title="a", id=1)
        + ITEM.format(title="again, under another slug", id=1).replace("slug", "other")
        + "<item><title>x</title><link>https://evil.example/News/Article-Display/Article/2/x/</link></item>"
        + "<item><title>y</title><link>https://www.af.mil/About-Us/</link></item>"
    )
    assert read_feed(rss(items), AFMIL, PAGE).links == [
        "https://www.af.mil/News/Article-Display/Article/1/slug/"
    ]


def test_an_html_page_in_place_of_the_feed_is_not_a_feed() -> None:
    page = (
        b"<!DOCTYPE html><html><head><title>Air Force</title></head><body><p>Hi</p></body></html>"
    )
    read = read_feed(page, AFMIL, PAGE, "text/html; charset=utf-8")
    assert (read.format, read.links) == ("", [])
