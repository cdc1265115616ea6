"""Listing pages and feeds: the listing's own items, pagination, and RSS items."""

from __future__ import annotations

from pathlib import Path

from crawler.parsers import listing
from crawler.parsers.feeds import read_feed
from crawler.profiles import get_profile

ROOT = Path(__file__).resolve().parent.parent


def test_profile_selectors_ignore_sidebar_links() -> None:
    html = """<div class="alist"><div class="item"><a id="atitle" href="/Media/Press-Releases/Article-View/Article/3/c/">C</a></div>
    <div class="item"><a id="atitle" href="https://www.usfj.mil/Media/Press-Releases/Article-View/Article/2/b/">B</a></div></div>
    <aside><a href="/Media/Press-Releases/Article-View/Article/9/popular/">Popular</a></aside>"""
    links = listing.article_links(
        html, "http://127.0.0.1:1/Media/Press-Releases/", get_profile("usfj")
    )
    assert [get_profile("usfj").article_key(u)[0] for u in links] == ["3", "2"]  # type: ignore[index]


def test_war_gov_custom_elements_and_fallback() -> None:
    html = """<div class="alist-inner"><feature-template><listing-with-preview article-id="5"
    article-url="http://www.defense.gov/News/Releases/Release/Article/5/x//"></listing-with-preview>
    </feature-template></div>"""
    links = listing.article_links(html, "https://www.war.gov/News/Releases/", get_profile("wargov"))
    assert links == ["http://www.defense.gov/News/Releases/Release/Article/5/x//"]
    drifted = '<ul><li><a href="/News/Releases/Release/Article/6/y/">Y</a></li></ul>'
    assert len(listing.article_links(drifted, "https://www.war.gov/", get_profile("wargov"))) == 1


def test_pagination() -> None:
    html = '<ul class="pagination"><li class="active"><a href="?Page=1">1</a></li><li><a href="/News/?Page=2">2</a></li></ul>'
    assert listing.has_page(html, 2)
    assert not listing.has_page(html, 3)
    assert listing.with_page("http://h/News/?Page=2", 3) == "http://h/News/?Page=3"
    assert listing.page_number("http://h/News/?page=4") == 4


def test_real_af_mil_feed() -> None:
    feed = (ROOT / "tests" / "sample_data" / "afmil-rss-2016.xml").read_bytes()
    read = read_feed(
        feed, get_profile("afmil"), "https://www.af.mil/rss", "application/rss+xml; charset=utf-8"
    )
    assert read.format == "rss20"
    links = read.links
    assert len(links) == 20
    assert links[0].endswith("/Article/590267/womens-af-history-expands-with-new-four-star.aspx")
