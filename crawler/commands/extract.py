"""``scrapy extract PATH --url URL``: one JSON record on stdout, or the refusal on stderr."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.extract import extract_archives, extract_file, is_archive, is_damaged, to_json
from crawler.parsers import Reject
from crawler.parsers.model import TOO_LARGE

EXIT_REFUSED = 1  # a page refused, or an archive with no release or a damaged part
EXIT_ERROR = 2  # no file to read: missing, a directory, not a page without --url


class Command(ScrapyCommand):
    requires_project = False
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, object]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "PATH --url URL [--site SITE] | ARCHIVE.warc.gz|ARCHIVE.wacz ..."

    def short_desc(self) -> str:
        return "Extract the release of a saved page, or every release in a WARC/WACZ (JSON Lines)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--url", help="URL the page was fetched from (finds the site profile)")
        parser.add_argument("--site", help="site profile id, when the URL is not the real host")
        parser.add_argument("--content-type", help="Content-Type header (charset) of the page")
        parser.add_argument("--status", type=int, help="HTTP status the page was served with")
        parser.add_argument("--fetched", help="when the page was fetched (ISO 8601)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("give a PATH")
        if len(args) > 1:
            self.run_archives([Path(arg) for arg in args], opts)
            return
        path = Path(args[0])
        problem = _unreadable(path) or _not_a_page(path, opts.url)
        if problem:
            print(f"extract: {problem}", file=sys.stderr)
            self.exitcode = EXIT_ERROR
            return
        if is_archive(path):
            self.run_archive(path)
            return
        assert self.settings is not None
        limit = self.settings.getint("DOWNLOAD_MAXSIZE")
        size = path.stat().st_size
        if limit and size > limit:  # refused unread, as the crawl refuses a response this large
            print(
                f"refused: {TOO_LARGE}: {path} is {size} bytes, over DOWNLOAD_MAXSIZE ({limit})",
                file=sys.stderr,
            )
            self.exitcode = EXIT_REFUSED
            return
        self.run_page(path, opts)

    def run_page(self, path: Path, opts: argparse.Namespace) -> None:
        """One saved page: its release as JSON on stdout, or the refusal on stderr."""
        try:
            result = extract_file(
                path,
                opts.url,
                site=opts.site,
                content_type=opts.content_type,
                status=opts.status,
                fetched=opts.fetched,
            )
        except OSError as error:
            print(f"extract: cannot read {path}: {error.strerror or error}", file=sys.stderr)
            self.exitcode = EXIT_ERROR
            return
        except KeyError as error:
            print(f"extract: {error.args[0]}", file=sys.stderr)
            self.exitcode = EXIT_ERROR
            return
        if isinstance(result, Reject):
            print(f"refused: {result.reason}: {result.detail}", file=sys.stderr)
            self.exitcode = EXIT_REFUSED
            return
        print(to_json(result.to_dict()))

    def run_archives(self, paths: list[Path], opts: argparse.Namespace) -> None:
        """Several WARCs or WACZs (a crawl's files, in order): read as one archive."""
        for path in paths:
            problem = _unreadable(path) or (
                None if is_archive(path) else f"{path} is not a WARC or WACZ file"
            )
            if problem or opts.url:
                print(f"extract: {problem or '--url is for one saved page'}", file=sys.stderr)
                self.exitcode = EXIT_ERROR
                return
        self.run_archive(*paths)

    def run_archive(self, *paths: Path) -> None:
        """Every release in WARCs or WACZs as JSON Lines; refusals summed up on stderr, a
        damaged file or record named there, and a non-zero exit for it."""
        emitted = damaged = 0
        refused: Counter[str] = Counter()
        for result, capture in extract_archives(paths):
            if is_damaged(result):
                damaged += 1
                print(f"extract: damaged {result.url}: {result.detail}", file=sys.stderr)
                continue
            if isinstance(result, Reject):
                refused[result.reason] += 1
                print(f"refused: {result.url}: {result.reason}: {result.detail}", file=sys.stderr)
                continue
            record = result.to_dict()
            if capture is not None:
                record["archive"] = capture
            print(to_json(record))
            emitted += 1
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(refused.items())) or "none"
        unread = f"; {damaged} damaged" if damaged else ""
        print(f"{emitted} releases, refused: {reasons}{unread}", file=sys.stderr)
        if not emitted or damaged:
            self.exitcode = EXIT_REFUSED


def _unreadable(path: Path) -> str | None:
    """Why ``path`` cannot be read as one file, if it cannot."""
    if path.is_dir():
        return f"{path} is a directory"
    if not path.exists():
        return f"no such file: {path}"
    if not path.is_file():  # a FIFO or a device would block or never end
        return f"{path} is not a regular file"
    return None


def _not_a_page(path: Path, url: str | None) -> str | None:
    """Why ``path`` cannot be parsed without ``--url``, if it cannot."""
    if url or is_archive(path):
        return None
    return f"{path} is not a WARC or WACZ file; to parse a saved page give --url URL"
