"""Time helpers: the database stores naive UTC; pages show the agency's local time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

UTC = dt.UTC


def utcnow() -> dt.datetime:
    """Now, as naive UTC (what every DateTime column holds)."""
    return dt.datetime.now(UTC).replace(tzinfo=None)


def to_utc_naive(value: dt.datetime, tz: str = "Asia/Jakarta") -> dt.datetime:
    """A datetime as naive UTC; naive input is read in the zone `tz`."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz))
    return value.astimezone(UTC).replace(tzinfo=None)


def parse_iso(text: str, tz: str = "Asia/Jakarta") -> dt.datetime:
    """Parse ISO 8601 (with or without offset, 'Z' allowed) into naive UTC."""
    return to_utc_naive(dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00")), tz)


def iso_utc(value: dt.datetime | None) -> str | None:
    """Naive UTC → ISO 8601 with an explicit +00:00 offset (the API's format)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC).isoformat()


def local(value: dt.datetime, tz: str = "Asia/Jakarta") -> dt.datetime:
    """Naive UTC → aware local time in `tz`."""
    return value.replace(tzinfo=UTC).astimezone(ZoneInfo(tz))
