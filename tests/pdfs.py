"""Build small, valid PDFs by hand for the PDF parser's tests (no PDF library involved).

A page is a list of lines laid out top-down the way a word processor sets a press release:
``""`` is an empty line (a vertical gap), a leading "　" (or two spaces) indents by one em,
and ``("right", text)`` / ``("center", text)`` align a line. Japanese pages use a Type0 font
(Identity-H, glyph ids given in order of first use) with a generated ToUnicode CMap, as Word
writes them; Latin pages use the standard Helvetica with WinAnsiEncoding.
"""

from __future__ import annotations

import unicodedata
import zlib
from collections.abc import Sequence

Line = str | tuple[str, str]

PAGE_W, PAGE_H, MARGIN, SIZE, LEADING = 595, 842, 72, 10.5, 18


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _width(text: str) -> float:
    """Text width in points: wide characters 1 em, others half (Helvetica averages ~0.5)."""
    return sum(SIZE if _wide(ch) else SIZE / 2 for ch in text)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _placed(line: Line) -> tuple[float, str]:
    """(x, text) of one line: aligned lines by their width, leading indent in ems."""
    if isinstance(line, tuple):
        align, text = line
        room = PAGE_W - 2 * MARGIN - _width(text)
        return MARGIN + (room if align == "right" else room / 2), text
    stripped = line.lstrip(" 　")
    ems = (
        line[: len(line) - len(stripped)].count("　")
        + line[: len(line) - len(stripped)].count(" ") / 2
    )
    return MARGIN + ems * SIZE, stripped


def content_stream(lines: Sequence[Line], show: dict[str, int] | None) -> bytes:
    """The page's text operators; ``show`` maps characters to glyph ids (Japanese font)."""
    ops = []
    y = PAGE_H - MARGIN
    for line in lines:
        x, text = _placed(line)
        if text:
            if show is None:
                shown = f"({_escape(text)})"
            else:
                shown = "<" + "".join(f"{show[ch]:04X}" for ch in text) + ">"
            ops.append(f"BT /F1 {SIZE} Tf {x:.2f} {y:.2f} Td {shown} Tj ET")
        y -= LEADING
    return "\n".join(ops).encode("latin-1")


def to_unicode_cmap(gids: dict[str, int]) -> bytes:
    pairs = "\n".join(f"<{gid:04X}> <{ord(ch):04X}>" for ch, gid in gids.items())
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        f"{len(gids)} beginbfchar\n{pairs}\nendbfchar\n"
        "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode("ascii")


def _pdf_string(text: str) -> str:
    """A text string for the Info dictionary: literal if ASCII, else UTF-16BE with BOM, as hex."""
    if text.isascii():
        return f"({_escape(text)})"
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def serialize(objects: list[bytes], *, root: int, info: int | None = None) -> bytes:
    """Objects numbered from 1, a classic xref table with exact offsets, and the trailer."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = f"<< /Size {len(objects) + 1} /Root {root} 0 R"
    trailer += f" /Info {info} 0 R" if info else ""
    out += f"trailer\n{trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode("ascii")
    return bytes(out)


def _stream(data: bytes, extra: str = "", *, compress: bool = False) -> bytes:
    if compress:
        data, extra = zlib.compress(data), extra + " /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra.encode()) + data + b"\nendstream"


def build_pdf(
    pages: Sequence[Sequence[Line]],
    *,
    japanese: bool = False,
    info: dict[str, str] | None = None,
    lang: str | None = None,
    image_pages: Sequence[int] = (),
    compress: bool = True,
) -> bytes:
    """A PDF of ``pages``; the pages whose index is in ``image_pages`` hold only a scanned image."""
    text = "".join(_placed(line)[1] for page in pages for line in page)
    gids = {ch: i for i, ch in enumerate(dict.fromkeys(text), start=1)} if japanese else None
    # 1 catalog, 2 page tree, 3 font, 4 image, then per page: page object, contents.
    first_page = 5 + (2 if japanese else 0)
    kids = [first_page + 2 * i for i in range(len(pages))]
    catalog = "<< /Type /Catalog /Pages 2 0 R" + (f" /Lang ({lang})" if lang else "") + " >>"
    objects = [
        catalog.encode(),
        (
            f"<< /Type /Pages /Count {len(pages)} /Kids ["
            + " ".join(f"{k} 0 R" for k in kids)
            + "] >>"
        ).encode(),
    ]
    if gids is None:
        objects.append(
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
        )
    else:
        objects.append(
            b"<< /Type /Font /Subtype /Type0 /BaseFont /MS-Mincho /Encoding /Identity-H"
            b" /DescendantFonts [5 0 R] /ToUnicode 6 0 R >>"
        )
    gray = bytes(range(0, 256, 16)) * 16  # a 16x16 grey ramp standing in for a scan
    objects.append(
        _stream(
            gray,
            " /Type /XObject /Subtype /Image /Width 16 /Height 16"
            " /ColorSpace /DeviceGray /BitsPerComponent 8",
            compress=compress,
        )
    )
    if gids is not None:
        widths = " ".join(f"{g} [{1000 if _wide(ch) else 500}]" for ch, g in gids.items())
        objects.append(
            (
                "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /MS-Mincho"
                " /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
                f" /FontDescriptor << /Type /FontDescriptor /FontName /MS-Mincho /Flags 6"
                " /FontBBox [0 -141 1000 859] /ItalicAngle 0 /Ascent 859 /Descent -141"
                f" /CapHeight 859 /StemV 80 >> /DW 1000 /W [{widths}] /CIDToGIDMap /Identity >>"
            ).encode()
        )
        objects.append(_stream(to_unicode_cmap(gids), compress=compress))
    for index, lines in enumerate(pages):
        contents = kids[index] + 1
        objects.append(
            (
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}]"
                " /Resources << /Font << /F1 3 0 R >> /XObject << /Im1 4 0 R >> >>"
                f" /Contents {contents} 0 R >>"
            ).encode()
        )
        if index in image_pages:
            data = (
                f"q {PAGE_W - 2 * MARGIN} 0 0 {PAGE_H - 2 * MARGIN} {MARGIN} {MARGIN} cm /Im1 Do Q"
            )
            objects.append(_stream(data.encode(), compress=compress))
        else:
            objects.append(_stream(content_stream(lines, gids), compress=compress))
    info_number = None
    if info:
        entries = " ".join(f"/{key} {_pdf_string(value)}" for key, value in info.items())
        objects.append(f"<< {entries} >>".encode())
        info_number = len(objects)
    return serialize(objects, root=1, info=info_number)


def bomb_pdf(inflated: int) -> bytes:
    """One page whose content stream is tiny compressed but ``inflated`` bytes inflated:
    a line of real text, then spaces."""
    text = b"BT /F1 12 Tf 72 720 Td (Decompression bomb) Tj ET\n"
    packer = zlib.compressobj(9)
    data = packer.compress(text)
    chunk = b" " * 1_000_000
    for _ in range(inflated // len(chunk)):
        data += packer.compress(chunk)
    data += packer.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}]"
        " /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".encode(),
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    return serialize(objects, root=1)
