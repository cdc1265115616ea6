"""Publishers on their own CMS (NATO, canada.ca, mod.go.jp): their pages as files.

Each file under ``content/pages/<site id>/`` is served at the path it is stored under
(``@`` stands for ``?``: ``press_releases.htm@start=10``), with its bytes as they are —
a Shift_JIS page stays Shift_JIS, a PDF a PDF. The pages are written in the markup these
publishers are known to use (README, "what each parser rests on"); none is a real capture.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

from crawler.profiles import get_profile

from .site import MirrorSite

PAGE_SITES = ("nato", "canadadnd", "japanmod")
_TYPES = {
    ".pdf": "application/pdf",
    ".xml": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
}


def page_sites() -> dict[str, MirrorSite]:
    sites: dict[str, MirrorSite] = {}
    root = resources.files("mirror").joinpath("content", "pages")
    for site_id in PAGE_SITES:
        site = MirrorSite(get_profile(site_id))
        for path, entry in _files(root.joinpath(site_id), ""):
            site.files[path.replace("@", "?", 1)] = entry.read_bytes()
        sites[site_id] = site
    return sites


def _files(folder: Traversable, prefix: str) -> list[tuple[str, Traversable]]:
    found: list[tuple[str, Traversable]] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        path = f"{prefix}/{entry.name}"
        found += _files(entry, path) if entry.is_dir() else [(path, entry)]
    return found


def content_type_of(path: str, body: bytes) -> str:
    """What a publisher's server would say: HTML pages name no charset (the page's own
    ``<meta>`` does), feeds and PDFs their types; an API answer by what it holds."""
    for suffix, content_type in _TYPES.items():
        if path.endswith(suffix):
            return content_type
    if body.lstrip().startswith(b"<?xml"):
        return "application/atom+xml; charset=utf-8"
    return "text/html"
