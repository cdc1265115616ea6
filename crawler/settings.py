"""Settings of the defense press crawler. Every project default lives here, once.

Polite by default against real hosts (robots.txt, AutoThrottle, ~2 s between requests,
one request at a time per host, a User-Agent naming the project and a contact). A crawl
whose ``base_url`` is a loopback mirror lifts the delays (see ``ArticleCSSpider``).
"""

BOT_NAME = "defense-press-crawler"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"

# ---- identity and politeness ---------------------------------------------------------------
# Who runs this crawl (an e-mail address or a URL): shown in the User-Agent and named as the
# operator in every WARC's warcinfo. Required to crawl a real host (scrapy crawl refuses
# without it); with none, the User-Agent names the software and the archive no operator.
CRAWLER_CONTACT = ""
# "{version}" and "{contact}" are filled in by the ProjectIdentity add-on.
USER_AGENT = "defense-press-crawler/{version} (+{contact})"
ADDONS = {"crawler.addons.ProjectIdentity": 0}
ROBOTSTXT_OBEY = True
DOWNLOAD_DELAY = 2.0
DOWNLOAD_DELAY_JITTER = 0.5  # ±50 %, as browsers vary
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 1
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# Standard WARC tools can only decode gzip and deflate bodies: never ask for br or zstd.
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en",
    "Accept-Encoding": "gzip, deflate",
}
RETRY_TIMES = 2
# Every retry waits RETRY_BACKOFF_BASE * 2**(attempt-1) seconds (or the server's
# Retry-After), at most RETRY_BACKOFF_MAX: crawler/downloader/backoff.py.
RETRY_BACKOFF_BASE = 2.0
RETRY_BACKOFF_MAX = 60.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.downloader.backoff.BackoffRetryMiddleware": 550,
    "crawler.downloader.backoff.BackoffMiddleware": 900,
    # Off-site and looping redirects reach the request's errback, never dropped unseen.
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.downloader.redirects.ScopedRedirectMiddleware": 600,
}
REDIRECT_MAX_TIMES = 5
# The longest listing walked in one run (af.mil's news is about 4,000 pages): a listing
# that never ends (every ?Page=N answers) stops here and fails the run, named. A listing
# that repeats pages it already showed ends at the first repeat.
LISTING_MAX_PAGES = 5000
# A <meta http-equiv="refresh"> page is an interstitial, not a release: it reaches the
# parser and is refused by name, instead of being followed (or dropped) unseen.
METAREFRESH_ENABLED = False
# A release page is tens of kilobytes; a larger answer is a broken or hostile server, cut
# and refused as too_large (media have their own limit, ARCHIVE_MEDIA_MAX_SIZE).
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
# Spiders retry refused pages (block page, module error) from their callbacks on purpose.
META_COPY_WARN_SKIP_KEYS = ["retry_times"]
DOWNLOAD_TIMEOUT = 60
REFERER_ENABLED = True

# ---- output --------------------------------------------------------------------------------
# Everything a run writes goes under OUTPUT_DIR.
OUTPUT_DIR = "output"
RELEASES_SCHEMA = "release.schema.json"  # a file in crawler/schema, or a path
ITEM_PIPELINES = {
    "pipelines.dedupe.DedupeReleasesPipeline": 200,
    "pipelines.versions.VersionPipeline": 250,
    "pipelines.validate.ValidateReleasePipeline": 300,
    "pipelines.rejects.RejectsPipeline": 400,
    "pipelines.archive_link.ArchiveLinkPipeline": 500,
    "pipelines.jsonlines.ReleasesJsonLinesPipeline": 800,
}
# The journal fsyncs the WARC and the lines, then commits the state store, every this many
# lines or seconds (and at the end of the run): a power cut loses at most that much work,
# which the next run fetches again.
RELEASES_SYNC_LINES = 50
RELEASES_SYNC_INTERVAL = 1.0
# ---- state (incremental recrawls) ----------------------------------------------------------
# What earlier runs saw, so a run fetches only what is new. Relative to OUTPUT_DIR.
STATE_ENABLED = True
STATE_PATH = "state/crawl.sqlite"
# A release refused for a reason that may pass (block page, module error, server error,
# a 404 before it was ever emitted) is tried again by the first run this many hours later,
# then after twice as long each time, at most RELEASES_RETRY_MAX_DELAY hours; after
# RELEASES_RETRY_MAX_ATTEMPTS attempts it is refused for good. Full and revisit runs try
# every refusal, permanent ones (not a release, fields missing) included.
RELEASES_RETRY_REFUSED_AFTER = 6.0
RELEASES_RETRY_MAX_DELAY = 168.0
RELEASES_RETRY_MAX_ATTEMPTS = 8

