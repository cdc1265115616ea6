"""The mirror's content model: releases per site, loaded from ``mirror/content``.

Each site is served at its own origin with the real paths, so a spider started with
``-a base_url=<origin>`` crawls it exactly as it would crawl the real host.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

from crawler.profiles import SiteProfile, get_profile

from .faults import Faults

PAGE_SIZE = 5
# Last-Modified of every page until the mirror is told a release changed.
BASE_MODIFIED = 1_750_000_000

OK = "ok"
# Blocked and module-error releases fail as real ones do: for a while. Two requests in three
# get the fault, the third the page, so a crawl that retries (three attempts) gets through.
BLOCKED = "blocked"  # article view answers Akamai's 200 "Access Denied" page
MODULE_ERROR = "module_error"  # the ArticleCS module fails inside a normal page
FLAKY_PERIOD = 3
PRINT_ONLY = "print_only"  # article view blocked, the 2016 print view passes
GONE = "gone"  # deleted by the publisher: 410, and no longer listed


@dataclass
class MirrorRelease:
    id: int
    slug: str
    title: str
    number: str | None
    date: str
    time: str | None
    dateline: str | None
    dash: str
    byline: str | None
    paragraphs: list[str]
    tags: list[str]
    images: list[dict[str, str]]
    status: str = OK
    dateline_paragraph: bool = False
    pinned: bool = False
    print_file: str | None = None
    modified: int = BASE_MODIFIED

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MirrorRelease:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass
class MirrorSite:
    profile: SiteProfile
    releases: list[MirrorRelease] = field(default_factory=list)
    page_size: int = PAGE_SIZE
    changes: int = 0  # bumped by every add, edit and delete
    served: list[str] = field(default_factory=list, repr=False)  # "GET /path 200" per request
    faults: Faults = field(default_factory=Faults, repr=False)
    attempts: dict[int, int] = field(default_factory=dict, repr=False)  # per flaky release
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # A site described by no bundled profile (mirror/platform.py): its home page's
    # navigation as (text, path), its other sections served at the same origin, and plain
    # pages (About, Contact) by path.
    nav: list[tuple[str, str]] = field(default_factory=list)
    siblings: list[MirrorSite] = field(default_factory=list, repr=False)
    pages_by_path: dict[str, str] = field(default_factory=dict, repr=False)
    heading: str = ""  # the listing's module title
    featured: int = 0  # how many of its newest the home page shows
    item_style: str = ""  # the listing's item markup (render.listing_item), else by site id
    # A GOV.UK site: Content API documents by base path (mirror/platform.py).
    documents: dict[str, bytes] = field(default_factory=dict, repr=False)
    # A publisher on its own CMS (mirror/pages.py): its files as served, by path and query.
    files: dict[str, bytes] = field(default_factory=dict, repr=False)
    skin: str = "view"  # article markup: "view" (ArticleCS article view) or "display" (af.mil)

    @property
    def id(self) -> str:
        return self.profile.id

    def route(self, path: str) -> MirrorSite:
        """The section of the site that serves ``path``: this one or a sibling."""
        lowered = path.lower()
        for sibling in self.siblings:
            listing = sibling.profile.listings[0].lower()
            if lowered == listing or lowered.startswith(sibling.profile.article_paths[0].lower()):
                return sibling
        return self

    def listed(self) -> list[MirrorRelease]:
        """Releases in listing order: newest first (by id); pinned and deleted ones excluded."""
        return sorted(
            (r for r in self.releases if not r.pinned and r.status != GONE), key=lambda r: -r.id
        )

    def pinned(self) -> list[MirrorRelease]:
        return [r for r in self.releases if r.pinned]

    def pages(self) -> int:
        return max(1, -(-len(self.listed()) // self.page_size))

    def page(self, number: int) -> list[MirrorRelease]:
        start = (number - 1) * self.page_size
        return self.listed()[start : start + self.page_size]

    def fails_now(self, release: MirrorRelease) -> bool:
        """Whether a blocked or module-error release fails this request (two in three do)."""
        if release.status not in (BLOCKED, MODULE_ERROR):
            return False
        with self.lock:
            count = self.attempts.get(release.id, 0)
            self.attempts[release.id] = count + 1
        return count % FLAKY_PERIOD != FLAKY_PERIOD - 1

    def find(self, article_id: int) -> MirrorRelease | None:
        return next((r for r in self.releases if r.id == article_id), None)

    def last_modified(self) -> int:
        return max((r.modified for r in self.releases), default=BASE_MODIFIED)

    # ---- controls (the publisher adds, edits, deletes) --------------------------------------

    def add(self, count: int) -> list[MirrorRelease]:
        """Publish ``count`` new releases, newer than all others, made from existing ones."""
        models = [r for r in self.releases if r.status == OK and not r.print_file]
        with self.lock:
            top = max(r.id for r in self.releases)
            added = []
            for index in range(count):
                self.changes += 1
                model = models[(self.changes + index) % len(models)]
                added.append(
                    replace(
                        model,
                        id=top + 1 + index,
                        slug=f"new-release-{top + 1 + index}",
                        title=f"New release {top + 1 + index}: {model.title}",
                        number=model.number and f"{model.number}-N{index}",
                        date="Nov. 20, 2026",
                        time=None,
                        pinned=False,
                        modified=BASE_MODIFIED + self.changes,
                    )
                )
            self.releases.extend(added)
        return added

    def edit(self, article_id: int) -> MirrorRelease | None:
        """Change a release's body in place (a silent edit): new ETag and Last-Modified."""
        with self.lock:
            release = self.find(article_id)
            if release is None:
                return None
            self.changes += 1
            release.paragraphs = [
                *release.paragraphs,
                f"This release was updated (correction {self.changes}).",
            ]
            release.modified = BASE_MODIFIED + self.changes
            return release

    def delete(self, article_id: int) -> MirrorRelease | None:
        return self._set_status(article_id, GONE)

    def restore(self, article_id: int) -> MirrorRelease | None:
        """Bring a deleted release back as it was (the publisher undoes a removal)."""
        return self._set_status(article_id, OK)

    def _set_status(self, article_id: int, status: str) -> MirrorRelease | None:
        with self.lock:
            release = self.find(article_id)
            if release is None:
                return None
            self.changes += 1
            release.status = status
            release.modified = BASE_MODIFIED + self.changes
            return release


