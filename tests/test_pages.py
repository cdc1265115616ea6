"""Publishers on their own CMS (platform "page"): NATO, National Defence on canada.ca and
Japan's Ministry of Defense — URL keys, the metadata-first parser, French twins read as a
second section, PDF-only releases, offset paging, and crawls of their mirrors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.parsers import Reject, Release, parse
from crawler.parsers.listing import has_page, last_page, page_number, with_page
from crawler.parsers.twins import twin_url, with_twin
from crawler.profiles import get_profile
from crawler.records import content_digest
from mirror.pages import page_sites
from tests.conftest import Mirror
from tests.crawling import crawl, scrapy_in
from tests.pdfs import build_pdf

SITES = page_sites()
NATO_PAGE = "/cps/en/natohq/news_228001.htm"
CANADA_PAGE = (
    "/en/department-national-defence/news/2025/10/"
    "canada-to-deploy-additional-frigate-to-indo-pacific.html"
)
CANADA_TWIN = (
    "/fr/ministere-defense-nationale/nouvelles/2025/10/"
    "le-canada-deploiera-une-fregate-supplementaire-dans-lindo-pacifique.html"
)


def _parse(site: str, path: str, body: bytes | None = None) -> Release | Reject:
    profile = get_profile(site)
    return parse(profile.origin + path, body or SITES[site].files[path], [], profile=profile)


def _release(site: str, path: str) -> Release:
    result = _parse(site, path)
    assert isinstance(result, Release), result
    return result


# ---- keys ----------------------------------------------------------------------------------


def test_each_publishers_article_urls_key_to_one_id_and_twins_to_none() -> None:
    nato = get_profile("nato")
    for url in (
        "https://www.nato.int/cps/en/natohq/news_228001.htm",
        "http://nato.int/cps/en/natohq/news_228001.htm?selectedLocale=en",
        "https://www.nato.int//cps/EN/natohq/news_228001.htm",
        "https://www.nato.int/cps/en/natolive/news_228001.htm",  # the pre-2014 site
        "https://www.nato.int/cps/en/SID-0A1B2C3D-4E5F6A7B/natohq/news_228001.htm",
    ):
        key = nato.article_key(url)
        assert key is not None and key.id == "228001", url
        assert nato.key_url(key) == "https://www.nato.int/cps/en/natohq/news_228001.htm"
    texts = nato.article_key("https://www.nato.int/cps/en/natohq/official_texts_227950.htm")
    assert texts is not None and texts.path == "/cps/en/natohq/official_texts_227950.htm"
    french = "https://www.nato.int/cps/fr/natohq/news_228001.htm"
    assert nato.article_key(french) is None and nato.is_twin_url(french)
    assert nato.article_key("https://www.nato.int/cps/en/natohq/topics_8206.htm") is None
    assert nato.twin_of(texts) == {"fr": "/cps/fr/natohq/official_texts_227950.htm"}

    canada = get_profile("canadadnd")
    key = canada.article_key("https://www.canada.ca" + CANADA_PAGE)
    assert key is not None and key.id.startswith("2025/10/canada-to-deploy")
    assert canada.record_id(key.id) == f"canadadnd:{key.id}"
    assert canada.article_key("https://www.canada.ca" + CANADA_TWIN) is None
    assert canada.is_twin_url("https://www.canada.ca" + CANADA_TWIN)
    assert canada.article_key("https://www.canada.ca/en/department-national-defence.html") is None

    japan = get_profile("japanmod")
    html = japan.article_key("https://www.mod.go.jp/j/press/news/2025/10/17a.html")
    pdf = japan.article_key("https://www.mod.go.jp/j/press/news/2025/10/16a.pdf")
    assert html is not None and html.id == "2025/10/17a"
    assert pdf is not None and japan.key_url(pdf).endswith("/j/press/news/2025/10/16a.pdf")
    # An attachment of a release is not a release.
    assert japan.article_key("https://www.mod.go.jp/j/press/news/2025/10/17a_01.pdf") is None
    assert japan.article_key("https://www.mod.go.jp/j/press/news/index.html") is None


def test_listings_paged_by_offset() -> None:
    url = "https://www.nato.int/cps/en/natohq/press_releases.htm"
    assert with_page(url, 3, "start", 10) == url + "?start=20"
    assert page_number(url + "?start=20", "start", 10) == 3
    assert page_number(url, "start", 10) == 1
    html = '<a href="?start=10">Next</a><a href="?start=40">Last</a>'
    assert has_page(html, 2, "start", 10) and not has_page(html, 3, "start", 10)
    assert last_page(html, "start", 10) == 5
    # The ArticleCS form is unchanged.
    assert with_page("http://h/News/?Page=2", 3) == "http://h/News/?Page=3"


# ---- the parser ----------------------------------------------------------------------------


def test_a_nato_press_release_is_read_from_its_metadata_and_header_line() -> None:
    record = _release("nato", NATO_PAGE)
    assert record.id == "nato:228001" and record.kind == "release"
    assert record.title == "NATO Allies agree to strengthen air and missile defence"
    assert (record.number, record.published, record.updated) == (
        "(2025) 041",
        "2025-10-17",
        "2025-10-17",
    )
    assert record.text.startswith("NATO Defence Ministers met in Brussels")
    assert record.text.endswith("keep one billion people safe.")
    for furniture in ("Home", "Share this", "Related", "Press Release (2025)", "© NATO"):
        assert furniture not in record.text
    story = _release("nato", "/cps/en/natohq/news_227995.htm")
    assert (story.kind, story.number, story.published) == ("news", None, "2025-10-15")
    assert "Last updated" not in story.text


def test_a_canada_ca_release_gives_its_label_dateline_and_tags() -> None:
    record = _release("canadadnd", CANADA_PAGE)
    assert (record.kind, record.published, record.language) == ("release", "2025-10-17", "en")
    assert record.dateline == "OTTAWA, Ontario, October 17, 2025"
    assert record.text.startswith("Today, the Minister of National Defence announced")
    assert "National Defence / Canadian Armed Forces" not in record.text
    assert "News release" not in record.text and "Page details" not in record.text
    assert record.tags == ["Defence", "Navy"]
    kinds = {
        _release("canadadnd", path).kind
        for path in SITES["canadadnd"].files
        if path.startswith("/en/") and path.endswith(".html")
    }
    assert kinds == {"release", "statement", "advisory"}


def test_a_japanese_release_in_shift_jis_with_an_era_date() -> None:
    body = SITES["japanmod"].files["/j/press/news/2018/04/01a.html"]
    assert b"Shift_JIS" in body and "陸上総隊".encode("shift_jis") in body
    record = _release("japanmod", "/j/press/news/2018/04/01a.html")
    assert (record.title, record.published, record.language) == (
        "陸上総隊の新編について",
        "2018-04-01",  # 平成30年4月1日, not the 3月27日 in the text
        "ja",
    )
    assert record.text.startswith("陸上自衛隊は、") and not record.text.endswith("以上")
    modern = _release("japanmod", "/j/press/news/2025/10/17a.html")
    assert modern.published == "2025-10-17" and modern.languages == ["ja"]
    assert "防衛省\n" not in modern.text[:5] and "Facebook" not in modern.text


def test_a_release_published_only_as_pdf_is_read_and_marked() -> None:
    record = _release("japanmod", "/j/press/news/2025/10/16a.pdf")
    assert record.source_type == "pdf" and record.extractor["name"] == "page-pdf"
    assert (record.title, record.published) == ("自衛隊の災害派遣について", "2025-10-16")
    assert record.text.startswith("令和7年10月16日、大雨による被害")
    assert "防衛省" not in record.text.split("\n")[0][:4]
    # Dated only by its URL when the text prints no date.
    undated = build_pdf([["自衛隊の訓練について", "", "　訓練を実施しました。"]], japanese=True)
    result = _parse("japanmod", "/j/press/news/2025/11/03b.pdf", undated)
    assert isinstance(result, Release) and result.published == "2025-11-03"
    scanned = build_pdf([["x"]], image_pages=[0])
    refused = _parse("japanmod", "/j/press/news/2025/11/04a.pdf", scanned)
    assert isinstance(refused, Reject) and refused.reason == "missing_fields"
    assert refused.id == "japanmod:2025/11/04a"


def test_a_page_that_is_no_article_is_refused() -> None:
    listing = _parse(
        "japanmod",
        "/j/press/news/2025/10/17a.html",
        SITES["japanmod"].files["/j/press/news/index.html"],
    )
    assert isinstance(listing, Reject)
    not_found = b"<html lang='en'><head><title>Page not found</title></head><body><main><h1>Page not found</h1><p>We couldn't find that Web page (Error 404)</p></main></body></html>"
    refused = _parse("canadadnd", CANADA_PAGE, not_found)
    assert isinstance(refused, Reject) and refused.reason == "gone"


# ---- twins ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("site", "path", "twin"),
    [
        ("nato", NATO_PAGE, "/cps/fr/natohq/news_228001.htm"),
        ("canadadnd", CANADA_PAGE, CANADA_TWIN),
    ],
)
def test_the_french_twin_becomes_the_second_section(site: str, path: str, twin: str) -> None:
    profile = get_profile(site)
    record = _release(site, path)
    body = SITES[site].files[path]
    found = twin_url(record, body, [], profile)
    assert found == profile.origin + twin
    merged, refused = with_twin(record, found, SITES[site].files[twin], [], profile=profile)
    assert refused is None
    assert merged.languages == ["en", "fr"] and merged.language == "en"
    french = merged.sections[1]
    assert french.lang == "fr" and french.title and french.text
    assert merged.text == record.text  # the record's text stays its first language's
    gone, why = with_twin(
        record, found, b"<html><body>Not found</body></html>", [], profile=profile, status=404
    )
    assert gone == record and why is not None and why.reason == "gone"
    same, why = with_twin(record, found, body, [], profile=profile)
    assert same == record and why is not None and "already has" in why.detail


# ---- crawls of the mirrors -----------------------------------------------------------------


def _archive_records(output: Path) -> dict[str, dict[str, object]]:
    warcs = sorted((output / "warc").glob("*.warc.gz"))
    extracted = scrapy_in(output, "extract", *map(str, warcs))
    assert extracted.returncode == 0, extracted.stderr
    return {json.loads(line)["id"]: json.loads(line) for line in extracted.stdout.splitlines()}


def test_nato_crawl_takes_every_press_release_once_with_its_twin(
    mirror: Mirror, tmp_path: Path
) -> None:
    result = crawl("nato", mirror.mended().url("nato", ""), tmp_path)
    assert result.returncode == 0, result.log[-3000:]
    ids = sorted(r["id"] for r in result.releases)
    assert ids == ["nato:227900", "nato:227950", "nato:227990", "nato:228001"]
    assert all(r["languages"] == ["en", "fr"] for r in result.releases)
    assert all(r["url"].startswith("https://www.nato.int/cps/en/natohq/") for r in result.releases)
    served = mirror.served("nato")
    assert any("press_releases.htm?start=10" in line for line in served)  # page 2, by offset
    # The news story the feed lists is read, and left out as a kind this crawl does not take.
    assert [r["id"] for r in result.rejects] == ["nato:227995"]
    assert "a news, not a kind" in result.rejects[0]["detail"]
    second = crawl("nato", mirror.url("nato", ""), tmp_path)
    assert second.returncode == 0 and len(second.releases) == 4  # nothing new
    # Both runs' WARCs give the same records, twins paired again; the news story the crawl
    # left out is a record of its kind there.
    assert len(list((tmp_path / "warc").glob("*.warc.gz"))) == 2
    again = _archive_records(tmp_path)
    for record in result.releases:
        assert content_digest(again[record["id"]]) == content_digest(record)
    assert again["nato:227995"]["kind"] == "news"


def test_canada_and_japan_crawls(mirror: Mirror, tmp_path: Path) -> None:
    canada = crawl("canadadnd", mirror.mended().url("canadadnd", ""), tmp_path / "ca")
    assert canada.returncode == 0, canada.log[-3000:]
    assert {r["kind"] for r in canada.releases} == {"release", "statement", "advisory"}
    assert all(r["languages"] == ["en", "fr"] for r in canada.releases)
    assert any("/io-server/gc/news/en/v2" in line for line in mirror.served("canadadnd"))
    japan = crawl("japanmod", mirror.url("japanmod", ""), tmp_path / "jp")
    assert japan.returncode == 0, japan.log[-3000:]
    by_id = {r["id"]: r for r in japan.releases}
    assert set(by_id) == {
        "japanmod:2025/10/17a",
        "japanmod:2025/10/17b",
        "japanmod:2025/10/16a",
        "japanmod:2018/04/01a",
    }
    assert by_id["japanmod:2025/10/16a"]["source_type"] == "pdf"
    assert by_id["japanmod:2025/10/16a"]["archive"]["target_uri"].endswith("/16a.pdf")
    again = _archive_records(tmp_path / "jp")
    assert again["japanmod:2025/10/16a"]["source_type"] == "pdf"
    assert again["japanmod:2018/04/01a"]["title"] == "陸上総隊の新編について"


def test_a_twin_that_cannot_be_had_leaves_the_release_and_says_so(
    mirror: Mirror, tmp_path: Path
) -> None:
    mirror.mended().control(
        "nato", "fault", path="/cps/fr/natohq/news_228001.htm", kind="500", times=0
    )
    try:
        result = crawl("nato", mirror.url("nato", ""), tmp_path)
    finally:
        mirror.control("nato", "fault", clear=1)
    by_id = {r["id"]: r for r in result.releases}
    assert by_id["nato:228001"]["languages"] == ["en"]
    assert by_id["nato:227990"]["languages"] == ["en", "fr"]
    assert "its fr twin adds no section" in result.log
    # From the archive too: the French capture holds a server error, the release stays English.
    again = _archive_records(tmp_path)
    assert again["nato:228001"]["languages"] == ["en"]


def test_a_twin_page_read_alone_is_a_record_in_its_own_language() -> None:
    """``scrapy extract`` of a French capture: the French page as a record of its own."""
    result = _parse("nato", "/cps/fr/natohq/news_228001.htm")
    assert isinstance(result, Release)
    assert (result.id, result.language, result.number) == ("nato:228001", "fr", "(2025) 041")
    assert result.url == "https://www.nato.int/cps/fr/natohq/news_228001.htm"
    french = _parse("canadadnd", CANADA_TWIN)
    assert isinstance(french, Release) and french.language == "fr"
    assert french.dateline == "OTTAWA (Ontario), le 17 octobre 2025"
    assert french.published == "2025-10-17" and french.kind == "release"


def test_links_resolve_against_the_publishers_url_not_the_mirrors() -> None:
    body = (
        SITES["nato"]
        .files[NATO_PAGE]
        .replace(
            b"<p>NATO Defence",
            b'<figure><img src="/nato_static/pic.jpg" alt="x"></figure><p>NATO Defence',
        )
    )
    record = parse(
        "http://127.0.0.1:9/cps/en/natohq/news_228001.htm", body, [], profile=get_profile("nato")
    )
    assert isinstance(record, Release)
    assert [image.url for image in record.images] == ["https://www.nato.int/nato_static/pic.jpg"]
