"""What every request of a release spider shares: every answer reaches its callback to be
classified there, retries wait and keep what they carry, and failures are described."""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.downloader.archiving import ARCHIVE_META
from crawler.downloader.backoff import NOT_BEFORE, RetryBackoff
from crawler.downloader.redirects import RedirectRefused, redirect_chain
from crawler.parsers import Reject
from crawler.parsers.model import (
    DOWNLOAD_ERROR,
    REDIRECTED,
    ROBOTS,
    TOO_LARGE,
    TRANSIENT_REASONS,
)
from crawler.signals import response_refused

from .incremental import NOT_MODIFIED

if TYPE_CHECKING:
    from crawler.profiles import SiteProfile

    from .incremental import SiteState
    from .ledger import RunLedger

# Every answer reaches a callback, to be classified there (redirects are still followed).
HANDLED_STATUSES = [NOT_MODIFIED, *range(400, 600)]
# Meta a retry must not inherit from the attempt before it.
_ATTEMPT_META = ("archive", "download_latency", NOT_BEFORE)


class Fetching(scrapy.Spider):
    """The base of the release spiders' parts (listings, articles, media)."""

    profile: SiteProfile
    site_state: SiteState
    ledger: RunLedger
    backoff: RetryBackoff
    base_url: str

    def note_refusal(self, response: Response, reject: Reject) -> None:
        """Say in the archive why a capture is not the site's content (a block page, a
        module error, a server error, a page cut short): it stays in the WARC, and replay
        indexes leave it out, so a page's newest capture in a replay tool is its content."""
        self.crawler.signals.send_catch_log(
            response_refused, response=response, reason=reject.reason
        )
        capture = response.meta.get(ARCHIVE_META)
        if not capture or reject.reason not in TRANSIENT_REASONS:
            return
        from pipelines.warc.archive import ArchiveWriteError, archive_for

        fields = {"refused": reject.reason, "detail": reject.detail[:300]}
        with contextlib.suppress(ArchiveWriteError):  # a full disk: the run is stopping
            archive_for(self.crawler).write_metadata(capture, capture["target_uri"], fields)

    def retry(self, request: scrapy.Request, reason: str) -> scrapy.Request | None:
        """The same request again after a growing delay, or None when its tries are spent.

        Headers, callback arguments and meta are kept (a conditional GET stays one);
        only what belonged to the last attempt is dropped."""
        retry = get_retry_request(
            request, spider=self, reason=f"refused/{reason}", give_up_log_level=logging.WARNING
        )
        if retry is None:
            return None
        for key in _ATTEMPT_META:
            retry.meta.pop(key, None)
        return self.backoff.schedule(retry)


def request_of(response: Response) -> scrapy.Request:
    assert response.request is not None
    return response.request


def describe(failure: Failure) -> str:
    name = type(failure.value).__name__
    return f"{name}: {failure.value}" if str(failure.value) else name


def failure_reason(failure: Failure) -> Reject:
    """A download that failed, as a refusal: why, by the kind of failure."""
    request = failure.request  # type: ignore[attr-defined]
    error = failure.value
    chain = redirect_chain(request)
    if isinstance(error, RedirectRefused):
        return Reject(REDIRECTED, f"{error} (from {chain[0]})", chain[0])
    # Scrapy raises these as plain IgnoreRequest / DownloadCancelledError: only the message says.
    if isinstance(error, IgnoreRequest) and "max redirections" in str(error):
        hops = " -> ".join(chain)
        return Reject(REDIRECTED, f"a redirect loop (or a chain too long): {hops}", chain[0])
    if isinstance(error, DownloadCancelledError) and "max size" in str(error):
        return Reject(TOO_LARGE, str(error), request.url)
    detail = describe(failure)
    return Reject(ROBOTS if "robots.txt" in detail else DOWNLOAD_ERROR, detail, request.url)


def header_pairs(response: Response) -> list[tuple[str, str]]:
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in response.headers.items()
        for value in values
    ]


def handled() -> dict[str, Any]:
    """Meta that lets every status reach the callback."""
    return {"handle_httpstatus_list": HANDLED_STATUSES}
