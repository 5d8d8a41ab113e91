"""An agency's public report card: GET /instansi/<slug>/rapor, the page a journalist or a monitor cites.

Per service: the commitments in force, complaints received, answered on time, overdue and disputed, the
satisfaction index (IKM) with its number of responses and a warning below the regulation's minimum sample, its
trend per quarter as an SVG chart with the same figures in a table, and the charter versions with the
consultations they came from. Aggregates only (consult.accountability.services.report_card): a constant number
of queries whatever the number of complaints and responses. In monitoring because the chart is monitoring's.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _

from consult.accountability.services import report_card as cards
from consult.agencies.services import get_agency
from consult.monitoring.charts import table_html, trend_chart

bp = Blueprint("report_card", __name__)


def _quarter(q) -> str:
    """A quarter as the page writes it, the Indonesian way: "2026 T3" (triwulan), not the API's "2026-Q3"."""
    return str(q).replace("-Q", " T")


@bp.get("/instansi/<slug>/rapor")
def report_card_page(slug: str):
    agency = get_agency(slug)
    card = cards.report_card(agency)
    charts, tables = {}, {}
    for n, row in enumerate(card.services):
        chart = trend_chart(
            [(_quarter(q), float(r.index) if r.index is not None else None) for q, r in row.trend],
            title=_("Satisfaction index per quarter: %(service)s", service=row.service.name),
            desc=_(
                "The satisfaction index (25–100) of each of the last eight quarters; "
                "a gap is a quarter without responses."
            ),
            chart_id=f"ikm-{n}",
            kind="line",
            y_max=100,
            heading=_("Quarter"),
            value_heading=_("Index"),
        )
        charts[row.service.id], tables[row.service.id] = chart, table_html(chart.table)
    period = [_quarter(q) for q in card.period]
    return render_template(
        "accountability/report_card.html", agency=agency, card=card, charts=charts, tables=tables, period=period
    )
