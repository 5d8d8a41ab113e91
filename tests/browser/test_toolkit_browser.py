"""The toolkit's HTML and SVG in Chromium at 360x640: the site's CSP enforced, axe-core clean, nothing wider
than the phone. The page is served by a route with the site's own Content-Security-Policy header."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from consult.documents.diff import diff_text, render_ops_html
from consult.monitoring.charts import bar_chart, opinion_map, stance_bars, table_html, trend_chart
from consult.web import CSP

pytestmark = pytest.mark.browser
CSS = (Path(__file__).resolve().parents[2] / "static" / "css" / "toolkit.css").read_text(encoding="utf-8")
HOSTILE = '<script>alert(1)</script>"onload="alert(2)'


def preview_html() -> str:
    rng = random.Random(3)
    charts = [
        stance_bars(
            [
                ("Persyaratan", 40, 5, 12),
                ("Jangka waktu pelayanan yang panjang sekali judulnya", 3, 3, 30),
                (HOSTILE, 0, 0, 0),
            ],
            title="Sikap per bagian",
            desc="Setuju, netral dan tidak setuju untuk setiap bagian",
            chart_id="stances",
        ),
        bar_chart(
            [("Web", 1200), ("Loket", 300), (HOSTILE, 4)], title="Komentar per saluran", desc="Jumlah", chart_id="bars"
        ),
        trend_chart(
            [("2025-Q4", 72.5), ("2026-Q1", None), ("2026-Q2", 80.12), ("2026-Q3", 88.4)],
            title="IKM per triwulan",
            desc="Indeks kepuasan masyarakat",
            chart_id="ikm",
            y_max=100,
        ),
        trend_chart(
            [(f"{d:02d}/11", rng.randint(0, 60)) for d in range(1, 31)],
            title="Partisipasi",
            desc="Per hari",
            kind="column",
            chart_id="days",
        ),
        opinion_map(
            [(rng.gauss(g * 3, 0.6), rng.gauss(g % 2, 0.6), g) for g in range(4) for _ in range(30)],
            ["Kelompok A", "Kelompok B", "Kelompok C", HOSTILE],
            title="Peta opini",
            desc="Peserta menurut kelompok opini",
            chart_id="map",
        ),
    ]
    diff = render_ops_html(
        diff_text("Selesai dalam 5 hari kerja. Biaya Rp 10.000.", "Selesai dalam 3 hari kerja. Gratis.")
    )
    body = "".join(f"<section><h2>{c.table.caption}</h2>{c.svg}{table_html(c.table)}</section>" for c in charts)
    return (
        '<!doctype html><html lang="id"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Pratinjau</title>'
        '<link rel="stylesheet" href="/toolkit-preview.css"></head>'
        f'<body><main><h1>Pratinjau</h1>{body}<h2>Perubahan</h2><div class="diff">{diff}</div></main></body></html>'
    )


def open_preview(page):
    html = preview_html()
    page.route(
        "**/toolkit-preview",
        lambda route: route.fulfill(body=html, content_type="text/html", headers={"Content-Security-Policy": CSP}),
    )
    page.route("**/toolkit-preview.css", lambda route: route.fulfill(body=CSS, content_type="text/css"))
    page.goto("/toolkit-preview")


def test_charts_and_the_diff_need_nothing_the_sites_csp_refuses(new_context):
    page = new_context(axe=False).new_page()
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    page.on("dialog", lambda dialog: messages.append("dialog: " + dialog.message))
    open_preview(page)
    page.wait_for_load_state("load")
    assert [m for m in messages if "Content Security Policy" in m or "Refused" in m or "dialog" in m] == []
    assert page.locator("svg.chart").count() == 5
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    for box in page.eval_on_selector_all("svg.chart", "els => els.map(e => e.getBoundingClientRect().width)"):
        assert 300 <= box <= 360
    assert page.locator("svg.chart >> text=<script>alert(1)</script>").count() >= 1  # shown as text
    assert page.locator("del .visually-hidden").first.inner_text() == "[dihapus]"


def test_charts_tables_and_the_diff_pass_axe(new_context, axe_check):
    page = new_context().new_page()
    open_preview(page)
    axe_check(page)
