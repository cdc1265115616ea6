"""A page's bytes as text: what the server declares, unless the bytes prove it wrong.

- Bytes that are all valid UTF-8 (with non-ASCII text) are UTF-8, whatever is declared:
  legacy encodings almost never validate as UTF-8 by chance.
- A page declared UTF-8 (or declaring nothing) that is mostly valid UTF-8 is UTF-8 with a
  few bytes of something else — text pasted from Word in Windows-1252, stray bytes —
  which are read as Windows-1252 (bytes it leaves undefined are dropped).
- A page declared UTF-8 that mostly is not is in a legacy charset, detected among the
  publishers' (charset-normalizer).
- Otherwise the declaration holds (Content-Type, then BOM, then ``<meta charset>``).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable

import charset_normalizer
from w3lib.encoding import html_to_unicode

# What the publishers' pages were written in before UTF-8: Western, Japanese, Korean.
LEGACY = ["cp1252", "cp932", "shift_jis", "euc_jp", "cp949", "euc_kr"]
_UTF8_WITH_CP1252 = "crawler-utf8-with-cp1252"


def decode(body: bytes, headers: Iterable[tuple[str, str]] = ()) -> str:
    """The page as text, without an XML declaration: its encoding is applied here, and lxml
    would read the text again in the encoding it names (an XHTML page in Shift_JIS)."""
    return _XML_DECLARATION.sub("", _decoded(body, headers), count=1)


_XML_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>")


def _decoded(body: bytes, headers: Iterable[tuple[str, str]]) -> str:
    content_type = next((v for k, v in headers if k.lower() == "content-type"), None)
    encoding, text = html_to_unicode(content_type, body, auto_detect_fun=detect)
    if body.isascii():
        return text
    as_utf8 = body.decode("utf-8-sig", _UTF8_WITH_CP1252)
    invalid = _invalid_utf8(body)
    if not invalid:
        return as_utf8
    if encoding.replace("-", "").replace("_", "").lower() not in ("utf8", "utf8sig"):
        return text  # declared in a legacy charset, and not UTF-8: as declared
    valid = sum(1 for byte in body if byte > 127) - invalid
    if valid >= invalid:
        return as_utf8
    return body.decode(detect(body) or "cp1252", "replace")


def detect(body: bytes) -> str | None:
    """An encoding guessed from the bytes among the publishers' legacy ones."""
    best = charset_normalizer.from_bytes(body[:65536], cp_isolation=LEGACY).best()
    return best.encoding if best is not None else None


def _invalid_utf8(body: bytes) -> int:
    """How many bytes are not part of a valid UTF-8 sequence (about: one per bad run)."""
    return body.decode("utf-8", "replace").count("\ufffd") - body.count(b"\xef\xbf\xbd")


def _cp1252(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler (none exists for this): a byte that is not UTF-8, as Windows-1252."""
    assert isinstance(error, UnicodeDecodeError)
    # "ignore": 0x81, 0x8D, 0x8F, 0x90 and 0x9D are nothing in Windows-1252.
    return error.object[error.start : error.end].decode("cp1252", "ignore"), error.end


codecs.register_error(_UTF8_WITH_CP1252, _cp1252)
