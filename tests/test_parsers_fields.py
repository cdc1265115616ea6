"""Field helpers on the variants the real sites print: dates, bylines, datelines, languages."""

from __future__ import annotations

import pytest
from parsel import Selector

from crawler.parsers import Reject, Release, parse
from crawler.parsers.bylines import parse_byline
from crawler.parsers.dates import parse_date
from crawler.parsers.languages import language_of, split_by_script
from crawler.parsers.model import Byline
from crawler.parsers.patterns import extract_dateline
from crawler.parsers.sections import split_title
from crawler.parsers.text import paragraphs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("July 8, 2025", "2025-07-08"),
        ("Dec. 9, 2020", "2020-12-09"),
        ("Sept. 30, 2019", "2019-09-30"),
        ("25-009 | July 8, 2025", "2025-07-08"),
        ("/ Published August 03, 2015", "2015-08-03"),
        ("2025年7月8日", "2025-07-08"),
        ("令和7年7月8日", "2025-07-08"),
        ("令和元年5月1日", "2019-05-01"),
        ("平成31年4月30日", "2019-04-30"),
        ("2020년 12월 9일", "2020-12-09"),
        ("2022-01-21T03:21:00.2100000", "2022-01-21T03:21:00"),
        ("2024-12-24T14:57:00", "2024-12-24T14:57:00"),
        ("2023-10-17T00:00:00.0000000", "2023-10-17"),
        ("March 10, 2022", "2022-03-10"),
        ("10 Jul. 2024", "2024-07-10"),
        ("Nov. 3, 2025 3:45 p.m.", "2025-11-03T15:45:00"),
        ("no date here, only 2025", None),
        ("", None),
    ],
)
def test_parse_date(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "By Senior Airman Ashley Powell,   Secretary of the Air Force Public Affairs "
            "Command Information / Published January 15, 2016",
            [
                Byline(
                    "Senior Airman Ashley Powell",
                    "Secretary of the Air Force Public Affairs Command Information",
                )
            ],
        ),
        (
            "By Commentary by Chief Master Sgt. Shelina Frey, 18th Wing",
            [Byline("Chief Master Sgt. Shelina Frey", "18th Wing")],
        ),
        ("From Staff Reports", []),
        ("Staff report", []),
        (
            "By Kevin M. Hymel, Air Force Surgeon General Public Affairs",
            [Byline("Kevin M. Hymel", "Air Force Surgeon General Public Affairs")],
        ),
        (
            "By Defense Media Activity,   / Published December 04, 2015",
            [Byline(None, "Defense Media Activity")],
        ),
        (
            "Air Force News Service / Published May 19, 2015",
            [Byline(None, "Air Force News Service")],
        ),
        ("Published September 22, 2015", []),
        (
            "Published • By Staff Sgt. John Doe • 35th Fighter Wing Public Affairs",
            [Byline("Staff Sgt. John Doe", "35th Fighter Wing Public Affairs")],
        ),
        (
            "By Tech. Sgt. Ann Lee and Senior Airman Bo Kim, 18th Wing Public Affairs",
            [
                Byline("Tech. Sgt. Ann Lee", "18th Wing Public Affairs"),
                Byline("Senior Airman Bo Kim", "18th Wing Public Affairs"),
            ],
        ),
        ("By Jim Garamone, DOD News", [Byline("Jim Garamone", "DOD News")]),
        (
            "By Capt. Jessica Brown, Staff Sgt. Deana Heitzman and Airman 1st Class Sadie Colbert, "
            "35th Fighter Wing Public Affairs",
            [
                Byline(name, "35th Fighter Wing Public Affairs")
                for name in (
                    "Capt. Jessica Brown",
                    "Staff Sgt. Deana Heitzman",
                    "Airman 1st Class Sadie Colbert",
                )
            ],
        ),
        (
            "By Lisa Ferdinando, DoD News, Defense Media Activity",
            [Byline("Lisa Ferdinando", "DoD News, Defense Media Activity")],
        ),
        ("Compiled by Tech. Sgt. Jason Couillard", [Byline("Tech. Sgt. Jason Couillard", None)]),
        (
            "From U.S. Indo-Pacific Command Public Affairs",
            [Byline(None, "U.S. Indo-Pacific Command Public Affairs")],
        ),
        ("From staff reports", []),
    ],
)
def test_parse_byline(line: str, expected: list[Byline]) -> None:
    assert parse_byline(line) == expected


