"""Public statistics for monitors: GET /rounds/<id>/statistik and GET /instansi/<slug>/statistik.

Participation over time, by section (or round), by channel, stances, moderation actions by rule and how long
reports waited: each as a server-rendered SVG chart (consult.monitoring.charts) with the same figures in a table,
readable on a 360 px phone and without JavaScript. Counts only: no comment text. The figures come from
consult.monitoring.statistics in a constant number of queries.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, render_template
from flask_babel import format_date, format_number
from flask_babel import gettext as _

from consult.agencies.services import get_agency
from consult.deliberation.services.summary import CHANNEL_LABELS
from consult.i18n import lazy_gettext as _l
from consult.monitoring import statistics, stats_math
from consult.monitoring.charts import Chart, Table, bar_chart, stance_bars, table_html, trend_chart
from consult.rounds.services import get_round

bp = Blueprint("statistics", __name__)

ACTION_LABELS = {
    "hide": _l("Hidden"),
    "auto_hide": _l("Hidden automatically"),
    "restore": _l("Restored"),
    "dismiss": _l("Reports dismissed"),
    "appeal_upheld": _l("Appeal upheld"),
    "appeal_rejected": _l("Appeal rejected"),
    "block": _l("Blocked"),
    "unblock": _l("Block lifted"),
}
BAND_LABELS = {
    "lt1h": _l("Under 1 hour"),
    "1-6h": _l("1 to 6 hours"),
    "6-24h": _l("6 to 24 hours"),
    "24-48h": _l("24 to 48 hours"),
    "gt48h": _l("48 hours or more"),
}


def duration(minutes: float | None) -> str:
    """A waiting time as people say it: "35 menit", "5 jam 20 menit", "2 hari 3 jam"; "–" for none."""
    if minutes is None:
        return "–"
    days, hours, mins = stats_math.split_minutes(minutes)
    if days:
        return _("%(d)s d %(h)s h", d=days, h=hours)
    if hours:
        return _("%(h)s h %(m)s min", h=hours, m=mins)
    return _("%(m)s min", m=mins)


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}".replace(".", ",") + " %"


def _period(start: dt.date, unit: str, *, short: bool) -> str:
    if unit == "month":
        return format_date(start, "MMM yyyy")
    return format_date(start, "d MMM" if short else "d MMM yyyy")


def _over_time(series: stats_math.Series) -> dict:
    """The column chart of comments and replies per period, and its table with the two apart."""
    unit = series.unit
    heading = {"day": _("Day"), "week": _("Week from"), "month": _("Month")}[unit]
    per = {"day": _("per day"), "week": _("per week"), "month": _("per month")}[unit]
    chart = trend_chart(
        [(_period(start, unit, short=True), float(c + r)) for start, (c, r) in series.points],
        title=_("Comments and replies %(per)s", per=per),
        desc=_("How many comments and replies were posted in each period; the table below gives the numbers."),
        chart_id="over-time",
        kind="column",
        heading=heading,
        value_heading=_("Comments and replies"),
    )
    table = Table(
        _("Comments and replies %(per)s", per=per),
        [heading, _("Comments"), _("Replies")],
        [[_period(start, unit, short=False), c, r] for start, (c, r) in series.points],
    )
    return {"chart": chart, "chart_table": table_html(table)}


def _bars(items, *, title: str, desc: str, chart_id: str, heading: str, value_heading: str) -> dict:
    chart: Chart = bar_chart(
        [(str(label), float(n)) for label, n in items],
        title=title,
        desc=desc,
        chart_id=chart_id,
        heading=heading,
        value_heading=value_heading,
    )
    return {"chart": chart, "chart_table": table_html(chart.table)}


def _rule_label(rule: statistics.RuleCount) -> str:
    if rule.number is None:
        return _("No rule cited")
    return _("Rule %(n)s: %(title)s", n=rule.number, title=rule.title or "")


def _common_charts(figures: statistics.Statistics) -> dict:
    channels = [(CHANNEL_LABELS.get(key, key), n) for key, n in figures.by_channel.items() if n or key == "web"]
    reports = figures.reports
    return {
        "over_time": _over_time(figures.over_time),
        "channels": _bars(
            channels,
            title=_("Comments by channel"),
            desc=_("Where the comments came from: the website, or entered by staff from a counter, paper or phone."),
            chart_id="channels",
            heading=_("Channel"),
            value_heading=_("Comments"),
        ),
        "rules": _bars(
            [(_rule_label(r), r.actions) for r in figures.by_rule],
            title=_("Moderation actions by house rule"),
            desc=_("How many moderation actions cited each house rule."),
            chart_id="rules",
            heading=_("House rule"),
            value_heading=_("Actions"),
        )
        if figures.by_rule
        else None,
        "actions": _bars(
            [(ACTION_LABELS.get(a, a), n) for a, n in sorted(figures.by_action.items(), key=lambda x: -x[1])],
            title=_("Moderation actions by kind"),
            desc=_("How many moderation actions of each kind the public log holds."),
            chart_id="actions",
            heading=_("Action"),
            value_heading=_("Number"),
        )
        if figures.by_action
        else None,
        "bands": _bars(
            [(BAND_LABELS[key], n) for key, n in reports.bands],
            title=_("Time from report to handling"),
            desc=_("How long handled reports waited for a moderator's decision, in bands."),
            chart_id="bands",
            heading=_("Waited"),
            value_heading=_("Reports"),
        )
        if reports and reports.handled
        else None,
    }


def _render(template: str, **context):
    return render_template(template, number=format_number, duration=duration, percent=percent, **context)


@bp.get("/rounds/<int:round_id>/statistik")
def round_statistics(round_id: int):
    rnd = get_round(round_id)
    stats = statistics.round_statistics(rnd)
    charts = _common_charts(stats.figures)
    whole = _("The whole document")
    charts["sections"] = _bars(
        [(row.title or whole, row.comments) for row in stats.sections if row.key or row.comments],
        title=_("Comments by section"),
        desc=_("How many comments and replies each section of the document received."),
        chart_id="sections",
        heading=_("Section"),
        value_heading=_("Comments"),
    )
    stances = stance_bars(
        [(row.title, row.support, row.neutral, row.oppose) for row in stats.sections if row.key],
        title=_("Stances per section"),
        desc=_("Support, neutral and oppose per section of the document, as the table below says in numbers."),
        labels=(_("Support"), _("Neutral"), _("Oppose")),
        empty=_("No stances yet"),
        heading=_("Section"),
    )
    charts["stances"] = {"chart": stances, "chart_table": table_html(stances.table)}
    return _render("monitoring/round_statistics.html", round=rnd, stats=stats, figures=stats.figures, charts=charts)


@bp.get("/instansi/<slug>/statistik")
def agency_statistics(slug: str):
    agency = get_agency(slug)
    stats = statistics.agency_statistics(agency)
    charts = _common_charts(stats.figures)
    stances = stance_bars(
        [(row.round.title, row.support, row.neutral, row.oppose) for row in stats.rounds],
        title=_("Stances per consultation"),
        desc=_("Support, neutral and oppose summed over the sections of each consultation."),
        chart_id="stances",
        labels=(_("Support"), _("Neutral"), _("Oppose")),
        empty=_("No stances yet"),
        heading=_("Consultation"),
    )
    charts["stances"] = {"chart": stances, "chart_table": table_html(stances.table)}
    return _render(
        "monitoring/agency_statistics.html", agency=agency, stats=stats, figures=stats.figures, charts=charts
    )
