"""Stop the run, with one clear line, when its output cannot be written (a full disk).

Whatever was written before stays consistent: WARC files are repaired, cut lines removed
and unapplied lines applied when the next run starts, and releases not yet recorded are
still pending, so that run fetches them again. Nothing is lost; the run fails.
"""

from __future__ import annotations

import errno
import logging

from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro

logger = logging.getLogger(__name__)

WRITE_ERROR_STAT = "run/write_error"
REASON = "write_error"


def write_failed(crawler: Crawler) -> bool:
    return bool(crawler.stats is not None and crawler.stats.get_value(WRITE_ERROR_STAT))


def stop_for_write_error(crawler: Crawler, what: str, error: BaseException) -> None:
    """Record the first write error, say it once, and close the spider."""
    if write_failed(crawler):
        return
    full = isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT)
    full = full or "disk is full" in str(error) or "disk I/O error" in str(error)
    cause = "the disk is full" if full else f"{type(error).__name__}: {error}"
    message = (
        f"cannot write {what}: {cause}. The run stops; free space (OUTPUT_DIR="
        f"{crawler.settings.get('OUTPUT_DIR')}) and run the same command again: it repairs "
        f"what this run left and fetches what it did not record"
    )
    if crawler.stats is not None:
        crawler.stats.set_value(WRITE_ERROR_STAT, message)
    logger.error(message)
    engine = crawler.engine
    if engine is not None and engine.spider is not None:
        deferred_from_coro(engine.close_spider_async(reason=REASON))
