"""PDF-only press releases (crawler/parsers/pdf.py), on PDFs built by hand in tests/pdfs.py."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
import tracemalloc

import pypdf
import pytest

from crawler.parsers.pdf import PdfUnreadable, pdf_metadata, pdf_paragraphs
from tests.pdfs import Line, bomb_pdf, build_pdf

# A two-page MOD release as Word sets it: a running header, right-aligned date and office,
# a centred title, paragraphs indented one em, numbered items, a page-number footer.
JA_PAGES: list[list[Line]] = [
    [
        ("right", "報道資料"),
        ("right", "令和7年10月17日"),
        ("right", "防衛省"),
        "",
        ("center", "自衛隊による災害派遣について"),
        "",
        "　防衛省は、本日、○○県知事からの要請を受け、陸上自衛隊第１師団による災害派遣を",
        "実施しましたので、お知らせします。要請を受けた部隊は、直ちに被災地へ向かいました。",
        "　派遣部隊は、給水支援及び入浴支援を行っており、引き続き関係機関と緊密に連携して",
        "対応します。",
        "１　派遣要請日時",
        "　令和7年10月16日（木）22時30分",
        "２　派遣部隊　陸上自衛隊第１師団第１普通科連隊、第１特科隊及び第１後方支援連隊から",
        "　　約200名",
        "",
        ("center", "- 1 -"),
    ],
    [
        ("right", "報道資料"),
        "３　活動内容",
        "　給水支援（約10トン）及び入浴支援を実施中。なお、今後の活動については、現地の状況を",
        "踏まえ、適切に判断します。",
        "",
        "（問い合わせ先）防衛省統合幕僚監部報道官室",
        "",
        ("center", "- 2 -"),
    ],
]

EN_PAGES: list[list[Line]] = [
    [
        ("right", "October 17, 2025"),
        ("center", "Japan-Australia Joint Exercise"),
        "",
        "  The Ministry of Defense announced today that the Japan Self-Defense Forces will conduct",
        "a joint exercise with the Australian Defence Force from October 20 to 31. The exer-",
        "cise strengthens interoperability and regional security cooperation between the two",
        "nations.",
        "  Participating units include the Ground Self-Defense Force and the Maritime Self-",
        "Defense Force, with about 1,200 personnel in total, and the Air Self-Defense Force.",
        "",
        "For more information, contact the Public Affairs Division of the Joint Staff Office.",
    ]
]


@pytest.fixture(scope="module")
def ja_release() -> list[str]:
    return pdf_paragraphs(build_pdf(JA_PAGES, japanese=True))


def test_japanese_release_paragraphs(ja_release: list[str]) -> None:
    assert ja_release == [
        "令和7年10月17日",
        "防衛省",
        "自衛隊による災害派遣について",
        # Its last line is full and ends a sentence: the next line's indent tells them apart.
        "防衛省は、本日、○○県知事からの要請を受け、陸上自衛隊第１師団による災害派遣を実施しましたので、お知らせします。要請を受けた部隊は、直ちに被災地へ向かいました。",
        "派遣部隊は、給水支援及び入浴支援を行っており、引き続き関係機関と緊密に連携して対応します。",
        "１ 派遣要請日時",
        "令和7年10月16日（木）22時30分",
        # An item's hanging indent continues it: its first line ends no sentence.
        "２ 派遣部隊 陸上自衛隊第１師団第１普通科連隊、第１特科隊及び第１後方支援連隊から約200名",
        "３ 活動内容",
        # joined across the line break with no space, the page header between them gone
        "給水支援（約10トン）及び入浴支援を実施中。なお、今後の活動については、現地の状況を踏まえ、適切に判断します。",
        "（問い合わせ先）防衛省統合幕僚監部報道官室",
    ]


def test_running_header_and_page_numbers_go_only_when_on_every_page(
    ja_release: list[str],
) -> None:
    assert not any("報道資料" in p or p.startswith("-") for p in ja_release)
    # One page alone has nothing "running": its header and page number stay.
    single = pdf_paragraphs(build_pdf(JA_PAGES[:1], japanese=True))
    assert single[0] == "報道資料" and single[-1] == "- 1 -"


def test_paragraph_continues_across_a_page_break() -> None:
    pages: list[list[Line]] = [
        [
            ("right", "報道資料"),
            "　防衛省は、本日、陸上自衛隊第１師団による災害派遣を実施しましたので、お知らせ",
        ],
        [("right", "報道資料"), "します。"],
    ]
    assert pdf_paragraphs(build_pdf(pages, japanese=True)) == [
        "防衛省は、本日、陸上自衛隊第１師団による災害派遣を実施しましたので、お知らせします。"
    ]


def test_english_release_joins_lines_with_a_space_and_mends_hyphenation() -> None:
    assert pdf_paragraphs(build_pdf(EN_PAGES)) == [
        "October 17, 2025",
        "Japan-Australia Joint Exercise",
        "The Ministry of Defense announced today that the Japan Self-Defense Forces will conduct "
        "a joint exercise with the Australian Defence Force from October 20 to 31. The exercise "
        "strengthens interoperability and regional security cooperation between the two nations.",
        # A hyphen before a capital is part of a compound: kept, with no space.
        "Participating units include the Ground Self-Defense Force and the Maritime Self-Defense "
        "Force, with about 1,200 personnel in total, and the Air Self-Defense Force.",
        # The line before is full and ends a sentence, but a blank line stands between.
        "For more information, contact the Public Affairs Division of the Joint Staff Office.",
    ]


def test_not_a_pdf() -> None:
    html = b"<!DOCTYPE html><html><body>404 Not Found</body></html>"
    with pytest.raises(PdfUnreadable, match="not a PDF: no %PDF- header"):
        pdf_paragraphs(html)
    with pytest.raises(PdfUnreadable, match="not a PDF"):
        pdf_metadata(html)


def test_truncated_in_half_is_unreadable() -> None:
    """pypdf 7 needs %%EOF and startxref even when not strict: half a file gives nothing."""
    body = build_pdf(JA_PAGES, japanese=True)
    with pytest.raises(PdfUnreadable, match=r"^PDF is truncated \(no %%EOF at its end\)"):
        pdf_paragraphs(body[: len(body) // 2])


def _wrong_startxref(body: bytes) -> bytes:
    head, _, tail = body.rpartition(b"startxref\n")
    return head + b"startxref\n%d\n%%%%EOF\n" % (int(tail.split(b"\n")[0]) - 7)


def test_a_wrong_xref_offset_is_mended() -> None:
    """What the non-strict reader does recover: a startxref off by some bytes."""
    body = build_pdf(EN_PAGES)
    broken = _wrong_startxref(body)
    assert broken != body
    assert pdf_paragraphs(broken) == pdf_paragraphs(body)


def _encrypted(body: bytes, user_password: str, algorithm: str) -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(body)))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("algorithm", ["RC4-40", "RC4-128", "AES-256"])
def test_encrypted_with_a_password(algorithm: str) -> None:
    body = _encrypted(build_pdf(EN_PAGES, info={"Title": "Exercise"}), "secret", algorithm)
    with pytest.raises(PdfUnreadable, match=r"^PDF is encrypted with a password$"):
        pdf_paragraphs(body)
    with pytest.raises(PdfUnreadable, match="encrypted"):
        pdf_metadata(body)


def test_encrypted_with_only_an_owner_password_reads() -> None:
    """Permissions-only encryption (empty user password) is common and opens for anyone."""
    plain = build_pdf(JA_PAGES, japanese=True, info={"Title": "災害派遣"})
    body = _encrypted(plain, "", "RC4-128")
    assert b"/Encrypt" in body
    assert pdf_paragraphs(body) == pdf_paragraphs(plain)
    assert pdf_metadata(body) == {"Title": "災害派遣"}


def test_image_only_pdf_says_it_has_no_text() -> None:
    body = build_pdf([["scanned"], ["scanned"]], image_pages=(0, 1))
    with pytest.raises(PdfUnreadable, match=r"no extractable text in 2 page\(s\): image-only"):
        pdf_paragraphs(body)


def test_scan_with_a_text_header_on_every_page_is_image_only_too() -> None:
    pages = [[("right", "報道資料"), ("center", f"- {n} -")] for n in (1, 2, 3)]
    with pytest.raises(PdfUnreadable, match="no text but its running headers"):
        pdf_paragraphs(build_pdf(pages, japanese=True))


def test_too_many_pages() -> None:
    pages = [[f"Annex {chr(65 + n % 26)}: a table of units."] for n in range(201)]
    with pytest.raises(PdfUnreadable, match=r"^PDF has 201 pages, more than the 200 allowed$"):
        pdf_paragraphs(build_pdf(pages))
    with pytest.raises(PdfUnreadable, match="has 3 pages, more than the 2 allowed"):
        pdf_paragraphs(build_pdf(pages[:3]), max_pages=2)
    # At the limit both pages are read (one full line each: one paragraph across the break).
    assert pdf_paragraphs(build_pdf(pages[:2]), max_pages=2) == [
        "Annex A: a table of units. Annex B: a table of units."
    ]


def test_decompression_bomb_stops_early_and_small() -> None:
    """50 MB of inflated content (under pypdf's own 75 MB default) in a 49 KB file."""
    body = bomb_pdf(50_000_000)
    assert len(body) < 100_000
    tracemalloc.start()
    try:
        with pytest.raises(PdfUnreadable, match="page 1 exceeds a safety limit"):
            pdf_paragraphs(body)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 30_000_000
    # A large but legitimate stream under the limit still reads.
    assert pdf_paragraphs(bomb_pdf(2_000_000)) == ["Decompression bomb"]


def test_metadata() -> None:
    info = {
        "Title": "自衛隊による災害派遣について",
        "Author": "  防衛省\n統合幕僚監部 ",
        "CreationDate": "D:20251017093000+09'00'",
        "ModDate": "D:20251018",
        "Producer": "Microsoft Word",
    }
    body = build_pdf(JA_PAGES, japanese=True, info=info, lang="ja-JP")
    assert pdf_metadata(body) == {
        "Title": "自衛隊による災害派遣について",
        "Author": "防衛省 統合幕僚監部",
        "CreationDate": "2025-10-17",
        "ModDate": "2025-10-18",
        "Lang": "ja-JP",
    }


def test_metadata_keeps_only_present_values_and_unparseable_dates_as_written() -> None:
    info = {"Title": " ", "CreationDate": "D:20251399", "ModDate": "Friday"}
    assert pdf_metadata(build_pdf(EN_PAGES, info=info)) == {
        "CreationDate": "D:20251399",
        "ModDate": "Friday",
    }
    assert pdf_metadata(build_pdf(EN_PAGES)) == {}


def test_damaged_info_dictionary_loses_the_metadata_not_the_text() -> None:
    body = build_pdf(EN_PAGES, info={"Title": "T"}, lang="en-US")
    damaged = body.replace(b"<< /Title (T) >>", b"(not a dict)    ")  # same length: offsets hold
    assert damaged != body
    assert pdf_metadata(damaged) == {"Lang": "en-US"}
    assert pdf_paragraphs(damaged) == pdf_paragraphs(body)


def test_pypdf_logging_is_muted_during_the_call_only(caplog: pytest.LogCaptureFixture) -> None:
    broken = _wrong_startxref(build_pdf(EN_PAGES))
    logger = pypdf.PdfReader.__module__  # "pypdf._reader", where repairs are logged
    with caplog.at_level("WARNING"):
        pdf_paragraphs(broken)
        assert not [r for r in caplog.records if r.name.startswith("pypdf")]
        pypdf.PdfReader(io.BytesIO(broken))  # the same file outside the call is reported
    assert [r for r in caplog.records if r.name == logger]
    assert logging.getLogger("pypdf").level == logging.NOTSET


def test_module_imports_without_scrapy() -> None:
    code = (
        "import sys, crawler.parsers.pdf\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('scrapy', 'twisted')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
