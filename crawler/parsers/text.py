"""Turn an HTML body into clean paragraphs.

ArticleCS bodies come in three shapes: ``<p>`` paragraphs, Word pastes (MSO comments,
``<style>``, ``<o:p>``), and text split by ``<br /><br />``. All three end up as a list of
paragraphs, each one line of normalised whitespace.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from lxml import etree
from parsel import Selector

# Elements whose text never belongs to the release body.
SKIPPED_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "object",
        "embed",
        "button",
        "form",
        "input",
        "select",
        "textarea",
        "svg",
        "figure",
        "figcaption",
        "video",
        "audio",
        "head",
    }
)
# Inline elements do not break a paragraph; every other element does.
INLINE_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "cite",
        "code",
        "data",
        "dfn",
        "em",
        "font",
        "i",
        "kbd",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
        "var",
        "wbr",
        "img",
        "label",
        "nobr",
        "o:p",
        "big",
        "tt",
        "strike",
        "ins",
        "del",
    }
)
# Containers of embedded media and captions inside a body (images are extracted apart).
SKIPPED_CLASSES = (
    "media-inline",
    "image",
    "photo",
    "caption",
    "da_print_media",
    "tags",
    "share",
    "social",
    "addthis",
    "print",
    "sharing",
    "related",
)
# Pull quotes repeat a sentence of the body.
_PULL_QUOTE = re.compile(r"pull-?quote")

_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_PARA = "\x00P"
_LINE = "\x00L"


def normalize_space(text: str) -> str:
    """Collapse runs of whitespace (including no-break and ideographic spaces) to one space;
    control characters (stray bytes of a broken page: NUL, BEL, ESC) are dropped."""
    return _SPACES.sub(" ", _CONTROLS.sub("", text)).strip()


_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _local_name(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def _skipped(element: etree._Element) -> bool:
    name = _local_name(element)
    if not name or name in SKIPPED_TAGS:
        return True
    classes = (element.get("class") or "").lower().split()
    for token in classes:
        if _PULL_QUOTE.search(token) or any(
            token == skipped or token.startswith(skipped + "-") for skipped in SKIPPED_CLASSES
        ):
            return True
    style = (element.get("style") or "").replace(" ", "").lower()
    return "display:none" in style


def _tokens(element: etree._Element) -> Iterator[str]:
    """Yield text runs and break markers for ``element``'s subtree, in document order.

    Walked by lxml's iterwalk, not recursion: a page may nest thousands of elements.
    iterwalk skips comments, so the text after one is taken beside its neighbours."""
    yield from _tails_of_comments(iter(element))
    walker = etree.iterwalk(element, events=("start", "end"))
    for event, child in walker:
        if child is element:
            continue
        name = _local_name(child)
        opened = name != "br" and not _skipped(child)
        if event == "start":
            if name == "br":
                yield _LINE
            if not opened:
                walker.skip_subtree()
                continue
            if name not in INLINE_TAGS:
                yield _PARA
            if child.text:
                yield child.text
            yield from _tails_of_comments(iter(child))
            continue
        if opened and name not in INLINE_TAGS:
            yield _PARA
        if child.tail:
            yield child.tail
        yield from _tails_of_comments(child.itersiblings())


def _tails_of_comments(nodes: Iterator[etree._Element]) -> Iterator[str]:
    """The text after each comment or processing instruction that comes next in ``nodes``."""
    for node in nodes:
        if isinstance(node.tag, str):
            return
        if node.tail:
            yield node.tail


def paragraphs(element: etree._Element) -> list[str]:
    """Paragraphs of ``element``: block boundaries and ``<br><br>`` split, single ``<br>`` joins.

    A single line break inside a paragraph becomes a space: bodies pasted from Word wrap
    lines with ``<br>`` where the author meant none.
    """
    runs: list[str] = []
    if element.text:
        runs.append(element.text)
    runs.extend(_tokens(element))
    result: list[str] = []
    current: list[str] = []
    breaks = 0

    def flush() -> None:
        text = normalize_space("".join(current))
        if text:
            result.append(text)
        current.clear()

    for run in runs:
        if run == _PARA:
            flush()
            breaks = 0
        elif run == _LINE:
            breaks += 1
            if breaks >= 2:
                flush()
            else:
                current.append(" ")
        else:
            if run.strip():
                breaks = 0
            current.append(run)
    flush()
    return result


def join_paragraphs(items: Iterable[str]) -> str:
    return "\n\n".join(items)


def node_text(node: Selector) -> str:
    """All the text of an element (scripts aside), whitespace normalised."""
    return normalize_space(" ".join(node.xpath(".//text()[not(ancestor::script)]").getall()))