def _read_json(name: str) -> dict[str, Any]:
    text = resources.files("mirror").joinpath("content", name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _afmil_print_releases() -> list[MirrorRelease]:
    """The real 2016 af.mil pages: listed under their 2016 URLs, readable only in print view."""
    manifest = resources.files("mirror").joinpath("content", "afmil-print", "MANIFEST.tsv")
    releases = []
    for line in manifest.read_text(encoding="utf-8").splitlines()[1:]:
        name, url, article_id, title, _info = line.split("\t")
        if "ModuleId=850" not in url:
            continue  # ModuleId 854 is a fact sheet, not news
        releases.append(
            MirrorRelease(
                id=int(article_id),
                slug=_slug(title),
                title=title,
                number=None,
                date="",
                time=None,
                dateline=None,
                dash="--",
                byline=None,
                paragraphs=[],
                tags=[],
                images=[],
                status=PRINT_ONLY,
                print_file=name,
            )
        )
    return releases


def _slug(title: str) -> str:
    words = "".join(c.lower() if c.isalnum() else " " for c in title).split()
    return "-".join(words)[:80].rstrip("-")


CONTENT_FILES = {
    "usfj": ["usfj-seed.json", "usfj.json"],
    "usfk": ["usfk.json"],
    "wargov": ["wargov.json"],
    "afmil": ["afmil.json"],
}


def synthesize(site: MirrorSite, count: int) -> None:
    """Add ``count`` releases made from the site's own (ok) ones: new ids, older dates.

    Deterministic, so two mirrors with the same scale serve the same pages (benchmarks,
    recrawl tests that need hundreds of releases over many listing pages).
    """
    models = [r for r in site.releases if r.status == OK and not r.print_file]
    lowest = min(r.id for r in site.releases)
    for index in range(count):
        model = models[index % len(models)]
        # Rotating paragraphs varies the text; a release with a translation keeps its order.
        latin = all(p.isascii() for p in model.paragraphs)
        shift = index % len(model.paragraphs) if model.paragraphs and latin else 0
        year = 2018 - index // 200
        month = (
            "Jan.",
            "Feb.",
            "March",
            "April",
            "May",
            "June",
            "July",
            "Aug.",
            "Sept.",
            "Oct.",
            "Nov.",
            "Dec.",
        )[index % 12]
        site.releases.append(
            MirrorRelease(
                id=lowest - 1000 - index,
                slug=f"{model.slug[:60]}-{index}",
                title=f"{model.title} ({index})",
                number=model.number and f"{model.number}-{index}",
                date=f"{month} {1 + index % 28}, {year}",
                time=None,
                dateline=model.dateline,
                dash=model.dash,
                byline=model.byline,
                paragraphs=model.paragraphs[shift:] + model.paragraphs[:shift],
                tags=model.tags,
                images=[],
                status=OK,
            )
        )


def load_sites(scale: int = 0, page_size: int = PAGE_SIZE) -> dict[str, MirrorSite]:
    """The bundled sites, then the named AFPIMS sites and the sites no profile describes
    (``mirror/platform.py``); ``scale`` adds that many generated releases to each."""
    from .platform import platform_sites

    sites: dict[str, MirrorSite] = {}
    for site_id, files in CONTENT_FILES.items():
        site = MirrorSite(get_profile(site_id), page_size=page_size)
        for name in files:
            site.releases.extend(
                MirrorRelease.from_dict(item) for item in _read_json(name)["releases"]
            )
        if site_id == "afmil":
            site.releases.extend(_afmil_print_releases())
        if scale:
            synthesize(site, scale)
        sites[site_id] = site
    for site_id, site in platform_sites(sites, page_size).items():
        if scale and site.releases:  # GOV.UK serves documents, not generated releases
            synthesize(site, scale)
        sites[site_id] = site
    return sites
