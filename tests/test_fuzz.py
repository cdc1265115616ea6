"""Property-based tests: damaged real pages, feeds and WARCs give a record, a refusal or a
clear verification error, never an exception, within a time bound per input.

Pages are the parser fixtures and real af.mil pages, truncated, stripped of tags, in
swapped encodings, with 1 MB attributes, 5,000-deep nesting, NUL and random bytes; feeds
also get entity declarations; WARCs are a small real one written with warcio, with members
cut, bytes flipped, lengths and digests changed, records dropped, repeated or run together
(``tests/fuzzing.py`` says how). Each property also runs the brief's named damages as
explicit examples. Examples are derandomized, so CI runs the same ones every time;
``FUZZ_EXAMPLES=N`` runs about N per in-process property for a long run (default 100), and
``FUZZ_SAVE_DIR=DIR`` keeps the (shrunk) input of a failing example in DIR. A failing
named example stops a property before its random ones: ``FUZZ_NAMED=0`` skips them.

Time bounds are on pathological blowup, not benchmarks: CPU time of this process (what a
runaway parser burns, whatever else the machine runs), and a far looser wall-clock bound
(a hang).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, event, example, given, note, settings
from hypothesis import strategies as st

from crawler.extract import extract_archive
from crawler.parsers import Reject, Release, decode, listing, parse
from crawler.parsers.feeds import FeedRead, HostileFeed, read_feed
from crawler.profiles import SiteProfile, generic_profile, get_profile, profile_for_url
from pipelines.validate import first_error, release_validator
from pipelines.warc.verify import FileReport, verify_paths
from tests import fuzzing as fz

ROOT = Path(__file__).resolve().parent.parent
CPU_BOUND = 5.0  # CPU seconds per page or WARC
WALL_BOUND = 30.0  # wall-clock seconds per page or WARC (a hang, on a loaded machine)
COMMAND_BOUND = 60.0  # wall-clock seconds per ``scrapy extract`` run, start-up included
VALIDATOR = release_validator()
REQUIRED_TEXT = ("id", "url", "site", "publisher", "title", "text", "language")

T = TypeVar("T")


def fuzz(default: int, shrink: bool = True) -> Callable[[T], T]:
    """Seeded (the same examples on every run), no example database, no deadline (the
    tests time each input themselves), ``default`` examples scaled by FUZZ_EXAMPLES.
    ``shrink=False`` for properties that spawn a process per example: shrinking one
    would spawn hundreds, so they report the first failing example as it was drawn."""
    named = [Phase.explicit] if os.environ.get("FUZZ_NAMED", "1") != "0" else []
    phases = [*named, Phase.generate, Phase.target] + ([Phase.shrink] if shrink else [])
    return settings(  # type: ignore[return-value]
        max_examples=fz.examples(default),
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=phases,
        report_multiple_bugs=True,
    )


@contextmanager
def kept(case: str, files: dict[str, bytes], recipe: str) -> Iterator[None]:
    """Save the input when the block fails (under FUZZ_SAVE_DIR), and fail as it did."""
    try:
        yield
    except BaseException as error:
        fz.save_failure(case, error, files, recipe)
        raise


class Clock:
    """CPU and wall-clock time of a block; ``check`` asserts both bounds."""

    def __enter__(self) -> Clock:
        self.cpu, self.wall = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cpu = time.process_time() - self.cpu
        self.wall = time.perf_counter() - self.wall

    def check(self, what: str) -> None:
        assert self.cpu < CPU_BOUND, f"{what} took {self.cpu:.1f} s of CPU"
        assert self.wall < WALL_BOUND, f"{what} took {self.wall:.1f} s"


def page_files(page: fz.Page, served: fz.Served, status: int | None) -> dict[str, bytes]:
    info = {"url": page.url, "site": page.site, "status": status, "headers": served.headers}
    return {"body.html": served.body, "info.json": json.dumps(info, indent=2).encode()}


def status_of(page: fz.Page, status: object) -> int | None:
    return page.status if status == "as captured" else status  # type: ignore[return-value]


def assert_whole(record: dict[str, Any]) -> None:
    """A Release with every required field filled, valid by the project's JSON Schema."""
    error = first_error(VALIDATOR, record)
    assert error is None, f"release fails the schema: {error}"
    for name in REQUIRED_TEXT:
        assert isinstance(record[name], str), name
        assert record[name].strip(), f"release with a blank {name}: {record[name]!r}"
    assert record["sections"], "release without sections"
    assert record["languages"], "release without languages"


