"""Atom 1.0 feeds (consult/monitoring/atom.py), checked with the standard library and with feedparser."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import feedparser
import pytest

from consult.monitoring.atom import Entry, build_feed, rfc3339, tag_uri

A = "{http://www.w3.org/2005/Atom}"
SITE = "https://konsultasi.contoh.go.id"


def entry(n, **changes):
    values = {
        "id": tag_uri("konsultasi.contoh.go.id", 2026, f"round/{n}"),
        "title": f"Konsultasi {n}: Standar Pelayanan KTP-el",
        "updated": dt.datetime(2026, 11, n, 8, 30, 15, 123456),
        "link": f"{SITE}/rounds/{n}",
        "summary": "Dibuka sampai 30 November 2026.",
    }
    values.update(changes)
    return Entry(**values)


def feed(entries, **kwargs):
    args = {
        "feed_id": tag_uri("konsultasi.contoh.go.id", 2026, "feeds/rounds"),
        "title": "Konsultasi terbuka",
        "self_url": f"{SITE}/feeds/rounds.atom",
        "alternate_url": f"{SITE}/",
        "entries": entries,
    }
    args.update(kwargs)
    return build_feed(**args)


def test_a_feed_parses_with_the_standard_library_and_has_every_required_element():
    xml = feed([entry(2), entry(1)])
    assert xml.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ET.fromstring(xml)  # noqa: S314 -- our own output, parsed to check it
    assert root.tag == f"{A}feed"
    assert root.find(f"{A}id").text == "tag:konsultasi.contoh.go.id,2026:feeds/rounds"
    assert root.find(f"{A}updated").text == "2026-11-02T08:30:15Z"  # the newest entry's
    assert root.find(f"{A}author/{A}name").text == "consult"
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{A}link")}
    assert links == {"self": f"{SITE}/feeds/rounds.atom", "alternate": f"{SITE}/"}
    entries = root.findall(f"{A}entry")
    assert [e.find(f"{A}id").text for e in entries] == [
        "tag:konsultasi.contoh.go.id,2026:round/2",
        "tag:konsultasi.contoh.go.id,2026:round/1",
    ]
    first = entries[0]
    assert first.find(f"{A}title").text == "Konsultasi 2: Standar Pelayanan KTP-el"
    assert first.find(f"{A}link").get("href") == f"{SITE}/rounds/2"
    assert first.find(f"{A}summary").text == "Dibuka sampai 30 November 2026."


def test_feedparser_reads_the_feed_as_atom_1_0_without_complaint():
    parsed = feedparser.parse(
        feed([entry(3, author="Moderator-7KQ2M", category="hide", published=dt.datetime(2026, 11, 1))])
    )
    assert parsed.bozo is False, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Konsultasi terbuka"
    [item] = parsed.entries
    assert item.id == "tag:konsultasi.contoh.go.id,2026:round/3"
    assert item.link == f"{SITE}/rounds/3"
    assert item.author == "Moderator-7KQ2M"
    assert item.tags[0].term == "hide"
    assert item.updated_parsed[:6] == (2026, 11, 3, 8, 30, 15)
    assert item.published_parsed[:3] == (2026, 11, 1)


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "]]></summary><entry>",
        "&nbsp; &amp;",
        '"><img src=x onerror=alert(1)>',
        "a\x00b\x0bc\x1f",
    ],
)
def test_hostile_titles_and_summaries_stay_text(hostile):
    xml = feed([entry(4, title=hostile, summary=hostile, author=hostile, category=hostile)], title=hostile)
    root = ET.fromstring(xml)  # noqa: S314 -- our own output, parsed to check it
    clean = hostile.replace("\x00", "").replace("\x0b", "").replace("\x1f", "")
    [item] = root.findall(f"{A}entry")
    assert item.find(f"{A}title").text == clean
    assert item.find(f"{A}summary").text == clean
    assert root.find(f"{A}title").text == clean
    assert b"<script" not in xml and b"<img" not in xml
    parsed = feedparser.parse(xml)
    assert parsed.bozo is False
    assert parsed.entries[0].title == clean  # type="text": a reader shows it, never runs it


def test_times_are_utc_with_seconds_and_z():
    assert rfc3339(dt.datetime(2026, 1, 2, 3, 4, 5, 999999)) == "2026-01-02T03:04:05Z"
    wib = dt.timezone(dt.timedelta(hours=7))
    assert rfc3339(dt.datetime(2026, 1, 2, 10, 0, tzinfo=wib)) == "2026-01-02T03:00:00Z"


def test_a_feed_without_entries_needs_its_updated_time():
    with pytest.raises(ValueError, match="explicit updated time"):
        feed([])
    root = ET.fromstring(feed([], updated=dt.datetime(2026, 5, 1)))  # noqa: S314 -- our own output
    assert root.find(f"{A}updated").text == "2026-05-01T00:00:00Z" and root.findall(f"{A}entry") == []
    assert feedparser.parse(feed([], updated=dt.datetime(2026, 5, 1))).bozo is False


def test_an_entry_without_a_link_is_refused():
    with pytest.raises(ValueError, match="needs a link"):
        feed([entry(1, link="")])


def test_tag_uris_follow_rfc_4151():
    assert tag_uri("Konsultasi.Contoh.go.id", dt.date(2026, 3, 1), "moderation/55") == (
        "tag:konsultasi.contoh.go.id,2026:moderation/55"
    )
    for bad in [("user@example.org", 2026, "x"), ("contoh.go.id", 26, "x"), ("contoh.go.id", 2026, "a b")]:
        with pytest.raises(ValueError, match="tag URI"):
            tag_uri(*bad)