@pytest.mark.parametrize(
    ("first", "dateline", "rest"),
    [
        ("YOKOTA AIR BASE, Japan —", "YOKOTA AIR BASE, Japan", None),
        (
            "FALLS CHURCH, Va. (AFNS) -- January 2016 marks",
            "FALLS CHURCH, Va. (AFNS)",
            "January 2016 marks",
        ),
        (
            "CAMP HUMPHREYS, Republic of Korea – The command",
            "CAMP HUMPHREYS, Republic of Korea",
            "The command",
        ),
        (
            "JOINT BASE SAN ANTONIO-RANDOLPH, Texas (AFNS) - Airmen",
            "JOINT BASE SAN ANTONIO-RANDOLPH, Texas (AFNS)",
            "Airmen",
        ),
        ("WASHINGTON — The department", "WASHINGTON", "The department"),
        ("横田飛行場 – 在日米軍司令官は", "横田飛行場", "在日米軍司令官は"),
        (
            "ØRLAND AIR BASE, Norway (AFNS) -- Four B-52H",
            "ØRLAND AIR BASE, Norway (AFNS)",
            "Four B-52H",
        ),
        ("서울 (2020년 12월 9일) – 주한미군은", "서울 (2020년 12월 9일)", "주한미군은"),
        ("The U.S.-Japan alliance - a new era", None, None),
        ("F-35 pilots — from three wings — trained", None, None),
        # Title-case places, as usfk.mil printed them in 2018-2022
        ("Camp Humphreys — The command", "Camp Humphreys", "The command"),
        ("USAG Humphreys, Republic of Korea —", "USAG Humphreys, Republic of Korea", None),
        ("General Smith - said the drill", None, None),
        ("Airmen — and their families — gathered", None, None),
        # A date printed after the place (DoD News)
        (
            "KATHMANDU, Nepal, May 16, 2015 – The department",
            "KATHMANDU, Nepal, May 16, 2015",
            "The department",
        ),
    ],
)
def test_dateline(first: str, dateline: str | None, rest: str | None) -> None:
    found, items = extract_dateline([first, "next"])
    assert found == dateline
    if dateline is None:
        assert items == [first, "next"]
    else:
        assert items == ([rest] if rest else []) + ["next"]


@pytest.mark.parametrize(
    ("text", "languages", "expected"),
    [
        ("同盟の推進:在日米軍と自衛隊がインド太平洋安全保障の未来を変える", ("en", "ja"), "ja"),
        ("統合作戦司令部", ("en", "ja"), "ja"),  # kanji only: langdetect would say ko or zh
        ("주한미군사령관 평택 방문", ("en", "ko"), "ko"),
        ("Lt. Gen. Stephen Jost", ("en", "ja"), "en"),  # langdetect alone says pl
        ("-30-", ("en",), None),
    ],
)
def test_language_by_script_first(text: str, languages: tuple[str, ...], expected: str) -> None:
    assert language_of(text, languages) == expected


@pytest.mark.parametrize(
    ("paragraph", "pieces"),
    [
        (
            '"We stand ready," said Gen. Brooks, commander of the Combined Forces Command. '
            '브룩스 사령관은 "우리는 준비되어 있다"고 말했다.',
            [
                '"We stand ready," said Gen. Brooks, commander of the Combined Forces Command.',
                '브룩스 사령관은 "우리는 준비되어 있다"고 말했다.',
            ],
        ),
        (
            "訓練は横田基地で行われた。The training took place at Yokota Air Base last week.",
            ["訓練は横田基地で行われた。", "The training took place at Yokota Air Base last week."],
        ),
        # A Korean paragraph naming English units, an English one naming a Korean place.
        (
            "주한미군(USFK)은 Camp Humphreys에서 훈련을 했다. 훈련은 3일간 계속됐다.",
            ["주한미군(USFK)은 Camp Humphreys에서 훈련을 했다. 훈련은 3일간 계속됐다."],
        ),
        (
            "The drill was held at Camp Humphreys (캠프 험프리스) in Pyeongtaek, the command said.",
            [
                "The drill was held at Camp Humphreys (캠프 험프리스) in Pyeongtaek, the command said."
            ],
        ),
    ],
)
def test_a_paragraph_with_its_translation_splits_by_language(
    paragraph: str, pieces: list[str]
) -> None:
    assert split_by_script(paragraph) == pieces


