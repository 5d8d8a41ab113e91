"""The public opinion-groups page of a round: /rounds/<id>/pendapat (?bagian=<section key> for one section).

It reads the stored result and never computes (the scheduled job and the commands do). For anonymous readers
it is served from consult.pagecache, keyed by what it shows: the round's public_revision (moved by every vote,
comment and moderation decision, so a comment hidden after the computation drops off at once), its state and
times, and when each stored result of the round was computed (the job's new result is a new key).
"""

from __future__ import annotations

import json

from flask import Blueprint, render_template, request
from flask_babel import format_number
from flask_babel import gettext as _

from consult import pagecache
from consult.deliberation import queries, services
from consult.deliberation.opinion_map import PATH_STYLE, legend_path, render_opinion_map
from consult.deliberation.opinion_page import build_view, map_points, referenced_comment_ids
from consult.participation.pages import sections_of
from consult.rounds.models import RoundState

bp = Blueprint("deliberation", __name__)


def _render(rnd, section, key: str, index: list[queries.StoredResult]):
    entry = next((r for r in index if r.section_key == key), None)
    sections = sections_of(rnd)
    # the selector: the whole round, and every section that has a result of its own (and the one asked for)
    with_result = {r.section_key for r in index if r.k > 0}
    choices = [s for s in sections if s.key in with_result or (section is not None and s.id == section.id)]
    context = {
        "round": rnd,
        "section": section,
        "sections": sections,
        "choices": choices,
        "entry": entry,
        "final": services.is_final(rnd, entry),
        "closed": rnd.state == RoundState.CLOSED,
        "view": None,
        "map": None,
        "texts": {},
        "section_titles": {s.id: s.title for s in sections},
        "markers": {},
        "number": format_number,
    }
    stored = queries.stored_json(rnd.id, key) if entry is not None and entry.k > 0 else None
    if stored is not None:
        contract, detail = json.loads(stored[0]), json.loads(stored[1])
        texts = queries.visible_comments(rnd.id, referenced_comment_ids(detail))
        view = build_view(detail, texts.keys(), {cid: c.campaign_id for cid, c in texts.items()})
        points, slots = map_points(contract.get("participants") or [])
        letters = ", ".join(g.letter for g in view.groups)
        title = _("Map of the opinion groups")
        desc = _(
            "%(n)s participants in %(k)s groups (%(letters)s); each group has its own colour and shape. "
            "Participants close together voted alike.",
            n=len(points),
            k=view.k,
            letters=letters,
        )
        slots = max(slots, max((g.group for g in view.groups), default=-1) + 1)
        context.update(
            view=view,
            texts=texts,
            map=render_opinion_map(points, slots, title=title, desc=desc),
            map_title=title,
            map_desc=desc,
            markers={g.group: (legend_path(g.group), g.colour) for g in view.groups},
            path_style=PATH_STYLE,
        )
    return render_template("deliberation/opinion.html", **context)


@bp.get("/rounds/<int:round_id>/pendapat")
def opinion(round_id: int):
    rnd = services.get_round(round_id)
    key = request.args.get("bagian") or ""
    section = services.section_of(rnd, key)  # 404 for a key the round's document does not have
    index = queries.opinion_index(rnd.id)
    if not pagecache.anonymous_reader():
        return _render(rnd, section, key, index)
    shown = (rnd.id, rnd.public_revision, str(rnd.state), rnd.title, rnd.opens_at, rnd.closes_at, rnd.closed_at)
    results = tuple((r.section_key, r.computed_at, r.k) for r in index)
    scan = services.campaign_scan(rnd.id)  # copies of one campaign are shown once: a new scan changes the page
    results += (scan.computed_at if scan else None,)
    return pagecache.serve(("opinion", *shown, key, results), lambda: _render(rnd, section, key, index))
