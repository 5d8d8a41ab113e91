"""Demo content for the consultation platform, in Indonesian, read from the Markdown files in demo_text/.

Everything there is fictional: "Kota Sukamaju" and its agency do not exist, and every phone number,
e-mail address and web address is a placeholder. The national laws cited are real and are named only
to make the drafts read like real documents. Writers edit the .md files; this module only reads them:

    agency.md             front matter (slug, name); the text is the agency's description
    house-rules.md        one "## title" per house rule, in the order of their numbers
    service-standard.md   front matter (title, service_name, summary); one "<!-- component: key -->" per
                          component of Law 25/2009 art. 21, in order
    policy.md, closed-policy.md   front matter (title, summary); the text is the draft, in Markdown
"""

from __future__ import annotations

import re
from importlib import resources

_COMPONENT = re.compile(r"^<!-- component: ([a-z-]+) -->\n", re.MULTILINE)


def _read(name: str) -> tuple[dict[str, str], str]:
    """(front matter as a dict, the text after it) of one file of demo_text/."""
    text = resources.files("consult").joinpath("demo_text", name).read_text("utf-8")
    meta: dict[str, str] = {}
    if text.startswith("---\n"):
        head, text = text[4:].split("\n---\n", 1)
        for line in head.splitlines():
            key, _, value = line.partition(":")
            meta[key.strip()] = value.strip()
    return meta, text.strip("\n")


def _house_rules() -> list[tuple[str, str]]:
    _, text = _read("house-rules.md")
    rules = []
    for block in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        title, _, body = block.partition("\n")
        rules.append((title.strip(), body.strip()))
    return rules


def _components(text: str) -> dict[str, str]:
    parts = _COMPONENT.split(text)
    return {key: body.strip("\n") for key, body in zip(parts[1::2], parts[2::2], strict=True)}


def _document(name: str) -> dict[str, str]:
    meta, text = _read(name)
    return {"title": meta["title"], "summary": meta["summary"], "markdown": text}


_agency_meta, _agency_text = _read("agency.md")
AGENCY = {"slug": _agency_meta["slug"], "name": _agency_meta["name"], "description": _agency_text}

# Aturan diskusi (house rules): the moderators cite them by number when they hide a comment.
HOUSE_RULES = _house_rules()

_standard_meta, _standard_text = _read("service-standard.md")
SERVICE_STANDARD = {
    "title": _standard_meta["title"],
    "service_name": _standard_meta["service_name"],
    "summary": _standard_meta["summary"],
    "components": _components(_standard_text),
}

POLICY = _document("policy.md")  # a draft city regulation: online population administration services
CLOSED_POLICY = _document("closed-policy.md")  # an earlier draft, for the round that has closed


def _open_round() -> dict:
    """Sample comments on the open round (open-round.md): statements with three groups' leanings, a form letter."""
    text = re.sub(
        r"<!--.*?-->",
        "",
        resources.files("consult").joinpath("demo_text", "open-round.md").read_text("utf-8"),
        flags=re.S,
    )
    statements: list[tuple[str, str, str]] = []  # (section key, leanings such as "+-0", text)
    campaign: dict = {}
    for block in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        head, _, body = block.partition("\n")
        if head.startswith("kampanye "):
            letter, _, extra = body.partition("### tambahan")
            copies = []
            for line in extra.strip().splitlines():
                greeting, _, closing = line.removeprefix("- ").partition("|")
                copies.append((greeting.strip(), closing.strip()))
            campaign = {"section": head.removeprefix("kampanye ").strip(), "letter": letter.strip(), "copies": copies}
            continue
        for line in body.strip().splitlines():
            match = re.match(r"- \[([+\-0]) ([+\-0]) ([+\-0])\] (.+)", line)
            if match:
                statements.append((head.strip(), "".join(match.groups()[:3]), match.group(4).strip()))
    return {"statements": statements, "campaign": campaign}


# Sample participation on the open round: enough votes for opinion groups, and one small campaign.
OPEN_ROUND = _open_round()


_TAGS = re.compile(r"^\{([a-z,\-]+)\} ")
_ASSISTED = re.compile(r"^\((loket|kertas|telepon|forum): ([^)]+)\) ")
_CHANNELS = {"loket": "counter", "kertas": "paper", "telepon": "phone", "forum": "forum"}


def _closed_round() -> dict:
    """The closed round's participation, themes and answers (closed-round.md)."""
    text = re.sub(
        r"<!--.*?-->",
        "",
        resources.files("consult").joinpath("demo_text", "closed-round.md").read_text("utf-8"),
        flags=re.S,
    )
    statements: list[dict] = []
    campaign: dict = {}
    themes: dict[str, dict[str, str]] = {}
    for block in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        head, _, body = block.partition("\n")
        if head.startswith("tema "):
            fields = dict(line.split(": ", 1) for line in body.strip().splitlines() if ": " in line)
            themes[head.removeprefix("tema ").strip()] = fields
            continue
        if head.startswith("kampanye "):
            section, _, tags = head.removeprefix("kampanye ").partition(" ")
            letter, _, extra = body.partition("### tambahan")
            copies = []
            for line in extra.strip().splitlines():
                greeting, _, closing = line.removeprefix("- ").partition("|")
                copies.append((greeting.strip(), closing.strip()))
            campaign = {
                "section": section,
                "themes": tags.strip("{} ").split(",") if tags else [],
                "letter": letter.strip(),
                "copies": copies,
            }
            continue
        for line in body.strip().splitlines():
            match = re.match(r"- \[([+\-0]) ([+\-0]) ([+\-0])\] (.+)", line)
            if not match:
                continue
            rest = match.group(4).strip()
            channel, place = "web", None
            if assisted := _ASSISTED.match(rest):
                channel, place = _CHANNELS[assisted.group(1)], assisted.group(2)
                rest = rest[assisted.end() :]
            tags: list[str] = []
            if tagged := _TAGS.match(rest):
                tags = tagged.group(1).split(",")
                rest = rest[tagged.end() :]
            statements.append(
                {
                    "section": head.strip(),
                    "leaning": "".join(match.groups()[:3]),
                    "channel": channel,
                    "place": place,
                    "themes": tags,
                    "text": rest,
                }
            )
    return {"statements": statements, "campaign": campaign, "themes": themes}


# The closed round: comments (some entered at a counter, on paper, by phone or at a forum), one campaign, and the
# themes with the agency's answers that its published summary shows.
CLOSED_ROUND = _closed_round()