def content_type(headers: Sequence[tuple[str, str]]) -> str | None:
    return next((v for k, v in headers if k.lower() == "content-type"), None)


def profile_of(page: fz.Page) -> SiteProfile | None:
    if page.site:
        return get_profile(page.site)
    return profile_for_url(page.url) or generic_profile(page.url)


def outcome(result: Release | Reject) -> str:
    return "Release" if isinstance(result, Release) else f"Reject {result.reason}"


# The brief's named damages, run on every run whatever the draw.
PRINT_VIEW = "articlecs/afmil-print-2016-643299"
NAMED_PAGE_DAMAGE: list[list[tuple[Any, ...]]] = [
    [("empty",)],
    [("truncate", 9000)],
    [("drop_tags", 0, 3)],
    [("drop_tag_name", "h1")],
    [("encode", "utf-16", "shift_jis", "other", "latin-1")],
    [("encode", "shift_jis", None, "remove", "")],
    [("huge_attr", 5, "data-x", "a", True)],
    [("huge_attr", 5, "content", "x ", False)],
    [("nest", 66, "div", 5000, False)],  # inside the article body
    [("nest", 66, "div", 5000, True)],
    [("random", bytes(range(256)) * 4)],
    [("nul", 100, 1000)],
    [("nul_every", 7)],
    [("entity", 30, b"&#99999999999;")],
    [("doctype", fz.DOCTYPES[1], "after_prolog", 3, b"&i;")],
]


def with_named_pages(name: str, **extra: Any) -> Callable[[T], T]:
    """The named damages as explicit examples of a property over pages."""

    def decorate(test: T) -> T:
        for damage in reversed(NAMED_PAGE_DAMAGE):
            test = example(page=fz.page(name), damage=damage, **extra)(test)  # type: ignore[assignment]
        return test

    return decorate


# ---- 1. the parser on damaged pages ---------------------------------------------------------


@fuzz(150)
@given(
    page=st.deferred(lambda: st.sampled_from(fz.release_pages())),
    damage=st.lists(fz.page_ops(), min_size=1, max_size=3),
    status=st.sampled_from(fz.STATUSES),
)
@with_named_pages(PRINT_VIEW, status="as captured")
def test_parse_gives_a_release_or_a_refusal(
    page: fz.Page, damage: list[tuple[Any, ...]], status: object
) -> None:
    served = fz.damage_page(page, damage)
    code = status_of(page, status)
    note(f"{len(served.body)} bytes, headers {served.headers}")
    with kept("parse", page_files(page, served, code), f"{page!r} {damage} status={status}"):
        profile = get_profile(page.site) if page.site else None
        with Clock() as clock:
            result = parse(page.url, served.body, served.headers, profile=profile, status=code)
        assert isinstance(result, Release | Reject), type(result)
        clock.check("parse")
    event(outcome(result))


# ---- 2. no half-empty Release -----------------------------------------------------------------


def _release_pages() -> st.SearchStrategy[fz.Page]:
    fixtures = fz.ROOT / "tests" / "fixtures"
    pages = [p for p in fz.release_pages() if not (fixtures / p.name / "reject.json").exists()]
    return st.sampled_from(pages)


