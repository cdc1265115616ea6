"""UK MoD on GOV.UK: found in the Atom feed, read from the Content API, archived, and
re-extracted from the archive to the same records."""

from __future__ import annotations

import json
from pathlib import Path

from mirror.site import load_sites
from tests.conftest import Mirror
from tests.crawling import crawl, scrapy_in

SITE = load_sites()["ukmod"]


def test_the_feed_leads_to_every_item_read_from_the_content_api(
    mirror: Mirror, tmp_path: Path
) -> None:
    result = crawl("ukmod", mirror.url("ukmod", ""), tmp_path)
    assert result.returncode == 0, result.log[-3000:]
    by_path = {"/" + r["id"].split(":", 1)[1]: r for r in result.releases}
    assert set(by_path) == set(SITE.documents)
    for path, body in SITE.documents.items():
        document = json.loads(body)
        record = by_path[path]
        assert record["url"] == "https://www.gov.uk" + path
        assert record["title"] == document["title"]
        assert record["language"] == document["locale"]
    kinds = {r["kind"] for r in result.releases}
    assert {"release", "news", "speech", "statement", "commentary"} <= kinds
    served = mirror.served("ukmod")
    assert all("/api/content/" in line or ".atom" in line or "robots" in line for line in served)
    # Every record is re-extracted from the archive as it was written.
    warcs = sorted((tmp_path / "warc").glob("*.warc.gz"))
    extracted = scrapy_in(tmp_path, "extract", *map(str, warcs))
    assert extracted.returncode == 0, extracted.stderr
    again = {json.loads(line)["id"]: json.loads(line) for line in extracted.stdout.splitlines()}
    for record in result.releases:
        replayed = again[record["id"]]
        assert {k: v for k, v in replayed.items() if k != "archive"} == {
            k: v
            for k, v in record.items()
            if k not in ("archive", "version", "first_seen", "previous")
        }
    second = crawl("ukmod", mirror.url("ukmod", ""), tmp_path)
    assert second.returncode == 0
    assert len(second.releases) == len(result.releases)  # nothing new the second time


def test_extract_parses_a_saved_content_api_document(tmp_path: Path) -> None:
    path = Path(__file__).parent / "fixtures" / "govuk" / "speech-translated-arabic.json"
    base = json.loads(path.read_text(encoding="utf-8"))["base_path"]
    done = scrapy_in(
        tmp_path, "extract", str(path), "--url", f"https://www.gov.uk/api/content{base}"
    )
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert (record["language"], record["kind"]) == ("ar", "speech")
    assert record["publisher"] == "Foreign & Commonwealth Office"
    html = tmp_path / "page.html"
    html.write_text("<html><body><h1>Not JSON</h1></body></html>", encoding="utf-8")
    refused = scrapy_in(
        tmp_path, "extract", str(html), "--url", f"https://www.gov.uk/api/content{base}"
    )
    assert refused.returncode == 1
    assert "HTML page where govuk serves JSON" in refused.stderr
