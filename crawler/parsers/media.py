"""Images and documents of a release: lead images, galleries, inline figures, linked files."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from parsel import Selector

from .model import Image
from .text import node_text, normalize_space

# Lists of other articles (related, latest, popular) that an article page may hold.
ELSEWHERE = (
    "ancestor::*[contains(@class, 'related') or contains(@class, 'listing')"
    " or contains(@class, 'sidebar') or contains(@class, 'dashboard')"
    " or contains(@class, 'popular') or contains(@class, 'latest') or contains(@class, 'more-')]"
)


_IMAGES = (
    "div.image img",
    "div.item img",
    "img.aimage",
    ".media-inline img",
    "[class*='media-inline'] img",
    ".da_print_media img",
    "ul.slides img",
    "[itemprop='articleBody'] img",
    "div.body img",
    "section.article-detail-content img",
    "figure img",
    "[itemprop='image'] img",
)
_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|tiff?)(?:\?.*)?$", re.I)
_NON_CONTENT_IMAGES = re.compile(r"(?:tag\.png|spacer|pixel|icon|logo|\.svg$|/Styles/)", re.I)


def extract_images(scope: Selector, url: str) -> list[Image]:
    """Images of the article in ``scope``, full size where a gallery links it, with captions."""
    images: list[Image] = []
    seen: set[str] = set()
    for css in _IMAGES:
        for img in scope.css(css):
            src = img.attrib.get("src") or img.attrib.get("data-src")
            if not src or _NON_CONTENT_IMAGES.search(src) or img.xpath(ELSEWHERE):
                continue
            # A gallery links each resized image to its full-size file: keep the full size.
            linked = img.xpath("parent::a/@href").get()
            if linked and _IMAGE_FILE.search(linked):
                src = linked
            absolute = _unmirrored(urljoin(url, src.strip()))
            if absolute in seen:
                continue
            seen.add(absolute)
            alt = normalize_space(img.attrib.get("alt", "")) or None
            images.append(Image(url=absolute, caption=_caption(img), alt=alt))
    return images


# Website copiers (HTTrack) rewrite http://media.defense.gov/x as ../../media.defense.gov/x.
_COPIED_HOST = re.compile(
    r"^https?://[^/]+/(?:\.\./)*(?P<host>[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:mil|gov|com|org|net))/",
    re.I,
)


def _unmirrored(url: str) -> str:
    match = _COPIED_HOST.match(url)
    return f"http://{match.group('host')}/{url[match.end() :]}" if match else url


_DOCUMENT = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?)(?:\?.*)?$", re.I)


def extract_documents(body: Selector, url: str) -> list[str]:
    """Documents (PDF, Office files) the body links, absolute, in order."""
    hrefs = (h.strip() for h in body.css("a::attr(href)").getall())
    return list(dict.fromkeys(urljoin(url, h) for h in hrefs if _DOCUMENT.search(h)))


def _caption(img: Selector) -> str | None:
    """Caption printed next to an image: figcaption, a caption element, or the last <p>."""
    for xpath in (
        "ancestor::figure[1]//figcaption",
        "ancestor::div[contains(@class,'da_media_item')][1]/p[last()]",
        "ancestor::*[contains(@class,'image') or contains(@class,'item') "
        "or contains(@class,'media')][1]//*[contains(@class,'caption')]",
        "following-sibling::*[contains(@class,'image-caption')][1]",
        "ancestor::div[contains(@class,'image')][1]/following-sibling::*"
        "[self::figcaption or contains(@class,'caption')][1]",
        "ancestor::div[contains(@class,'item') or contains(@class,'media-inline')][1]/p[last()]",
    ):
        node = img.xpath(xpath)
        if node:
            caption = node_text(node[0])
            if caption:
                return caption
    return None
