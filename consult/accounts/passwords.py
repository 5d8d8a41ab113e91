"""Password rules (NIST SP 800-63B): a length, no composition rules, and no password that is easy to guess.

"Easy to guess" is zxcvbn's estimate (the maintained Python port, zxcvbn 4.5.0): its dictionaries of breached
passwords, English words, names and films, its patterns (keyboard walks, repeats, sequences, dates, l33t, a
capital first and a digit or sign last), and the words of this site — the person's own e-mail and name, the
agencies' names, "konsultasi", "warga", "publik" — given to it as user inputs. zxcvbn knows no Indonesian, so a
ranked list of words common in Indonesian passwords (written for consult) is added to its dictionaries. A password
must need at least 10^9 guesses by zxcvbn's estimate (its score 3 starts at 10^8, which lets two site words and a
digit through: "WargaPublik1" is 10^8.0). Measured: Password1!, konsultasi, passwordpassword, iloveyou12,
Sukamaju2026 (10^5.9), Jakarta2026! and Rahasia123! all fail; "Kopi-pagi-di-Bandung" (10^13.8), a short sentence,
or ten random characters (10^10) pass.

Pure: no Flask, no database. The caller passes the site's words (consult.accounts.services.site_words()).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

MIN_LENGTH = 10
MAX_LENGTH = 200
MIN_GUESSES_LOG10 = 9  # zxcvbn's estimated guesses, log10 (see above)
ZXCVBN_MAX = 72  # zxcvbn refuses longer input (its matching is superlinear): the first 72 characters are judged

# Words of the site itself, always given to zxcvbn as user inputs (the agencies' names are added by the caller).
SITE_WORDS = (
    "konsultasi",
    "konsultasipublik",
    "publik",
    "warga",
    "pelayanan",
    "layanan",
    "standar",
    "maklumat",
    "dinas",
    "instansi",
    "pemerintah",
    "pemkot",
    "pemkab",
    "kota",
    "kabupaten",
    "desa",
    "kelurahan",
    "kecamatan",
    "sukamaju",
    "disdukcapil",
    "kependudukan",
    "moderator",
    "admin",
)

_lock = threading.Lock()  # zxcvbn keeps the user inputs in a module-level dictionary while it matches


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = _resource("common_passwords.txt")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _resource(name: str) -> str:
    return resources.files("consult.accounts").joinpath(name).read_text("utf-8")


@lru_cache(maxsize=1)
def _zxcvbn():
    """zxcvbn with the Indonesian word list added to its ranked dictionaries (once per process)."""
    from zxcvbn import matching, zxcvbn

    if "indonesian" not in matching.RANKED_DICTIONARIES:
        words = [
            line.strip().lower()
            for line in _resource("indonesian_words.txt").splitlines()
            if line.strip() and not line.startswith("#")
        ]
        matching.add_frequency_lists({"indonesian": words})
    return zxcvbn


def _words(phrases: Iterable[str]) -> set[str]:
    """Each phrase, lower-cased, without its separators, and each of its words of three letters or more:
    "Dinas Pertanian Cibodas" gives zxcvbn "cibodas" too, which is what a password would take from it."""
    words: set[str] = set()
    for phrase in phrases:
        parts = [p for p in re.split(r"[\W_]+", str(phrase).lower()) if p]
        words.update([str(phrase).lower(), "".join(parts), *(p for p in parts if len(p) >= 3)])
    words.discard("")
    return words


def strength(password: str, user_inputs: Iterable[str] = ()) -> float:
    """zxcvbn's estimate of the guesses `password` needs (log10), judging its first ZXCVBN_MAX characters."""
    check = _zxcvbn()
    inputs = _words([*SITE_WORDS, *user_inputs])
    with _lock:
        return float(check(password[:ZXCVBN_MAX], user_inputs=sorted(inputs))["guesses_log10"])


def _personal_words(email: str, name: str) -> list[str]:
    local, _, domain = email.partition("@")
    return [w for w in (local, *domain.split(".")[:-1], name) if len(w) >= 3]


def password_problem(password: str, *, email: str = "", name: str = "", words: Iterable[str] = ()) -> str | None:
    """A short machine code for what is wrong with the password, or None when it is acceptable.

    Codes: "too_short", "too_long", "too_common" (on the shipped list, or hardly any different characters),
    "personal" (the e-mail address or the name), "guessable" (fewer than 10^MIN_GUESSES_LOG10 guesses by zxcvbn
    with the person's and the site's words). `words` are further site words (the agencies' names and slugs).
    """
    if len(password) < MIN_LENGTH:
        return "too_short"
    if len(password) > MAX_LENGTH:
        return "too_long"
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) < 4:
        return "too_common"
    local = email.split("@")[0].lower()
    compact = "".join(lowered.split())  # "Budi Santoso" and "budisantoso" are the same password here
    if (local and len(local) >= 4 and local in lowered) or (name and "".join(name.lower().split()) == compact):
        return "personal"
    if strength(password, [*_personal_words(email, name), *words]) < MIN_GUESSES_LOG10:
        return "guessable"
    return None
