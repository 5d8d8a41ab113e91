"""Measurable commitments of an adopted service standard (standar pelayanan, Law 25/2009 art. 21) (pure).

Each commitment is one promise a citizen can hold the agency to, with the section it comes from:

    {"section_key", "measure", "kind": "days"|"rupiah"|"text", "value", "unit", "text"}

- measure "completion_time" (section jangka-waktu) and "complaint_response_time" (penanganan-pengaduan):
  kind "days", value an int, unit "working_days" ("hari kerja"), "calendar_days" ("hari kalender",
  "1 x 24 jam", weeks) or "days" when the text says only "hari" and so leaves it open. A duration that is not
  whole days ("60 menit", "2 jam", "1 bulan") is kind "text" with the duration as written ("60 menit").
- measure "cost" (biaya-tarif): kind "rupiah", value an int ("Rp 50.000,00", "Rp. 25.000,-", "Rp 1,5 juta";
  "gratis", "tidak dipungut biaya", "Rp 0" → 0), unit "rupiah". Amounts repeated within one sentence ("Rp 0
  (gratis)") count once.
- measure "requirements" (persyaratan): kind "text", value the list of requirements (the list items, or the
  sentences when the text has no list).
- measure "opening_hours" (any section): kind "text", value such as "Senin–Jumat 08.00–15.00 WIB".
- measure "complaint_channel" (penanganan-pengaduan): kind "text", value the list of channels found (SP4N-LAPOR!,
  telephone and WhatsApp numbers, e-mail addresses, web addresses, counters and boxes).
- measure "service_guarantee" (jaminan-pelayanan): kind "text", value the guarantee as written.

"text" is the sentence or list item the commitment was read from, without Markdown marks (at most 300
characters, except the requirements, whose text is the whole list). "unit" and "measure" go beyond the
CONTRACT's measure {"kind", "value"}: they say what a commitment is about and how its days are counted.
Numbers may be digits or Indonesian words up to 199 ("tiga", "dua belas", "dua puluh satu", "seratus").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

_UNITS = {
    "nol": 0, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8,
    "sembilan": 9, "sepuluh": 10, "sebelas": 11,
}  # fmt: skip
_NUMBER_WORD = r"(?:nol|satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|sebelas|belas|puluh|seratus)"
_NUMBER = rf"(?P<num>\d+|{_NUMBER_WORD}(?:\s+{_NUMBER_WORD})*)"
_PAREN = r"(?:\s*\([^)]{1,40}\))?"
_DURATION = re.compile(
    rf"\b{_NUMBER}{_PAREN}\s*(?P<unit>hari\s+kerja|hari\s+kalender|hari|jam|menit|minggu|pekan|bulan)\b"
    r"|\b(?P<times>\d+)\s*[x×]\s*24\s*jam\b"
    r"|\bse(?P<one>hari|minggu|pekan|bulan|jam)\b(?!-)",
    re.IGNORECASE,
)
_FREE = re.compile(
    r"\b(?:gratis|cuma-cuma|tanpa\s+(?:dipungut\s+)?biaya|bebas\s+biaya|tidak\s+(?:di)?(?:pungut|kenakan|"
    r"dipungut|dikenakan|ada|dibebankan)\s+biaya|tidak\s+dipungut|biaya\s*:?\s*nihil|nihil)\b",
    re.IGNORECASE,
)
_RUPIAH = re.compile(
    r"\brp\.?\s*(?P<int>\d{1,3}(?:\.\d{3})+|\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:,(?P<dec>\d{1,2})(?!\d))?"
    r"(?:\s*(?P<mult>ribu|juta))?"
    r"|\b(?P<int2>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?P<dec2>\d{1,2}))?\s*(?P<mult2>ribu|juta)?\s*rupiah\b",
    re.IGNORECASE,
)
_DAY = r"(?:senin|selasa|rabu|kamis|jum'?at|sabtu|minggu)"
_TO = r"\s*(?:-|–|—|s\.?\s*/\s*d\.?|sampai(?:\s+dengan)?|hingga)\s*"
_HOURS = re.compile(
    rf"(?:(?P<d1>{_DAY})(?:{_TO}(?P<d2>{_DAY}))?\s*[,:]?\s*)?(?:pukul|jam)?\s*"
    rf"(?P<t1>\d{{1,2}})[.:](?P<m1>\d{{2}}){_TO}(?P<t2>\d{{1,2}})[.:](?P<m2>\d{{2}})\s*(?P<zone>WIB|WITA|WIT)?",
    re.IGNORECASE,
)
_CHANNELS = (
    re.compile(r"sp4n[\s-]*lapor!?|\blapor!", re.IGNORECASE),
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE),
    re.compile(
        r"\b(?:https?://|www\.)[^\s,;)]*[^\s,;).]|\b[\w-]+(?:\.[\w-]+)*\.(?:go\.id|id|com|org)(?:/[^\s,;)]*)?\b"
    ),
    re.compile(r"(?<![\d.,])(?:\+62[\s-]?|\(?0)\d{2,4}\)?(?:[\s.-]?\d{2,5}){1,3}\b"),
    re.compile(
        r"\b(?:kotak|loket|meja|ruang|pos)\s+(?:saran|pengaduan)(?:\s+dan\s+(?:saran|pengaduan))?", re.IGNORECASE
    ),
)
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,2}[.)]|[a-zA-Z][.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z(])")
TEXT_LIMIT = 300


def parse_number(text: str) -> int | None:
    """Digits or Indonesian number words ("dua puluh satu" → 21); None if not a number."""
    text = text.strip().lower()
    if text.isdigit():
        return int(text)
    total = current = 0
    for word in text.split():
        if word == "seratus":
            total += 100
        elif word in _UNITS:
            current += _UNITS[word]
        elif word == "belas" and 1 <= current <= 9:
            current += 10
        elif word == "puluh" and 1 <= current <= 9:
            total, current = total + current * 10, 0
        else:
            return None
    return total + current


def parse_rupiah(integer: str, decimals: str | None = None, multiplier: str | None = None) -> int:
    """An amount as written in Indonesian ("50.000" and ",00"; "1" and ",5" with "juta") → whole rupiah."""
    amount = Fraction(int(integer.replace(".", "").replace(",", "")))
    if decimals:
        amount += Fraction(int(decimals), 10 ** len(decimals))
    amount *= {"ribu": 1_000, "juta": 1_000_000}.get((multiplier or "").lower(), 1)
    return int(amount + Fraction(1, 2))  # sen rounded half up (Rp 7.500,50 → 7,501)


def clean(text: str) -> str:
    """A line without Markdown marks: list markers, headings, emphasis, links (their text kept)."""
    text = _LIST_ITEM.sub("", text)
    text = re.sub(r"^\s*#+\s*", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__|\*|_|`)(.+?)\1", r"\2", text)
    return " ".join(text.split())


def _short(text: str) -> str:
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1].rstrip() + "…"


def sentences(body: str) -> list[str]:
    """Lines (list items) and, within them, sentences, cleaned; empty ones dropped."""
    out = []
    for line in body.splitlines():
        for part in _SENTENCE_END.split(clean(line)):
            if part.strip():
                out.append(part.strip())
    return out


def _section_rows(sections: Iterable[Any]) -> list[tuple[str, str]]:
    rows = []
    for section in sections:
        if isinstance(section, Mapping):
            rows.append((section["key"], section.get("body") or ""))
        elif isinstance(section, tuple | list):
            rows.append((section[0], section[1] or ""))
        else:
            rows.append((section.key, section.body or ""))
    return rows


def extract_commitments(sections: Iterable[Any]) -> list[dict[str, Any]]:
    """Every measurable commitment of a service standard's sections, in section order.

    `sections`: (key, body) pairs, or mappings/objects with "key" and "body" (Section models qualify).
    """
    found: list[dict[str, Any]] = []
    for key, body in _section_rows(sections):
        if key == "jangka-waktu":
            found += _durations(key, body, "completion_time")
        elif key == "biaya-tarif":
            found += _costs(key, body)
        elif key == "persyaratan":
            found += _requirements(key, body)
        elif key == "penanganan-pengaduan":
            found += _channels(key, body)
            found += _durations(key, body, "complaint_response_time")
        elif key == "jaminan-pelayanan" and body.strip():
            text = " ".join(sentences(body))
            found.append(_item(key, "service_guarantee", "text", text, None, _short(text)))
        found += _hours(key, body)
    return found


def _item(key: str, measure: str, kind: str, value: Any, unit: str | None, text: str) -> dict[str, Any]:
    return {"section_key": key, "measure": measure, "kind": kind, "value": value, "unit": unit, "text": text}


def _durations(key: str, body: str, measure: str) -> list[dict[str, Any]]:
    out = []
    for sentence in sentences(body):
        for match in _DURATION.finditer(_HOURS.sub(" ", sentence)):  # opening hours are not durations
            value, unit, written = _duration(match)
            if value is None:
                continue
            if unit is None:
                out.append(_item(key, measure, "text", written, None, _short(sentence)))
            else:
                out.append(_item(key, measure, "days", value, unit, _short(sentence)))
    return out


def _duration(match: re.Match[str]) -> tuple[int | None, str | None, str]:
    """(days, unit, as written); unit None when the duration is not whole days; days None if no number."""
    written = " ".join(match.group(0).split())
    if match.group("times"):
        return int(match.group("times")), "calendar_days", written
    if match.group("one"):
        amount, unit_word = 1, match.group("one").lower()
    else:
        amount = parse_number(match.group("num"))
        if amount is None:
            return None, None, written
        unit_word = " ".join(match.group("unit").lower().split())
    if unit_word == "hari kerja":
        return amount, "working_days", written
    if unit_word == "hari kalender":
        return amount, "calendar_days", written
    if unit_word == "hari":
        return amount, "days", written
    if unit_word in ("minggu", "pekan"):
        return amount * 7, "calendar_days", written
    if unit_word == "jam" and amount % 24 == 0 and amount:
        return amount // 24, "calendar_days", written
    return amount, None, written


def _costs(key: str, body: str) -> list[dict[str, Any]]:
    out = []
    for sentence in sentences(body):
        amounts: list[int] = []
        for match in _RUPIAH.finditer(sentence):
            if match.group("int") is not None:
                amounts.append(parse_rupiah(match.group("int"), match.group("dec"), match.group("mult")))
            else:
                amounts.append(parse_rupiah(match.group("int2"), match.group("dec2"), match.group("mult2")))
        if _FREE.search(sentence):
            amounts.append(0)
        for amount in dict.fromkeys(amounts):
            out.append(_item(key, "cost", "rupiah", amount, "rupiah", _short(sentence)))
    return out


def _requirements(key: str, body: str) -> list[dict[str, Any]]:
    lines = [line for line in body.splitlines() if line.strip()]
    listed = [clean(line) for line in lines if _LIST_ITEM.match(line)]
    if not listed:  # no list: the sentences, and the parts of a sentence separated by semicolons
        listed = [part for sentence in sentences(body) for part in sentence.split(";")]
    items = [item.strip().rstrip(";,.") for item in listed if item.strip().rstrip(";,.")]
    if not items:
        return []
    return [_item(key, "requirements", "text", items, None, "; ".join(items))]


def _channels(key: str, body: str) -> list[dict[str, Any]]:
    text = " ".join(sentences(body))
    channels: list[str] = []
    taken: list[tuple[int, int]] = []
    for pattern in _CHANNELS:
        for match in pattern.finditer(text):
            if any(start < match.end() and match.start() < end for start, end in taken):
                continue  # part of a channel already found (the domain of an e-mail address)
            taken.append(match.span())
            channels.append(match.group(0).strip())
    if not channels:
        return []
    return [_item(key, "complaint_channel", "text", list(dict.fromkeys(channels)), None, _short(text))]


def _hours(key: str, body: str) -> list[dict[str, Any]]:
    out = []
    for sentence in sentences(body):
        spans = []
        for match in _HOURS.finditer(sentence):
            days = ""
            if match.group("d1"):
                days = match.group("d1").capitalize()
                if match.group("d2"):
                    days += "–" + match.group("d2").capitalize()
            times = f"{int(match.group('t1')):02d}.{match.group('m1')}–{int(match.group('t2')):02d}.{match.group('m2')}"
            zone = (match.group("zone") or "").upper()
            spans.append(" ".join(part for part in (days, times, zone) if part))
        if spans:
            out.append(_item(key, "opening_hours", "text", "; ".join(spans), None, _short(sentence)))
    return out
