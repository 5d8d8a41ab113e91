"""Display names that could pass for someone or something else: pure checks, no Flask or database import.

Public pages show a participant as a pseudonym ("Warga-NAVXF"), a moderator as "Moderator-AB12C", the agency's
own voice as "Tanggapan Dinas", and notices as the system. A person who chooses to show their name must not be
able to choose one of those: the name is compared as a *skeleton* — Unicode-normalised (NFKC), case-folded, accents
and invisible characters removed, look-alike letters from other scripts and digits mapped to the Latin letters
they imitate, separators collapsed — so "Wаrga‐NAVXF" (Cyrillic а, a Unicode hyphen), "ＭＯＤＥＲＡＴＯＲ" or
"adm1n" are caught like the plain spellings.

`name_problem(name)` is the one function to call wherever a name is set; it returns a short code or None.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MAX_LENGTH = 120

# Letters of other scripts (Cyrillic, Greek, IPA and the like) drawn like Latin ones, and digits and signs used as
# letters. Capitals first (Greek "Μ" is an M, its small "μ" a u), then, after case folding, small letters.
_CYRILLIC = dict(zip("авгдеёзийклмнопрстухцшщьѕіїјԁԛԝһӏүҫ", "abrdeeeuuknmhonpctyxuwwbsiijdqwhlyc", strict=True))
_GREEK = dict(zip("αβγδεηικμνορσςτυχω", "abydenikuvopoctuxw", strict=True))
_OTHER_LATIN = dict(zip("ıȷɡɑɩʀʏɴʜꞁłøđħŧ", "ijgairynhllodht", strict=True))
_SIGNS = dict(zip("0134578@$!|", "oieastbasil", strict=True))  # digits and signs standing for letters
_LOOKALIKES = str.maketrans({**_CYRILLIC, **_GREEK, **_OTHER_LATIN, **_SIGNS, "ы": "bl", "ß": "ss", "æ": "ae"})
_CAPITALS = str.maketrans(dict(zip("АВЕКМНОРСТУХЅІЈԌΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEKMHOPCTYXSIJGABEZHIKMNOPTYX", strict=True)))

# Whole words (after the skeleton) that name a role or the site itself.
RESERVED_WORDS = frozenset(
    {
        "admin",
        "administrator",
        "adminsitus",
        "moderator",
        "moderasi",
        "sistem",
        "system",
        "sysadmin",
        "root",
        "operator",
        "superuser",
        "konsultasipublik",
    }
)
# Phrases (compared without spaces) that label the agency's own voice or the site's staff.
RESERVED_PHRASES = ("tanggapandinas", "tanggapaninstansi", "petugasdinas", "timmoderasi", "konsultasipublik")
# The pseudonym formats of public pages: "Warga-XXXXX" (participants) and "Moderator-XXXXX" (moderators), in any
# case, with or without a separator, and with look-alikes. Any five letters or digits, not only the pseudonym
# alphabet: "Warga Bogor" is refused too, the price of not reasoning about which letters pass for which.
_PSEUDONYM = re.compile(r"(?:^| )(?:warga|moderator) ?[a-z0-9]{5}(?: |$)")

# Characters a name must not hold at all: controls, and the bidirectional overrides and isolates that can make a
# name display as something else ("Warga-\u202eFXVAN").
_FORBIDDEN = re.compile("[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def skeleton(text: str) -> str:
    """`text` reduced to what a reader sees: lower-case Latin letters and digits, words separated by one space.

    Single letters in a row are joined ("A D M I N" → "admin"), so spacing a word out does not hide it.
    """
    text = unicodedata.normalize("NFKC", text).translate(_CAPITALS).casefold()
    text = "".join(
        ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) not in {"Mn", "Me", "Cf"}
    )
    text = text.translate(_LOOKALIKES)
    words = [w for w in re.split(r"[^a-z0-9]+", text) if w]
    joined: list[str] = []
    for word in words:
        if len(word) == 1 and joined and joined[-1].startswith("\x00"):
            joined[-1] += word
        elif len(word) == 1:
            joined.append("\x00" + word)
        else:
            joined.append(word)
    return " ".join(w.lstrip("\x00") for w in joined)


def is_reserved(name: str, extra: Iterable[str] = ()) -> bool:
    """True when `name` reads as a pseudonym, a role, the system, or one of the `extra` phrases (agency names)."""
    shape = skeleton(name)
    if not shape:
        return False
    compact = shape.replace(" ", "")
    if _PSEUDONYM.search(shape):
        return True
    if compact in RESERVED_WORDS or any(word in RESERVED_WORDS for word in shape.split()):
        return True
    if any(phrase in compact for phrase in RESERVED_PHRASES):
        return True
    for phrase in extra:
        other = skeleton(phrase)
        # whole words only: an agency called "Dinas A" must not take "Dinasa Putri" away from anyone
        if len(other) >= 4 and (f" {other} " in f" {shape} " or compact == other.replace(" ", "")):
            return True
    return False


def name_problem(name: str, *, reserved: Iterable[str] = ()) -> str | None:
    """What is wrong with `name` as a display name, as a short code, or None when it may be used.

    Codes: "empty", "too_long", "characters" (controls or bidirectional overrides), "reserved" (reads as a
    pseudonym, a moderator, the system, the agency's voice, or one of `reserved`: the agencies' names and slugs).
    The caller collapses whitespace first (`" ".join(name.split())`).
    """
    if not name or not name.strip():
        return "empty"
    if len(name) > MAX_LENGTH:
        return "too_long"
    if _FORBIDDEN.search(name):
        return "characters"
    if is_reserved(name, reserved):
        return "reserved"
    return None