# ---- archive (WARC at wire fidelity) -------------------------------------------------------
# Every HTTP exchange is captured at the connection and written to OUTPUT_DIR/ARCHIVE_DIR.
ARCHIVE_ENABLED = True
ARCHIVE_DIR = "warc"
ARCHIVE_PREFIX = "dpc"
ARCHIVE_MAX_SIZE = 1_000_000_000  # bytes; the file rotates after a record that passes it
ARCHIVE_DIGEST = "sha256"  # or "sha1" for tools that expect it
ARCHIVE_OPERATOR = ""  # the warcinfo's operator, when not CRAWLER_CONTACT
# Request headers whose values are replaced by "[redacted]" in request records.
ARCHIVE_REDACT_HEADERS = ["Authorization", "Proxy-Authorization", "Cookie"]
# Payloads at least this large are stored once; later identical ones become revisits.
ARCHIVE_DEDUP_MIN_SIZE = 256
# Also fetch (and so archive) the images and documents each release links.
ARCHIVE_MEDIA = True
ARCHIVE_MEDIA_MAX_SIZE = 100_000_000  # bytes; a larger file is cut and archived as truncated
ARCHIVE_INDEX = True  # a sorted CDXJ index beside each WARC when the crawl closes
ARCHIVE_PACKAGE = False  # also package the run's WARCs as OUTPUT_DIR/wacz/<run>.wacz
DOWNLOAD_HANDLERS = {
    "http": "crawler.downloader.archiving.ArchivingDownloadHandler",
    "https": "crawler.downloader.archiving.ArchivingDownloadHandler",
}

# ---- monitoring and reports -----------------------------------------------------------------
EXTENSIONS = {
    "crawler.extensions.errors.ErrorCollector": 400,
    "spidermon.contrib.scrapy.extensions.Spidermon": 500,
    "crawler.extensions.report.RunReport": 600,
    "crawler.extensions.progress.ProgressLine": 700,
    "crawler.extensions.slowdown.BlockSlowdown": 800,
}
# A wave of blocks (block pages, 429) slows every request to the host down: each block
# doubles a floor under its delay, from START to MAX seconds (crawler/extensions/slowdown.py).
BLOCK_SLOWDOWN_ENABLED = True
BLOCK_SLOWDOWN_START = 5.0
BLOCK_SLOWDOWN_MAX = 120.0
SPIDERMON_ENABLED = True
SPIDERMON_SPIDER_CLOSE_MONITORS = ["crawler.monitors.CloseMonitors"]
# A run fails when a listing page, feed, release or media file could not be fetched, on an
# exception in a spider or a pipeline, when its output could not be written, and when more
# than MONITOR_MAX_REFUSALS releases were refused and they were more than this share of
# the releases it tried (a parser that no longer fits the markup), or a record was invalid.
MONITOR_MAX_REFUSALS = 10
MONITOR_MAX_REFUSAL_RATIO = 0.5
MONITOR_MAX_INVALID = 0
REPORT_ENABLED = True  # OUTPUT_DIR/reports/<run>.json and a summary on stdout
PROGRESS_ENABLED = True  # only on a terminal
PROGRESS_INTERVAL = 2.0  # seconds

# ---- exports -------------------------------------------------------------------------------
# The export formats as feeds: scrapy crawl usfj -O releases.parquet:parquet
FEED_EXPORTERS = {
    "parquet": "pipelines.export.feeds.ParquetExporter",
    "release_csv": "pipelines.export.feeds.ReleaseCsvExporter",
}

# ---- engine --------------------------------------------------------------------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
