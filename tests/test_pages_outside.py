"""Pages of NATO, canada.ca and mod.go.jp written by an outside check that had not read the
parser, with its expectations fixed before the pages (``fixtures/pages/outside/README.md``).
Every field it expected is asserted, so a change that breaks one of its cases fails here."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

from crawler.parsers import Reject, Release, parse
from crawler.parsers.encoding import decode
from crawler.parsers.feeds import read_feed
from crawler.parsers.listing import article_links
from crawler.parsers.twins import with_twin
from crawler.profiles import get_profile

ROOT = Path(__file__).parent / "fixtures" / "pages" / "outside"
SITES = {"nato": "nato", "canada": "canadadnd", "japan": "japanmod"}
FIELDS = ("kind", "title", "number", "published", "updated", "language")


def _cases(name: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (publisher, case)
        for publisher in SITES
        for case in json.loads((ROOT / publisher / name).read_text(encoding="utf-8"))
    ]


def _normal(text: str | None) -> str:
    """The outside check's comparison: entities decoded, every run of whitespace one space."""
    text = html.unescape(text or "").replace("\u00a0", " ").replace("\u202f", " ")
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize(
    ("publisher", "case"),
    _cases("expected.json"),
    ids=lambda v: v if isinstance(v, str) else v["file"],
)
def test_each_page_gives_what_the_outside_check_expected(
    publisher: str, case: dict[str, Any]
) -> None:
    profile = get_profile(SITES[publisher])
    body = (ROOT / publisher / case["file"]).read_bytes()
    result = parse(case["url"], body, [("Content-Type", "text/html")], profile=profile)
    if not case.get("accept", case.get("release")):
        assert isinstance(result, Reject), f"{case['file']}: {case.get('why')}"
        return
    assert isinstance(result, Release), result
    for field in FIELDS:
        assert _normal(getattr(result, field)) == _normal(case[field]), field
    # A dateline keeps the date it prints ("OTTAWA, Ontario, June 7, 2018"), as on ArticleCS.
    assert (result.dateline or "").startswith(case["dateline"] or ""), result.dateline
    assert bool(result.dateline) == bool(case["dateline"])
    text = _normal(result.text)
    assert text.startswith(_normal(case["text_starts"]))
    assert text.endswith(_normal(case["text_ends"]))
    for furniture in case.get("must_not_contain", []):
        assert _normal(furniture) not in text, furniture
    for kept in case.get("must_contain", []):
        assert _normal(kept) in text, kept
    twin = case.get("twin_file")
    if twin and case["file"].endswith(".en.html"):
        twin_case = next(c for _, c in _cases("expected.json") if c["file"] == twin)
        merged, refused = with_twin(
            result, twin_case["url"], (ROOT / publisher / twin).read_bytes(), [], profile=profile
        )
        assert refused is None and merged.languages == case["languages"]
        assert _normal(merged.sections[1].title) == _normal(twin_case["title"])


@pytest.mark.parametrize(
    ("publisher", "case"),
    _cases("listings.json"),
    ids=lambda v: v if isinstance(v, str) else v["file"],
)
def test_listings_and_feeds_give_every_article_and_nothing_else(
    publisher: str, case: dict[str, Any]
) -> None:
    profile = get_profile(SITES[publisher])
    body = (ROOT / publisher / case["file"]).read_bytes()
    if case["file"].endswith((".xml", ".atom")):
        links = read_feed(body, profile, case["url"]).links
    else:
        links = article_links(decode(body, []), case["url"], profile)

    def canonical(urls: list[str]) -> list[str]:
        keys = [profile.article_key(url) for url in urls]
        return [profile.key_url(key) for key in keys if key is not None]

    found, wanted = canonical(links), canonical(case["article_urls"])
    tolerated = set(canonical(case.get("tolerated_extra", [])))
    assert [url for url in found if url not in tolerated] == wanted