@fuzz(150)
@given(page=st.deferred(_release_pages), damage=st.lists(fz.page_ops(mild=True), max_size=2))
@with_named_pages(PRINT_VIEW)
def test_a_release_from_a_damaged_page_is_whole(
    page: fz.Page, damage: list[tuple[Any, ...]]
) -> None:
    served = fz.damage_page(page, damage)
    with kept("release-whole", page_files(page, served, page.status), f"{page!r} {damage}"):
        profile = get_profile(page.site) if page.site else None
        with Clock() as clock:
            result = parse(
                page.url, served.body, served.headers, profile=profile, status=page.status
            )
        assert isinstance(result, Release | Reject), type(result)
        clock.check("parse")
        if isinstance(result, Release):
            assert_whole(result.to_dict())
    event(outcome(result))


# ---- 3. listings and feeds ----------------------------------------------------------------------


def check_links(links: object, profile: SiteProfile) -> None:
    assert isinstance(links, list), type(links)
    keys = [profile.article_key(url) if isinstance(url, str) else None for url in links]
    assert all(keys), f"a link that is no article of {profile.id}: {links}"
    ids = [key.id for key in keys if key]
    assert len(ids) == len(set(ids)), f"an article twice: {links}"


def read_listing(page: fz.Page, served: fz.Served, number: int) -> None:
    """What the listing spider does with a listing page or a feed: decode it, take its
    article links and pagination, and read it as a feed (a refusal of a hostile feed is
    ``HostileFeed``, the one exception ``read_feed`` documents)."""
    profile = profile_of(page)
    assert profile is not None, page
    with Clock() as clock:
        text = decode(served.body, served.headers)
        check_links(listing.article_links(text, page.url, profile), profile)
        assert isinstance(listing.last_page(text), int)
        assert isinstance(listing.has_page(text, number), bool)
        try:
            feed = read_feed(served.body, profile, page.url, content_type(served.headers))
        except HostileFeed as refusal:
            assert str(refusal).strip() and "\n" not in str(refusal), repr(refusal)
            event("hostile feed refused")
        else:
            assert isinstance(feed, FeedRead) and isinstance(feed.format, str), feed
            check_links(feed.links, profile)
            event(f"feed format {feed.format or '(none)'}")
    clock.check("listing and feed parsing")


@fuzz(100)
@given(
    page=st.deferred(lambda: st.sampled_from(fz.listing_pages())),
    damage=st.lists(fz.page_ops(), min_size=1, max_size=3),
    number=st.integers(min_value=0, max_value=10**12),
)
@with_named_pages("articlecs/listing-page-not-a-release", number=2)
def test_listing_parsing_never_raises(
    page: fz.Page, damage: list[tuple[Any, ...]], number: int
) -> None:
    served = fz.damage_page(page, damage)
    with kept("listing", page_files(page, served, None), f"{page!r} {damage} page={number}"):
        read_listing(page, served, number)


@fuzz(100)
@given(
    page=st.deferred(lambda: st.sampled_from(fz.feed_pages())),
    damage=st.lists(fz.page_ops(), min_size=1, max_size=3),
)
@with_named_pages("sample_data/afmil-rss-2016.xml")
def test_feed_parsing_never_raises(page: fz.Page, damage: list[tuple[Any, ...]]) -> None:
    served = fz.damage_page(page, damage)
    with kept("feed", page_files(page, served, None), f"{page!r} {damage}"):
        read_listing(page, served, 2)


# ---- 4. ``scrapy extract`` as a user runs it ------------------------------------------------


def scrapy(*args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=300,
    )
    return done, time.perf_counter() - start


