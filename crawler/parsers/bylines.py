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
            if people and re.fullmatch(r"(?:Jr|Sr|II|III|IV)\.?", piece.replace("\ue000", "")):
                people[-1] = f"{people[-1]}, {piece}"
            else:
                people.append(piece)
    return people


def parse_byline(line: str | None) -> list[Byline]:
    """People and units in one printed byline; an empty list when there is none."""
    if not line:
        return []
    line = _SUFFIX.sub(_KEEP_SUFFIX, line)  # "X, Jr. and Y": the comma is the name's
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
        # "By NAME, ROLE • UNIT": the first chunk may hold a role of its own.
        names, own_role = _split_names_unit(chunks[0])
        rest = [c.strip(" ,") for c in chunks[1:]]
        unit = ", ".join(part for part in (own_role, *rest) if part)
    else:
        names, unit = _split_names_unit(text)
    names = names.strip(" ,")
    unit = unit.strip(" ,") if unit else ""
    if names and is_organisation(names) and not has_rank(names) and not holds_office(names):
        # An organisation alone: "By Defense Media Activity", "Air Force News Service".
        role = ", ".join(p for p in (names, unit) if p)
        return [Byline(name=None, role=role)]
    if not names:
        return [Byline(name=None, role=_restored(unit))] if unit else []
    if not has_by and not unit and not looks_like_person(names) and not holds_office(names):
        return []
    people = [_restored(name) for name in _people(names)]
    return [Byline(name=name, role=_restored(unit) or None) for name in people]


def _split_names_unit(text: str) -> tuple[str, str]:
    """Split ``names, unit`` at the first comma followed by an organisation or a role.

    ``Capt. A, Staff Sgt. B and Airman C, 35th Fighter Wing Public Affairs`` splits before
    the wing, not before Staff Sgt. B: the unit starts at a piece that is not a person;
    ``Gen. X, Commander, Air Combat Command`` before the role.
    """
    pieces = [p.strip() for p in text.split(",")]
    for index in range(1, len(pieces)):
        piece = pieces[index]
        if re.fullmatch(r"(?:Jr|Sr|II|III|IV)\.?", piece) or has_rank(piece):
            continue
        if is_organisation(piece) or _ROLE.match(piece):
            return ", ".join(pieces[:index]), ", ".join(pieces[index:])
    return text, ""


# Offices and roles printed after a name ("Commander", "Director of Staff", "Deputy Chief
# of Staff for Manpower"): where the unit begins.
_ROLE = re.compile(
    r"^(?:(?:acting|deputy|vice|assistant|associate|principal|senior|executive|interim)\s+)*"
    r"(?:commander|director|chief|deputy|secretary|superintendent|president|chair(?:man)?|"
    r"administrator|inspector|surgeon|judge|chaplain|spokes(?:man|woman|person)|officer|"
    r"manager|adviser|advisor|executive|head|lead|leader|member|representative|"
    r"undersecretary|under secretary)\b",
    re.IGNORECASE,
)
# An office holder printed with the office before the name: "Secretary of the Air Force
# Helen M. Dorsey", "Air Force Chief of Staff Gen. David W. Allvin" (a person, as printed).
_NAME_WORDS = re.compile(
    r"(?:[A-Z][a-z'’-]+|[A-Z]\.)(?:\s+(?:[A-Z][a-z'’-]+|[A-Z]\.))*(?:\ue000(?:Jr|Sr|II|III|IV)\.?)?"
)
_OFFICE = re.compile(
    r"\b(?:secretary|chief of staff|chief master (?:sergeant|sgt\.)|sergeant major|"
    r"chairman|director|commandant|administrator|minister)\b",
    re.IGNORECASE,
)
# A suffix after a comma belongs to the name before it; kept as NUL-joined while the
# byline is split at commas, restored after.
_SUFFIX = re.compile(r",\s*(Jr|Sr|II|III|IV)\.?(?=\s|,|$)")


def _KEEP_SUFFIX(match: re.Match[str]) -> str:
    return f"\ue000{match.group(1)}."


def _restored(text: str) -> str:
    return text.replace("\ue000", ", ")


def holds_office(text: str) -> bool:
    """An office before a person's name: the whole is the person as printed."""
    tokens = text.split()
    for size in (4, 3, 2):
        if len(tokens) <= size:
            continue
        name, office = " ".join(tokens[-size:]), " ".join(tokens[:-size])
        if _NAME_WORDS.fullmatch(name) and not is_organisation(name) and _OFFICE.search(office):
            return True
    return False


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