def test_joined_bilingual_title_splits_by_script() -> None:
    titles = split_title("USFK commander visits Pyeongtaek 주한미군사령관 평택 방문", ("en", "ko"))
    assert titles == {"en": "USFK commander visits Pyeongtaek", "ko": "주한미군사령관 평택 방문"}


def test_paragraphs_from_br_word_and_p_bodies() -> None:
    html = (
        "<div><strong>WASHINGTON (AFNS) -- </strong>First para<br />\n<br />Second"
        " line one<br />line two<br /><br /><p class='MsoNormal'>Third<o:p></o:p></p>"
        "<!--[if gte mso 9]><xml>junk</xml><![endif]--><style>p {}</style>"
        "<div class='media-inline'><img src='x.jpg'/><p>caption</p></div><p>Fourth&nbsp; end</p></div>"
    )
    root = Selector(text=html).css("div")[0].root
    assert paragraphs(root) == [
        "WASHINGTON (AFNS) -- First para",
        "Second line one line two",
        "Third",
        "Fourth end",
    ]


ARTICLE_URL = "https://www.usfj.mil/Media/Press-Releases/Article-View/Article/1234567/x/"


def _page(body: str, title: str = "A title", extra: str = "") -> bytes:
    return (
        f"<html><head><title>{title}</title></head><body>{extra}"
        f"<h1 itemprop='headline'>{title}</h1><div class='category-date'>25-001 | July 1, 2025"
        f"</div><div class='body' itemprop='articleBody'>{body}</div></body></html>"
    ).encode()


@pytest.mark.parametrize(
    "title",
    ["404th Wing Airmen deploy", "404 Airmen deploy", "Historians: 1944 page not found in archive"],
)
def test_titles_near_not_found_words_are_still_releases(title: str) -> None:
    body = "<p>TOKYO — The squadron trained. " + "More. " * 50 + "</p>"
    assert isinstance(parse(ARTICLE_URL, _page(body, title=title)), Release)


@pytest.mark.parametrize(
    ("last", "kind", "updated"),
    [
        ("(Current as of July 2015)", "fact_sheet", "2015-07"),  # a reference page
        ("(Current as of March 20, 2020, 5 p.m. EDT)", "release", None),  # an update release
    ],
)
def test_current_as_of_marks_reference_pages_only(
    last: str, kind: str, updated: str | None
) -> None:
    body = "<p>TOKYO — The command updated its guidance. " + "More. " * 50 + f"</p><p>{last}</p>"
    result = parse(ARTICLE_URL, _page(body))
    assert isinstance(result, Release)
    assert (result.kind, result.updated) == (kind, updated)


def test_release_that_quotes_access_denied_is_not_a_block_page() -> None:
    body = "<p>TOKYO — Access denied to the base, Reference # 12 said. " + "More. " * 600 + "</p>"
    result = parse(ARTICLE_URL, _page(body))
    assert isinstance(result, Release)


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        (
            b"<html><head><title>Just a moment...</title></head><body>Enable JavaScript and"
            b" cookies to continue</body></html>",
            "blocked",
        ),
        (
            b"<html><head><title>Attention Required! | Cloudflare</title></head><body>"
            b"Sorry, you have been blocked</body></html>",
            "blocked",
        ),
        (
            b"<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY><H1>Access Denied</H1>You don't "
            b'have permission to access "http&#58;&#47;&#47;www&#46;usfj&#46;mil&#47;" on this '
            b"server.<P>Reference&#32;&#35;18&#46;73cfdb17&#46;1784462921</BODY></HTML>",
            "blocked",
        ),
        (
            b"<html><body><div class='dnnFormMessage'>An error has occurred.</div></body></html>",
            "module_unavailable",
        ),
        (_page(""), "missing_fields"),
        (
            _page("<p>The page you are looking for might have been removed.</p>", "Page Not Found"),
            "gone",
        ),
        (
            b"<html><head><title>www.usfj.mil</title><script>window._cf_chl_opt={cZone:'x'}"
            b"</script></head><body><div class='main-wrapper'></div></body></html>",
            "blocked",
        ),
    ],
)
def test_refusals(page: bytes, reason: str) -> None:
    result = parse(ARTICLE_URL, page)
    assert isinstance(result, Reject)
    assert result.reason == reason


