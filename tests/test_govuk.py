"""The GOV.UK Content API parser against its fixtures (tests/fixtures/govuk/EXPECTED.json,
written before the parser), the release schema, and every refusal."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from crawler.parsers import govuk
from crawler.parsers.model import (
    GONE,
    MISSING_FIELDS,
    NOT_A_RELEASE,
    TRUNCATED,
    WRONG_PAGE,
    Reject,
    Release,
)
from crawler.profiles import ArticleKey, SiteProfile

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "govuk"
EXPECTED: dict[str, dict[str, Any]] = json.loads((FIXTURES / "EXPECTED.json").read_text("utf-8"))
RECORDS = sorted(name for name, e in EXPECTED.items() if "reject" not in e)
REFUSED = sorted(name for name, e in EXPECTED.items() if "reject" in e)
SCHEMA = json.loads((ROOT / "crawler" / "schema" / "release.schema.json").read_text("utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
FETCHED = "2025-07-01T08:00:00Z"

PROFILE = SiteProfile(
    id="ukmod",
    publisher="UK Ministry of Defence",
    platform="govuk",
    origin="https://www.gov.uk",
    hosts=("www.gov.uk",),
    article_paths=("/api/content/",),
)
# Fields EXPECTED.json states as they must appear in the record.
EXACT_FIELDS = (
    "url",
    "title",
    "kind",
    "published",
    "updated",
    "dateline",
    "language",
    "bylines",
    "tags",
    "images",
    "documents",
)


def _key(base_path: str) -> ArticleKey:
    return ArticleKey(id=base_path, slug=None, path="/api/content/")


def _api_url(base_path: str) -> str:
    return f"https://www.gov.uk/api/content/{base_path}"


def _parse(text: str, base_path: str, url: str | None = None) -> Release | Reject:
    return govuk.parse(url or _api_url(base_path), text, PROFILE, _key(base_path), FETCHED)


def _fixture(name: str) -> Release | Reject:
    return _parse((FIXTURES / name).read_text("utf-8"), EXPECTED[name]["key"])


def _document(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text("utf-8"))
    return data


def _record(name: str) -> dict[str, Any]:
    result = _fixture(name)
    assert isinstance(result, Release), result
    return result.to_dict()


# A document to mutate for refusals and mappings: the MoD press release.
BASE = "press-release.json"
BASE_KEY = EXPECTED[BASE]["key"]


def _variant(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(_document(BASE))
    doc.update(changes)
    return doc


def _parse_doc(doc: dict[str, Any], base_path: str = BASE_KEY) -> Release | Reject:
    return _parse(json.dumps(doc), base_path)


# ---- fixtures -------------------------------------------------------------------------------


def test_every_fixture_has_an_expectation() -> None:
    files = {p.name for p in FIXTURES.glob("*.json")} - {"EXPECTED.json"}
    assert files == set(EXPECTED)


def test_the_fixtures_cover_the_brief() -> None:
    kinds = {EXPECTED[name]["kind"] for name in RECORDS}
    assert {"release", "news", "statement", "speech", "commentary"} <= kinds
    assert {EXPECTED[name]["language"] for name in RECORDS} - {"en"}  # translations
    assert any(EXPECTED[name]["documents"] and EXPECTED[name]["images"] for name in RECORDS)
    assert {EXPECTED[name]["reject"]["reason"] for name in REFUSED} == {GONE, NOT_A_RELEASE}
    assert _document("withdrawn.json")["withdrawn_notice"]["explanation"]


@pytest.mark.parametrize("name", RECORDS)
def test_fixture_fields(name: str) -> None:
    expected = EXPECTED[name]
    record = _record(name)
    assert {field: record[field] for field in EXACT_FIELDS} == {
        field: expected[field] for field in EXACT_FIELDS
    }


@pytest.mark.parametrize("name", RECORDS)
def test_fixture_text(name: str) -> None:
    expected = EXPECTED[name]
    record = _record(name)
    paragraphs = record["text"].split("\n\n")
    assert len(paragraphs) == expected["paragraphs"], paragraphs
    assert record["text"].startswith(expected["text_starts"])
    assert record["text"].endswith(expected.get("text_ends", ""))
    for excluded in expected.get("text_excludes", []):
        assert excluded not in record["text"]
    assert all(p == p.strip() and "\n" not in p for p in paragraphs)


@pytest.mark.parametrize("name", RECORDS)
def test_fixture_fixed_fields(name: str) -> None:
    record = _record(name)
    key = EXPECTED[name]["key"]
    assert record["id"] == f"ukmod:{key}"
    assert record["site"] == "ukmod"
    # The publishing organisation as GOV.UK names it (any department's item parses).
    assert record["publisher"] == EXPECTED[name]["publisher"]
    assert record["number"] is None
    assert record["languages"] == [record["language"]]
    assert record["sections"] == [
        {
            "lang": record["language"],
            "title": record["title"],
            "byline": None,
            "text": record["text"],
        }
    ]
    assert record["extractor"] == {"name": "govuk", "version": "1.0.0"}
    assert record["fetched"] == FETCHED


@pytest.mark.parametrize("name", REFUSED)
def test_fixture_refusals(name: str) -> None:
    result = _fixture(name)
    assert isinstance(result, Reject)
    assert {"reason": result.reason, "fields": list(result.fields)} == EXPECTED[name]["reject"]
    assert result.id == f"ukmod:{EXPECTED[name]['key']}"
    assert result.url == _api_url(EXPECTED[name]["key"])


# ---- the release schema ---------------------------------------------------------------------


def _schema_errors(record: dict[str, Any]) -> list[str]:
    return [f"{list(e.path)}: {e.message}" for e in VALIDATOR.iter_errors(record)]


@pytest.mark.parametrize("name", RECORDS)
def test_records_validate_against_the_release_schema(name: str) -> None:
    assert _schema_errors(_record(name)) == []


def test_a_record_with_an_extra_field_fails_the_schema() -> None:
    record = _record(BASE)
    record["withdrawn"] = True
    assert _schema_errors(record)


# ---- kinds ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document_type", "schema_name", "kind"),
    [
        ("press_release", "news_article", "release"),
        ("news_story", "news_article", "news"),
        ("world_news_story", "news_article", "news"),
        ("government_response", "news_article", "statement"),
        ("speech", "speech", "speech"),
        ("oral_statement", "speech", "statement"),
        ("written_statement", "speech", "statement"),
        ("authored_article", "speech", "commentary"),
        ("fatality_notice", "fatality_notice", "release"),
        ("correspondence", "publication", "statement"),
        ("case_study", "case_study", "feature"),
        ("medical_safety_alert", "specialist_document", "news"),  # rest of the supergroup
        ("a_future_news_type", "news_article", "news"),  # a news schema's new type
    ],
)
def test_document_types_map_to_kinds(document_type: str, schema_name: str, kind: str) -> None:
    result = _parse_doc(_variant(document_type=document_type, schema_name=schema_name))
    assert isinstance(result, Release)
    assert result.kind == kind


@pytest.mark.parametrize(
    ("document_type", "schema_name"),
    [
        ("guide", "guide"),
        ("detailed_guide", "detailed_guide"),
        ("organisation", "organisation"),
        ("taxon", "taxon"),
        ("finder", "finder"),
        ("policy_paper", "publication"),
        ("a_future_type", "generic"),
    ],
)
def test_documents_that_are_not_news_are_refused(document_type: str, schema_name: str) -> None:
    result = _parse_doc(_variant(document_type=document_type, schema_name=schema_name))
    assert isinstance(result, Reject)
    assert result.reason == NOT_A_RELEASE
    assert document_type in result.detail


def test_a_vanished_document_is_gone() -> None:
    doc = {"base_path": f"/{BASE_KEY}", "document_type": "vanish", "schema_name": "vanish"}
    result = _parse_doc(doc)
    assert isinstance(result, Reject)
    assert result.reason == GONE


# ---- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "<!DOCTYPE html><html><head><title>GOV.UK</title></head><body><p>Sorry</p></body></html>",
        "",
        "[]",
        '"a string"',
        "null",
    ],
)
def test_text_that_is_not_a_json_object_is_refused(text: str) -> None:
    result = _parse(text, BASE_KEY)
    assert isinstance(result, Reject)
    assert result.reason == MISSING_FIELDS
    assert result.detail.startswith("not a GOV.UK Content API document: ")
    assert not result.transient


def test_a_json_object_that_is_no_content_item_is_refused() -> None:
    result = _parse('{"error": {"code": 404, "message": "not found"}}', BASE_KEY)
    assert isinstance(result, Reject)
    assert (result.reason, result.fields) == (MISSING_FIELDS, ("document_type",))


def test_a_cut_document_is_truncated() -> None:
    text = (FIXTURES / BASE).read_text("utf-8")
    result = _parse(text[: len(text) // 2], BASE_KEY)
    assert isinstance(result, Reject)
    assert result.reason == TRUNCATED
    assert result.transient


@pytest.mark.parametrize(
    ("title", "body", "fields"),
    [
        (None, "keep", ("title",)),
        ("   ", "keep", ("title",)),
        ("keep", None, ("text",)),
        ("keep", "", ("text",)),
        (None, None, ("title", "text")),
    ],
)
def test_missing_title_or_body_is_refused(
    title: str | None, body: str | None, fields: tuple[str, ...]
) -> None:
    doc = _variant()
    if title != "keep":
        doc["title"] = title
    if body != "keep":
        if body is None:
            del doc["details"]["body"]
        else:
            doc["details"]["body"] = body
    result = _parse_doc(doc)
    assert isinstance(result, Reject)
    assert (result.reason, result.fields) == (MISSING_FIELDS, fields)
    assert all(f"no {field}" in result.detail for field in fields)


def test_a_body_without_text_is_refused() -> None:
    doc = _variant()
    doc["details"]["body"] = (
        '<div class="govspeak">\n<figure class="image embedded"></figure></div>'
    )
    result = _parse_doc(doc)
    assert isinstance(result, Reject)
    assert (result.reason, result.fields) == (MISSING_FIELDS, ("text",))


def test_a_document_for_another_page_is_wrong_page() -> None:
    result = _parse_doc(_variant(), "government/news/some-other-release")
    assert isinstance(result, Reject)
    assert result.reason == WRONG_PAGE
    assert result.transient
    assert BASE_KEY in result.detail


def test_a_translation_is_another_page() -> None:
    result = _parse_doc(_variant(), f"{BASE_KEY}.cy")
    assert isinstance(result, Reject)
    assert result.reason == WRONG_PAGE


def test_a_withdrawn_item_is_still_a_release() -> None:
    doc = _variant(
        withdrawn_notice={
            "explanation": "<p>Withdrawn</p>",
            "withdrawn_at": "2025-07-01T09:00:00+01:00",
        }
    )
    assert isinstance(_parse_doc(doc), Release)


# ---- fields ---------------------------------------------------------------------------------


def test_a_mirror_url_gives_the_same_record() -> None:
    text = (FIXTURES / BASE).read_text("utf-8")
    mirrored = _parse(text, BASE_KEY, f"http://127.0.0.1:8123/api/content/{BASE_KEY}")
    assert isinstance(mirrored, Release)
    assert mirrored.url == f"https://www.gov.uk/{BASE_KEY}"
    assert mirrored == _fixture(BASE)


@pytest.mark.parametrize(
    ("first_public_at", "public_updated_at", "published", "updated"),
    [
        ("2025-06-10T10:30:00.123Z", "2025-06-10T10:30:00Z", "2025-06-10T10:30:00+00:00", None),
        ("2025-06-10T10:30:00+01:00", "2025-06-10T09:30:00Z", "2025-06-10T10:30:00+01:00", None),
        ("2025-06-10T10:30:00+01:00", "2025-06-09T09:00:00Z", "2025-06-10T10:30:00+01:00", None),
        ("2025-06-10", "2025-06-12T08:00:00.000-04:00", "2025-06-10", "2025-06-12T08:00:00-04:00"),
        (
            "not a date",
            "2025-06-12T08:00:00Z",
            "2025-06-10T10:30:00+01:00",
            "2025-06-12T08:00:00+00:00",
        ),
    ],
)
def test_timestamps(
    first_public_at: str, public_updated_at: str, published: str, updated: str | None
) -> None:
    doc = _variant(public_updated_at=public_updated_at)
    doc["details"]["first_public_at"] = first_public_at  # the last case falls back
    result = _parse_doc(doc)
    assert isinstance(result, Release)
    assert (result.published, result.updated) == (published, updated)


def test_no_timestamp_at_all() -> None:
    doc = _variant(first_published_at=None, public_updated_at=None)
    del doc["details"]["first_public_at"]
    result = _parse_doc(doc)
    assert isinstance(result, Release)
    assert (result.published, result.updated) == (None, None)


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("cy", "cy"),
        ("uk", "uk"),
        ("zh-tw", "zh-tw"),
        ("pa-pk", "pa-pk"),
        ("es-419", "es"),
        ("", "en"),
    ],
)
def test_locales(locale: str, language: str) -> None:
    result = _parse_doc(_variant(locale=locale))
    assert isinstance(result, Release)
    assert (result.language, result.languages, result.sections[0].lang) == (
        language,
        [language],
        language,
    )


def test_a_body_given_as_content_types() -> None:
    doc = _variant()
    doc["details"]["body"] = [
        {"content_type": "text/govspeak", "content": "## Heading\n\nGovspeak source"},
        {"content_type": "text/html", "content": "<h2>Heading</h2><p>Rendered text.</p>"},
    ]
    result = _parse_doc(doc)
    assert isinstance(result, Release)
    assert result.text == "Heading\n\nRendered text."


def test_a_title_case_opening_is_no_dateline() -> None:
    doc = _variant()
    doc["details"]["body"] = (
        "<p>Operation SHADER – The UK’s contribution to the coalition continues.</p>"
    )
    result = _parse_doc(doc)
    assert isinstance(result, Release)
    assert result.dateline is None
    assert result.text == "Operation SHADER – The UK’s contribution to the coalition continues."


def test_a_speaker_with_several_roles_gets_none() -> None:
    doc = _variant()
    doc["links"]["roles"].append({"title": "Member of Parliament for Rawmarsh", "content_id": "x"})
    result = _parse_doc(doc)
    assert isinstance(result, Release)
    assert [(b.name, b.role) for b in result.bylines] == [("The Rt Hon John Healey MP", None)]


def test_parser_imports_no_scrapy() -> None:
    code = (
        "import sys, crawler.parsers.govuk\n"
        "print(','.join(m for m in sys.modules if m == 'scrapy' or m.startswith(('scrapy.', 'twisted'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


OUTSIDE = Path(__file__).parent / "fixtures" / "govuk" / "outside"


def _outside(name: str) -> Release:
    text = (OUTSIDE / name).read_text(encoding="utf-8")
    key = json.loads(text)["base_path"].lstrip("/")
    article = ArticleKey(key, None, "/api/content/")
    result = govuk.parse(f"https://www.gov.uk/api/content/{key}", text, PROFILE, article, None)
    assert isinstance(result, Release)
    return result


def test_an_embassys_news_names_the_embassy_not_the_profile() -> None:
    assert _outside("world-news-azerbaijan.json").publisher == "British High Commission Singapore"


def test_a_contact_card_is_not_text() -> None:
    text = _outside("pr-phe-contact.json").text
    assert "switchboard" not in text.lower()
    assert "020 7654 8000" not in text


def test_a_document_link_whose_extension_ends_a_folder_is_a_document() -> None:
    documents = _outside("casestudy-vdec-pdf.json").documents
    assert any(".pdf/" in url for url in documents)