@fuzz(10, shrink=False)
@given(
    page=st.deferred(lambda: st.sampled_from(fz.release_pages())),
    damage=st.lists(fz.page_ops(), min_size=1, max_size=2),
)
@example(page=fz.page(PRINT_VIEW), damage=[("empty",)])
@example(page=fz.page(PRINT_VIEW), damage=[("encode", "utf-16", "shift_jis", "other", "")])
def test_extract_command_prints_one_record_or_one_refusal(
    page: fz.Page, damage: list[tuple[Any, ...]]
) -> None:
    served = fz.damage_page(page, damage)
    with (
        tempfile.TemporaryDirectory(prefix="fuzz-extract-") as folder,
        kept("extract-command", page_files(page, served, page.status), f"{page!r} {damage}"),
    ):
        path = Path(folder) / "page.html"
        path.write_bytes(served.body)
        args = ["extract", str(path), "--url", page.url]
        if page.site:
            args += ["--site", page.site]
        if content_type(served.headers):
            args += ["--content-type", content_type(served.headers) or ""]
        if page.status is not None:
            args += ["--status", str(page.status)]
        done, took = scrapy(*args)
        note(f"exit {done.returncode}\nstdout {done.stdout[:500]!r}\nstderr {done.stderr[-2000:]}")
        assert "Traceback" not in done.stdout + done.stderr
        assert took < COMMAND_BOUND, f"scrapy extract took {took:.1f} s"
        if done.returncode == 0:
            lines = done.stdout.splitlines()
            assert len(lines) == 1, f"{len(lines)} lines on stdout"
            assert_whole(json.loads(lines[0]))
        else:
            assert done.stdout == "", "output on stdout with a non-zero exit"
            lines = done.stderr.splitlines()
            assert len(lines) == 1 and lines[0].strip(), f"stderr is not one line: {lines[:5]}"


# ---- 5. verify and re-extraction on damaged WARCs -------------------------------------------

_containers = st.sampled_from(fz.CONTAINERS)
_record_damage = st.lists(fz.record_ops(), max_size=2)
_file_damage = st.lists(fz.file_ops(), max_size=2)

# The brief's named damages: cut members, wrong lengths, bad digests, records run together,
# random bytes, an empty file.
NAMED_WARC_DAMAGE: list[tuple[str, list[tuple[Any, ...]], list[tuple[Any, ...]]]] = [
    ("gz_members", [], [("empty",)]),
    ("plain", [], [("empty",)]),
    ("gz_members", [], [("cut", 5000)]),
    ("plain", [], [("cut", 5000)]),
    ("gz_members", [], [("flip", 1200, 0x55)]),
    ("gz_members", [("content_length", 2, 7)], []),
    ("gz_members", [("content_length", 2, -7)], []),
    ("plain", [("content_length", 2, "99999999999999999999")], []),
    ("gz_members", [("content_length", 2, "999999999999")], []),
    ("gz_members", [("content_length", 2, "\u00b2")], []),
    ("gz_members", [("digest", 2, "WARC-Block-Digest", "flip")], []),
    ("gz_members", [("digest", 2, "WARC-Payload-Digest", "flip")], []),
    ("gz_members", [("digest", 3, "WARC-Block-Digest", "md5")], []),
    ("gz_members", [("end", 1, b"")], []),
    ("gz_single", [], []),
    ("gz_members", [("http_status", 2, b"HTTP/1.1 abc OK", True)], []),
    ("gz_members", [], [("random", bytes(range(256)))]),
    ("wacz", [], [("cut", 3000)]),
    ("wacz_damaged", [], [("cut", 3000)]),
]


def with_named_warcs(test: T) -> T:
    for container, records, damage in reversed(NAMED_WARC_DAMAGE):
        test = example(container=container, record_damage=records, file_damage=damage)(test)  # type: ignore[assignment]
    return test


@contextmanager
def warc_file(damaged: fz.DamagedWarc) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="fuzz-warc-") as folder:
        path = Path(folder) / ("fuzz" + damaged.suffix)
        path.write_bytes(damaged.data)
        yield path