def test_status_and_url_refusals() -> None:
    page = _page("<p>WASHINGTON — Body text.</p>")
    assert isinstance(parse(ARTICLE_URL, page), Release)
    gone = parse(ARTICLE_URL, page, status=404)
    assert isinstance(gone, Reject) and gone.reason == "gone"
    error = parse(ARTICLE_URL, page, status=503)
    assert isinstance(error, Reject) and error.reason == "server_error"
    listing = parse("https://www.usfj.mil/Media/Press-Releases/", page)
    assert isinstance(listing, Reject) and listing.reason == "not_a_release"
    unknown = parse("https://example.com/page.html", page)
    assert isinstance(unknown, Reject) and unknown.reason == "unknown_site"


def test_unknown_articlecs_host_gets_a_generic_profile() -> None:
    url = "https://www.dla.mil/Newsroom/Official-Notices/Notice/Article/4012345/x/"
    result = parse(url, _page("<p>FORT BELVOIR, Va. — DLA said.</p>"))
    assert isinstance(result, Release)
    assert (result.id, result.site, result.kind) == ("dla.mil:4012345", "dla.mil", "release")
    assert result.url == url
    printed = "http://www.dla.mil/DesktopModules/ArticleCS/Print.aspx?PortalId=3&ModuleId=9&Article=4012345"
    meta = "<meta property='og:url' content='" + url + "' />"
    page = _page("<p>FORT BELVOIR, Va. — DLA said.</p>").replace(
        b"<head>", f"<head>{meta}".encode()
    )
    from_print = parse(printed, page)
    assert isinstance(from_print, Release)
    assert from_print.id == "dla.mil:4012345"
    assert from_print.url == url  # the print view names its article: its URL is the record's


def test_no_date_is_never_invented() -> None:
    page = (
        b"<html><body><h1 class='maintitle'>Title</h1><div class='body'>"
        b"<p>Text without any date.</p></div></body></html>"
    )
    result = parse(ARTICLE_URL, page)
    assert isinstance(result, Release)
    assert result.published is None


_BODY = "<p>TOKYO — The command trained with its partners. " + "More. " * 40 + "</p>"


@pytest.mark.parametrize(
    "heading",
    [
        # a bare text node beside the title, in the article's container
        "<h1 itemprop='headline'>Partners train</h1>\n  25-009 | July 8, 2025\n",
        # in the heading block, after the title
        "<header><h1>Partners train</h1> 25-009 | July 8, 2025 </header>",
        # inside the heading, after a line break
        "<h1 class='title'>Partners train<br/>25-009 | July 8, 2025</h1>",
        # inside the heading, in its own element
        "<h1 class='title'>Partners train <small>25-009 | July 8, 2025</small></h1>",
        # split over elements with bare separators
        "<h1>Partners train</h1><b>25-009</b> | <i>July 8, 2025</i>",
        # the date alone, as a bare text node (found by an outside check: it was lost)
        "<h1 class='maintitle'>Partners train</h1>\nJuly 8, 2025\n",
    ],
)
def test_the_number_line_is_found_wherever_it_is_printed_near_the_title(heading: str) -> None:
    page = (
        "<html><head><title>ArticleCS - Article View</title></head><body>"
        f"<div class='article-view'><div class='adetail'>{heading}"
        f"<div class='body' itemprop='articleBody'>{_BODY}</div></div></div></body></html>"
    ).encode()
    result = parse(ARTICLE_URL, page)
    assert isinstance(result, Release)
    assert (result.title, result.number, result.published) == (
        "Partners train",
        "25-009" if "25-009" in heading else None,
        "2025-07-08",
    )


