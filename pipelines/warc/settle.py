"""Judge the captures a killed run left without a verdict, so replay never lands on them.

A run notes beside each capture it refused why it is not the site's content (``refused:``
metadata), and replay indexes leave such captures out. A run killed between a capture and
its note leaves the capture unjudged: when its WARC is repaired, every response there that
has no note (neither a release's nor a refusal's) is judged again by the same pure
parsers, and the refusals are noted in the new run's WARC.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from parsel import Selector
from warcio.archiveiterator import ArchiveIterator

from crawler.parsers import Reject, decode, parse
from crawler.parsers.classify import classify
from crawler.parsers.model import TRANSIENT_REASONS
from crawler.profiles import SiteProfile


def unjudged_refusals(
    warc: Path, profile: SiteProfile | None
) -> Iterator[tuple[dict[str, Any], Reject]]:
    """``(capture reference, refusal)`` for each response in ``warc`` that nothing notes
    and that the parsers refuse as not the site's content."""
    noted: set[str] = set()
    responses: list[tuple[dict[str, Any], int | None, list[tuple[str, str]], bytes]] = []
    with warc.open("rb") as handle:
        for record in ArchiveIterator(handle):
            headers = record.rec_headers
            if record.rec_type == "metadata":
                noted.update(headers.get_header("WARC-Concurrent-To", "").split())
            elif record.rec_type == "response" and record.http_headers is not None:
                ref = {
                    "record_id": headers.get_header("WARC-Record-ID"),
                    "target_uri": headers.get_header("WARC-Target-URI"),
                    "date": headers.get_header("WARC-Date"),
                }
                status = int(record.http_headers.get_statuscode() or 0) or None
                pairs = list(record.http_headers.headers)
                responses.append((ref, status, pairs, record.content_stream().read()))
    for ref, status, pairs, body in responses:
        if ref["record_id"] in noted:
            continue
        verdict = _judge(ref["target_uri"], status, pairs, body, profile)
        if verdict is not None and verdict.reason in TRANSIENT_REASONS:
            yield ref, verdict


def _judge(
    url: str,
    status: int | None,
    headers: list[tuple[str, str]],
    body: bytes,
    profile: SiteProfile | None,
) -> Reject | None:
    """The crawl's own verdict: a release page through its parser, any other page through
    the classifier."""
    if profile is not None and profile.article_key(url) is not None:
        result = parse(url, body, headers, profile=profile, status=status)
        return result if isinstance(result, Reject) else None
    content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
    text = decode(body, headers) if "html" in content_type.lower() else None
    return classify(url, status, Selector(text=text) if text is not None else None, text)
