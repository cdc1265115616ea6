"""The spider arguments of a release crawl (``-a NAME=VALUE``), checked before anything runs.

One function reads them for the spider and for ``scrapy crawl``, so a bad value is one
line naming the argument and what it accepts — before a lock, a file or a request is made
from it. Nothing here imports Scrapy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from crawler.kinds import parse_kinds
from crawler.profiles import SiteProfile, all_profiles, get_profile, profile_for_url
from crawler.profiles.discovery import provisional_profile

ARGUMENTS = ("site", "base_url", "max_pages", "full", "revisit", "revisit_by", "kinds")
# Which known releases ``-a revisit=DAYS`` checks again. ``seen`` (the default): first seen
# in the last DAYS — silent edits come soon after a release appears, and the set grows
# with what is new, not with the collection; unlike ``published``, it includes releases
# published earlier but found this week. ``checked``: not checked for DAYS, a rolling
# sweep of the whole collection. ``published``: published in the last DAYS.
REVISIT_BY = ("seen", "checked", "published")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


class ArgumentError(ValueError):
    """A spider argument that cannot be used; its message is one line for the operator."""


@dataclass(frozen=True)
class CrawlArguments:
    profile: SiteProfile
    base_url: str  # an http(s) origin, no trailing slash
    max_pages: int | None
    full: bool
    revisit: int | bool  # True: every release; N: the last N days, by ``revisit_by``
    revisit_by: str = REVISIT_BY[0]
    # What kinds of article the crawl takes (crawler.kinds); by default the profile's own.
    kinds: tuple[str, ...] = ("release",)
    # Set when ``site`` is the URL of a site no profile describes: the profile is found
    # from its pages (read at ``base_url``) before the crawl starts.
    discover: bool = False


def crawl_arguments(default_site: str | None, arguments: dict[str, Any]) -> CrawlArguments:
    """Check every argument; raise ArgumentError on the first that cannot be used.

    Arguments starting with ``_`` are the scheduler's (Scrapyd passes ``_job``).
    """
    unknown = sorted(name for name in arguments if name not in ARGUMENTS and name[:1] != "_")
    if unknown:
        raise ArgumentError(f"unknown argument -a {unknown[0]} (known: {', '.join(ARGUMENTS)})")
    site = _text(arguments.get("site")) or default_site
    if not site:
        raise ArgumentError(
            f"needs -a site=ID or -a site=URL (known: {', '.join(sorted(all_profiles()))})"
        )
    discover = False
    if "://" in site:
        site_origin = _site_origin(site)
        known = profile_for_url(site_origin)
        profile = known or provisional_profile(site_origin)
        discover = known is None
        if not _text(arguments.get("base_url")) and known is not None:
            arguments = {**arguments, "base_url": site_origin}
    else:
        try:
            profile = get_profile(site)
        except KeyError:
            raise ArgumentError(
                f"unknown site {_quoted(site)} (known: {', '.join(sorted(all_profiles()))};"
                " or give the URL of an AFPIMS site: -a site=https://www.HOST.mil)"
            ) from None
    revisit = revisit_days(arguments.get("revisit"))
    if _text(arguments.get("revisit_by")) and (revisit is True or revisit is False):
        raise ArgumentError(
            "-a revisit_by chooses among known releases for -a revisit=DAYS; give both"
        )
    try:
        kinds = (
            parse_kinds(_text(arguments.get("kinds"))) or profile.default_kinds or (profile.kind,)
        )
    except ValueError as error:
        raise ArgumentError(f"-a kinds: {error}") from None
    return CrawlArguments(
        profile=profile,
        kinds=kinds,
        base_url=origin(_text(arguments.get("base_url")) or profile.origin),
        max_pages=_positive_int("max_pages", arguments.get("max_pages")),
        full=_flag("full", arguments.get("full")),
        revisit=revisit,
        revisit_by=_choice("revisit_by", arguments.get("revisit_by"), REVISIT_BY),
        discover=discover,
    )


def _site_origin(value: str) -> str:
    """The origin of ``-a site=URL`` (a path after the host is dropped: the home page is
    where discovery starts)."""
    parts = urlsplit(value.strip())
    try:
        return origin(parts._replace(path="", query="", fragment="").geturl())
    except ArgumentError:
        raise ArgumentError(
            f"-a site must be a profile id or an http(s) URL such as https://www.dla.mil,"
            f" got {_quoted(value)}"
        ) from None


def origin(value: str) -> str:
    """``scheme://host[:port]`` of an http(s) URL with nothing after the host but ``/``."""
    bad = ArgumentError(
        f"-a base_url must be an http(s) origin such as http://127.0.0.1:8000, got {_quoted(value)}"
    )
    try:
        parts = urlsplit(value.strip())
        port = parts.port  # raises on a port that is not a number
    except ValueError:
        raise bad from None
    host = parts.hostname or ""
    if (
        parts.scheme not in ("http", "https")
        or not host
        or parts.username is not None
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or not all(c.isalnum() or c in ".-[]:" for c in host)
    ):
        raise bad
    netloc = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{netloc}" + (f":{port}" if port is not None else "")


def revisit_days(value: Any) -> int | bool:
    """``all`` -> True, ``DAYS`` -> int, nothing (or 0) -> False."""
    text = _text(value).lower()
    if text in _FALSE:
        return False
    if text == "all":
        return True
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise ArgumentError(f"-a revisit must be 'all' or a number of days, got {_quoted(value)}")


def _choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    text = _text(value).lower() or choices[0]
    if text not in choices:
        raise ArgumentError(f"-a {name} must be one of {', '.join(choices)}, got {_quoted(value)}")
    return text


def _positive_int(name: str, value: Any) -> int | None:
    text = _text(value)
    if text in ("", "0"):
        return None
    if not text.isdigit():
        raise ArgumentError(f"-a {name} must be a positive integer, got {_quoted(value)}")
    return int(text)


def _flag(name: str, value: Any) -> bool:
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ArgumentError(f"-a {name} must be 1 or 0, got {_quoted(value)}")


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _quoted(value: Any) -> str:
    """The value as a short printable literal (an argument may hold anything)."""
    text = repr(_text(value))
    return text if len(text) <= 80 else text[:77] + "..."
