"""Atom 1.0 feeds (RFC 4287) built with ElementTree (pure): /feeds/rounds.atom, /feeds/moderation.atom,
/rounds/{id}/feed.atom.

Ids are tag: URIs (RFC 4151), e.g. tag:consult.example.go.id,2026:round/12, so an entry keeps its id when the
site moves to another address. Times are RFC 3339 in UTC ("2026-11-23T10:00:00Z"); naive datetimes are UTC,
as the database stores them. Titles and summaries are plain text (type="text"): ElementTree escapes them, and
consult.monitoring.xmltext removes the characters XML cannot hold, so user text cannot break the feed.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass

from consult.monitoring.xmltext import xml_safe

ATOM = "http://www.w3.org/2005/Atom"
# Foreign markup (RFC 4287 section 6): the signed audit head at the moment the feed was written, so a monitor's
# feed reader keeps signed heads without asking the API (docs/VERIFY.md).
AUDIT_NS = "urn:x-consult:audit:1"
HEAD_FIELDS = ("seq", "hash", "at", "signature", "key_id")


@dataclass(frozen=True)
class Entry:
    id: str  # a tag: URI (tag_uri())
    title: str
    updated: dt.datetime
    link: str  # the page the entry is about (absolute URL)
    summary: str = ""
    published: dt.datetime | None = None
    author: str | None = None  # a public name or pseudonym only, never an e-mail address
    category: str | None = None  # e.g. the moderation action ("hide", "restore")


_TAG_AUTHORITY = re.compile(r"^[A-Za-z0-9.-]+$")


def tag_uri(authority: str, year: int | dt.date, specific: str) -> str:
    """tag:<authority>,<year>:<specific> (RFC 4151), e.g. tag_uri("consult.example.go.id", 2026, "round/12").

    The authority is the site's domain name and the year one in which the site held it; both must never
    change for a feed, or readers see every entry again as new."""
    if not _TAG_AUTHORITY.match(authority):
        raise ValueError(f"a tag URI authority is a domain name, not {authority!r}")
    year_text = str(year.year if isinstance(year, dt.date) else year)
    if not re.fullmatch(r"\d{4}", year_text):
        raise ValueError(f"a tag URI date is a year of 4 digits, not {year!r}")
    if not specific or re.search(r"[\s#]", specific):
        raise ValueError(f"the specific part of a tag URI has no spaces or '#': {specific!r}")
    return f"tag:{authority.lower()},{year_text}:{specific}"


def rfc3339(value: dt.datetime) -> str:
    """UTC, seconds precision, "Z": what every feed reader parses."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat() + "Z"


def build_feed(
    *,
    feed_id: str,
    title: str,
    self_url: str,
    entries: Iterable[Entry],
    updated: dt.datetime | None = None,
    alternate_url: str | None = None,
    subtitle: str | None = None,
    author: str = "consult",
    language: str = "id",
    audit_head: dict | None = None,
) -> bytes:
    """The feed as UTF-8 XML bytes (serve as application/atom+xml).

    `updated` defaults to the newest entry's (or, with no entries, must be given: a feed without entries
    still has an updated time, for example the round's creation). Entries are written in the order given
    (newest first by convention). Raises ValueError for an entry without an id, title or link. `audit_head`
    ({"seq", "hash", "at", "signature", "key_id"}) becomes <audit:head …/> in the urn:x-consult:audit:1 namespace.
    """
    items = list(entries)
    if updated is None:
        if not items:
            raise ValueError("a feed without entries needs an explicit updated time")
        updated = max(entry.updated for entry in items)
    ET.register_namespace("", ATOM)
    ET.register_namespace("audit", AUDIT_NS)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": language})
    _child(feed, "id", feed_id)
    _child(feed, "title", title, type="text")
    if subtitle:
        _child(feed, "subtitle", subtitle, type="text")
    _child(feed, "updated", rfc3339(updated))
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "href": xml_safe(self_url), "type": "application/atom+xml"})
    if alternate_url:
        ET.SubElement(
            feed, f"{{{ATOM}}}link", {"rel": "alternate", "href": xml_safe(alternate_url), "type": "text/html"}
        )
    _child(ET.SubElement(feed, f"{{{ATOM}}}author"), "name", author)
    _child(feed, "generator", "consult")
    if audit_head is not None:
        attrs = {name: xml_safe(str(audit_head[name])) for name in HEAD_FIELDS if audit_head.get(name) is not None}
        ET.SubElement(feed, f"{{{AUDIT_NS}}}head", attrs)
    for entry in items:
        for name in ("id", "title", "link"):
            if not getattr(entry, name):
                raise ValueError(f"an Atom entry needs a {name}: {entry!r}")
        element = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _child(element, "id", entry.id)
        _child(element, "title", entry.title, type="text")
        _child(element, "updated", rfc3339(entry.updated))
        if entry.published is not None:
            _child(element, "published", rfc3339(entry.published))
        ET.SubElement(
            element, f"{{{ATOM}}}link", {"rel": "alternate", "href": xml_safe(entry.link), "type": "text/html"}
        )
        if entry.author:
            _child(ET.SubElement(element, f"{{{ATOM}}}author"), "name", entry.author)
        if entry.category:
            ET.SubElement(element, f"{{{ATOM}}}category", {"term": xml_safe(entry.category)})
        if entry.summary:
            _child(element, "summary", entry.summary, type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _child(parent: ET.Element, name: str, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}", attrs)
    element.text = xml_safe(text)
    return element