def test_the_undamaged_warc_verifies_and_gives_its_releases() -> None:
    """The WARC the properties damage is sound: a fuzz failure is the damage's doing."""
    for container in ("gz_members", "plain"):
        damaged = fz.damage_warc(container, [], [])
        with warc_file(damaged) as path:
            reports = verify_paths([path])
            assert [r.problems for r in reports] == [[]], container
            assert reports[0].records == 6
            results = list(extract_archive(path))
        ids = sorted(r.id for r, _ref in results if isinstance(r, Release))
        assert ids == ["afmil:4216930", "afmil:643299"], container
        for result, ref in results:
            assert isinstance(result, Release) and ref is not None
            assert_whole(result.to_dict())


@fuzz(150)
@given(container=_containers, record_damage=_record_damage, file_damage=_file_damage)
@with_named_warcs
def test_verify_names_the_damage_and_never_raises(
    container: str, record_damage: list[tuple[Any, ...]], file_damage: list[tuple[Any, ...]]
) -> None:
    damaged = fz.damage_warc(container, record_damage, file_damage)
    recipe = f"{container} records={record_damage} file={file_damage}"
    with (
        warc_file(damaged) as path,
        kept("verify", {path.name: damaged.data}, recipe),
    ):
        with Clock() as clock:
            reports = verify_paths([path])
        note("\n".join(r.line() for r in reports))
        assert reports and all(isinstance(r, FileReport) for r in reports)
        for report in reports:
            assert all(isinstance(p, str) and p.strip() for p in report.problems), report
            assert "\n" not in report.line(), "a report line that is not one line"
        clock.check("verify")
        if damaged.harmful:
            assert not all(r.ok for r in reports), f"verify finds no problem: {damaged.harmful}"
    event("ok" if all(r.ok for r in reports) else "problems")


@fuzz(150)
@given(container=_containers, record_damage=_record_damage, file_damage=_file_damage)
@with_named_warcs
def test_reextraction_reads_damaged_warcs_without_raising(
    container: str, record_damage: list[tuple[Any, ...]], file_damage: list[tuple[Any, ...]]
) -> None:
    damaged = fz.damage_warc(container, record_damage, file_damage)
    recipe = f"{container} records={record_damage} file={file_damage}"
    with (
        warc_file(damaged) as path,
        kept("reextract", {path.name: damaged.data}, recipe),
    ):
        with Clock() as clock:
            results = list(extract_archive(path))
        for result, ref in results:
            assert isinstance(result, Release | Reject), type(result)
            if isinstance(result, Release):
                assert ref is not None, "a release without its capture"
                assert_whole(result.to_dict())
        clock.check("re-extraction")
    event(f"{sum(isinstance(r, Release) for r, _ in results)} releases")


@fuzz(6, shrink=False)
@given(
    container=st.sampled_from(["gz_members", "plain", "wacz", "wacz_damaged"]),
    record_damage=_record_damage,
    file_damage=_file_damage,
)
def test_extract_command_on_a_damaged_archive_never_prints_a_traceback(
    container: str, record_damage: list[tuple[Any, ...]], file_damage: list[tuple[Any, ...]]
) -> None:
    damaged = fz.damage_warc(container, record_damage, file_damage)
    recipe = f"{container} records={record_damage} file={file_damage}"
    with (
        warc_file(damaged) as path,
        kept("extract-archive-command", {path.name: damaged.data}, recipe),
    ):
        done, took = scrapy("extract", str(path))
        note(f"exit {done.returncode}\nstderr {done.stderr[-2000:]}")
        assert "Traceback" not in done.stdout + done.stderr
        assert done.returncode in (0, 1), done.returncode
        assert took < COMMAND_BOUND, f"scrapy extract took {took:.1f} s"
        for line in done.stdout.splitlines():
            record = json.loads(line)
            record.pop("archive", None)
            assert_whole(record)
        summary = done.stderr.splitlines()[-1] if done.stderr.strip() else ""
        assert re.match(r"\d+ releases, refused: ", summary), done.stderr[-300:]