def test_the_urls_section_decides_between_biography_and_fact_sheet() -> None:
    body = "<p>He commands the wing. " + "More. " * 30 + "</p><p>(Current as of May 2016)</p>"
    url = "https://www.usfj.mil/About/Leadership/Biographies/Article/77/x/"
    result = parse(url, _page(body, title="FORCE MASTER CHIEF PETTY OFFICER JANE ROE"))
    assert isinstance(result, Release)
    assert (result.kind, result.updated) == ("biography", "2016-05")
    fact = parse(url.replace("Leadership/Biographies", "Fact-Sheets"), _page(body, title="Wing"))
    assert isinstance(fact, Release) and fact.kind == "fact_sheet"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # found by an outside check of af.mil commentaries
        (
            "By Gen. Harlan J. Mercer,   Commander, Air Combat Command",
            [("Gen. Harlan J. Mercer", "Commander, Air Combat Command")],
        ),
        ("By Col. Ann Lee,   Director of Staff", [("Col. Ann Lee", "Director of Staff")]),
        (
            "Secretary of the Air Force Helen M. Dorsey",
            [("Secretary of the Air Force Helen M. Dorsey", None)],
        ),
        (
            "By Secretary of the Air Force Thomas A. Keller, Secretary of the Air Force Public Affairs",
            [
                (
                    "Secretary of the Air Force Thomas A. Keller",
                    "Secretary of the Air Force Public Affairs",
                )
            ],
        ),
        (
            "By Gen. Curtis L. Ashford, Jr. and Chief Master Sgt. of the Air Force Dana K. Holloway",
            [
                ("Gen. Curtis L. Ashford, Jr.", None),
                ("Chief Master Sgt. of the Air Force Dana K. Holloway", None),
            ],
        ),
        (
            "Published March 3, 2021 • By Gen. Kara J. Whitfield, Commander, Air Mobility Command"
            " • Air Mobility Command Public Affairs",
            [
                (
                    "Gen. Kara J. Whitfield",
                    "Commander, Air Mobility Command, Air Mobility Command Public Affairs",
                )
            ],
        ),
        # unchanged
        ("By Defense Media Activity", [(None, "Defense Media Activity")]),
        (
            "Secretary of the Air Force Public Affairs",
            [(None, "Secretary of the Air Force Public Affairs")],
        ),
        ("By Jim Garamone, DOD News", [("Jim Garamone", "DOD News")]),
    ],
)
def test_bylines_with_roles_offices_and_suffixes(
    line: str, expected: list[tuple[str | None, str | None]]
) -> None:
    from crawler.parsers.bylines import parse_byline

    assert [(b.name, b.role) for b in parse_byline(line)] == expected


def test_a_commentary_signed_in_its_first_paragraph() -> None:
    body = (
        "<p><strong>Commentary by Lt. Gen. Marcus D. Ellery, Commander, Air Education and"
        " Training Command</strong></p><p>Pilot training is the foundation. "
        + "More. " * 30
        + "</p>"
    )
    url = "https://www.af.mil/DesktopModules/ArticleCS/Print.aspx?PortalId=1&ModuleId=850&Article=9"
    result = parse(url, _page(body, title="Building pilots"))
    assert isinstance(result, Release)
    assert result.kind == "commentary"
    assert next((b.name, b.role) for b in result.bylines) == (
        "Lt. Gen. Marcus D. Ellery",
        "Commander, Air Education and Training Command",
    )
    assert result.text.startswith("Pilot training is the foundation.")


@pytest.mark.parametrize(
    ("header", "number", "published"),
    [
        # found by an outside check: a number line opening the body hid the dateline
        ("<p>PA-2025-014 | Oct. 3, 2025</p>", "PA-2025-014", "2025-10-03"),
        ("<p>PA-2025-014</p><p>Oct. 3, 2025</p>", "PA-2025-014", "2025-10-03"),
        ("<p>Release No. 25-031 | 3 October 2025</p>", "25-031", "2025-10-03"),
        # a date alone: dropped from the text, and now the record's date
        ("<p><strong>15 September 2025</strong></p>", None, "2025-09-15"),
    ],
)
def test_a_header_line_opening_the_body_gives_its_number_and_date(
    header: str, number: str | None, published: str
) -> None:
    page = (
        "<html><head><title>ArticleCS</title></head><body><div class='article-view'>"
        "<h1 class='maintitle'>Partners train</h1><div class='body' itemprop='articleBody'>"
        f"{header}<p>CAMP ALPHA, Japan – The task force trained. {'More. ' * 30}</p>"
        "</div></div></body></html>"
    ).encode()
    result = parse(ARTICLE_URL, page)
    assert isinstance(result, Release)
    assert (result.number, result.published, result.dateline) == (
        number,
        published,
        "CAMP ALPHA, Japan",
    )
    assert result.text.startswith("The task force trained.")
