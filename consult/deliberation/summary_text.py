"""The summary's overview, drafted from its figures (pure: no database, no request).

The draft is stored content, not interface text: it is written in Indonesian, the language of the agency's
official minutes, whatever language the staff member who opens the draft uses. Staff edit it before
publishing; it only saves them from a blank page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CHANNEL_WORDS = {
    "web": "situs web",
    "counter": "loket layanan",
    "paper": "surat/formulir kertas",
    "phone": "telepon",
    "forum": "forum publik",
}


def number_id(value: int) -> str:
    """1234 → "1.234" (Indonesian digit grouping)."""
    return f"{value:,}".replace(",", ".")


def draft_overview(round_title: str, agency_name: str, figures: Mapping[str, Any]) -> str:
    """An Indonesian paragraph or three (Markdown subset) from summary_for()'s figures."""
    p = figures["participation"]
    lines = [
        f"Konsultasi publik “{round_title}” oleh {agency_name} diikuti oleh {number_id(p['participants'])} orang, "
        f"dengan {number_id(p['comments'])} komentar, {number_id(p['votes'])} suara atas komentar, "
        f"dan {number_id(p['stances'])} sikap terhadap bagian dokumen."
    ]
    channels = [
        f"{CHANNEL_WORDS.get(name, name)} {number_id(n)}" for name, n in p["by_channel"].items() if n and name != "web"
    ]
    if channels:
        lines.append(
            "Selain melalui situs web, masukan juga diterima lewat " + ", ".join(channels) + " (dicatat oleh petugas)."
        )
    campaigns = figures.get("campaigns") or []
    if campaigns:
        biggest = campaigns[0]["size"]
        lines.append(
            f"Terdapat {number_id(len(campaigns))} kampanye komentar hampir identik; yang terbesar berisi "
            f"{number_id(biggest)} komentar. Setiap kampanye dihitung satu kali dalam tema."
        )
    themes = figures.get("themes") or []
    if themes:
        named = ", ".join(f"“{t['title']}”" for t in themes[:5])
        lines.append(f"Masukan dikelompokkan ke dalam {number_id(len(themes))} tema, antara lain {named}.")
    hidden = p.get("hidden", 0)
    if hidden:
        lines.append(
            f"{number_id(hidden)} komentar disembunyikan oleh moderator karena melanggar tata tertib; "
            "komentar itu dihitung, tetapi tidak ditampilkan."
        )
    return "\n\n".join(lines)
