"""Split a printed byline into people and units.

``By Senior Airman Ashley Powell, Secretary of the Air Force Public Affairs`` gives the name
as printed (rank included) and the unit as its role; ``By Defense Media Activity`` or a
bare ``Air Force News Service`` is an organisation, so it becomes a role with no name.
"""

from __future__ import annotations

import re

from .dates import find_date
from .model import Byline
from .text import normalize_space

# Words that mark an organisation rather than a person.
_ORG_WORDS = re.compile(
    r"\b(?:activity|affairs|agency|air force|army|navy|marine corps|coast guard|bureau|center|"
    r"centre|command|corps|department|detachment|division|fleet|force|forces|group|headquarters|"
    r"information|media|news|office|public|service|services|squadron|team|unit|wing|"
    r"battalion|brigade|regiment|base|station|garrison|district|school|university|academy|"
    r"national guard|association|laboratory|institute|directorate|embassy|ministry|nato|"
    r"dod|dma|usfj|usfk|dvids)\b",
    re.IGNORECASE,
)
_PREFIX = re.compile(
    r"^(?:\s*(?:(?:story|compiled|written|reported|commentary|photos? and story)\s+)?by[:\s]+)+",
    re.IGNORECASE,
)
# No author: "From Staff Reports", "Staff report".
_NO_AUTHOR = re.compile(r"^(?:from\s+)?(?:staff|wire)\s+reports?$", re.IGNORECASE)
# "From U.S. Indo-Pacific Command Public Affairs": a unit the release came from.
_FROM_UNIT = re.compile(r"^\s*from\s+(?=\S)", re.IGNORECASE)
_STAMP = re.compile(r"^(?:published|posted|updated|released)\b", re.IGNORECASE)
_SEPARATORS = re.compile(r"\s*(?:•|\||\n|/(?=\s*(?:published|posted|updated)\b))\s*", re.I)
_AND = re.compile(r"\s*(?:,\s*and\s+|\s+and\s+|\s*&\s*)", re.IGNORECASE)


def _is_date(chunk: str) -> bool:
    """A chunk that is only a date ("Aug. 15, 2023"), as af.mil prints beside the byline."""
    found = find_date(chunk)
    return found is not None and len(chunk.replace(found, "").strip(" ,|•/")) < 3


def is_organisation(text: str) -> bool:
    return bool(_ORG_WORDS.search(text))


def _people(names: str) -> list[str]:
    """``A, B and C`` -> three names; keeps suffixes such as ``Jr.`` with their name."""
    parts = [p for p in _AND.split(names) if p.strip()]
    people: list[str] = []
    for part in parts:
        for piece in part.split(","):
            piece = piece.strip()
            if not piece:
                continue
            if people and re.fullmatch(r"(?:Jr|Sr|II|III|IV)\.?", piece):
                people[-1] = f"{people[-1]}, {piece}"
            else:
                people.append(piece)
    return people


def parse_byline(line: str | None) -> list[Byline]:
    """People and units in one printed byline; an empty list when there is none."""
    if not line:
        return []
    # "Published • By NAME • UNIT" (article display) or "By NAME, UNIT / Published …" (print).
    chunks = [c.strip(" ,;/") for c in _SEPARATORS.split(line)]
    chunks = [normalize_space(c) for c in chunks if c and not _STAMP.match(c) and not _is_date(c)]
    has_by = any(_PREFIX.match(c) for c in chunks)
    chunks = [_PREFIX.sub("", c).strip(" ,;/•|-–—") for c in chunks]
    chunks = [_FROM_UNIT.sub("", c) if is_organisation(c) else c for c in chunks]
    chunks = [c for c in chunks if c and not _NO_AUTHOR.match(c)]
    if not chunks:
        return []
    text = ", ".join(chunks)
    if len(chunks) > 1:
        names, unit = chunks[0], ", ".join(c.strip(" ,") for c in chunks[1:])
    else:
        names, unit = _split_names_unit(text)
    names = names.strip(" ,")
    unit = unit.strip(" ,") if unit else ""
    if names and is_organisation(names) and not has_rank(names):
        # An organisation alone: "By Defense Media Activity", "Air Force News Service".
        role = ", ".join(p for p in (names, unit) if p)
        return [Byline(name=None, role=role)]
    if not names:
        return [Byline(name=None, role=unit)] if unit else []
    if not has_by and not unit and not looks_like_person(names):
        return []
    return [Byline(name=name, role=unit or None) for name in _people(names)]


def _split_names_unit(text: str) -> tuple[str, str]:
    """Split ``names, unit`` at the first comma followed by an organisation.

    ``Capt. A, Staff Sgt. B and Airman C, 35th Fighter Wing Public Affairs`` splits before
    the wing, not before Staff Sgt. B: the unit starts at a piece that is not a person.
    """
    pieces = [p.strip() for p in text.split(",")]
    for index in range(1, len(pieces)):
        piece = pieces[index]
        if re.fullmatch(r"(?:Jr|Sr|II|III|IV)\.?", piece) or has_rank(piece):
            continue
        if is_organisation(piece):
            return ", ".join(pieces[:index]), ", ".join(pieces[index:])
    return text, ""


# Ranks and courtesy titles that open a person's name as printed.
_RANKS = re.compile(
    r"^(?:(?:Gen|Lt|Maj|Col|Capt|Cpt|Sgt|Cpl|Pvt|Pfc|Spc|Adm|Cmdr|Cdr|Ens|Brig|Mr|Mrs|Ms|Dr)\.?"
    r"|Staff Sgt|Tech\. Sgt|Master Sgt|Senior Master|Chief Master|Senior Airman|Airman"
    r"|Petty Officer|Seaman|Ensign|Lance Cpl|Sgt\. Maj|Command Sgt|First Lt|Second Lt"
    r"|Warrant Officer|Chief Warrant|Vice Adm|Rear Adm|Lieutenant|Sergeant|Captain|Major"
    r"|Colonel|General|Admiral|Private|Specialist|Corporal)\b",
    re.IGNORECASE,
)


def has_rank(text: str) -> bool:
    """True when ``text`` opens with a military rank or courtesy title, i.e. names a person."""
    return bool(_RANKS.match(text.strip()))


def looks_like_person(text: str) -> bool:
    words = text.split()
    if has_rank(text):
        return True
    return 2 <= len(words) <= 5 and all(w[:1].isupper() for w in words if w.isalpha())
