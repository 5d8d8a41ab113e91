"""SVG charts with table alternatives (consult/monitoring/charts.py): safe markup, accessible, 360 px wide."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET

import pytest

from consult.monitoring.charts import (
    bar_chart,
    nice_top,
    opinion_map,
    percentages,
    stance_bars,
    table_html,
    trend_chart,
)

NS = "{http://www.w3.org/2000/svg}"
HOSTILE = ["<script>alert(1)</script>", '"onload="alert(1)', "x' onmouseover='y", "&amp; \x00\x0b\ufffe end"]


def parse(chart):
    return ET.fromstring(chart.svg)  # noqa: S314 -- our own output, parsed to check it


def local(tag):
    return tag.replace(NS, "")


def all_charts(label="Bagian", title="Judul", desc="Keterangan"):
    rng = random.Random(1)
    return [
        stance_bars([(label, 3, 1, 2), ("Dua", 0, 0, 0)], title=title, desc=desc),
        bar_chart([(label, 12), ("Loket", 1200)], title=title, desc=desc),
        trend_chart([(label, 80.5), ("2026-Q2", None), ("2026-Q3", 90)], title=title, desc=desc, y_max=100),
        trend_chart([(label, 3), ("b", 5)], title=title, desc=desc, kind="column"),
        opinion_map([(rng.random(), rng.random(), i % 2) for i in range(20)], [label, "B"], title=title, desc=desc),
    ]


@pytest.mark.parametrize("chart", all_charts(), ids=["stances", "bars", "line", "columns", "map"])
def test_every_chart_is_an_accessible_image_named_by_its_title_and_description(chart):
    root = parse(chart)
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert (title.get("id"), title.text, desc.get("id"), desc.text) == (title_id, "Judul", desc_id, "Keterangan")
    assert root[0] is title  # the first child, where assistive technology looks for it


@pytest.mark.parametrize("chart", all_charts(), ids=["stances", "bars", "line", "columns", "map"])
def test_every_chart_fits_a_360_px_phone_and_scales(chart):
    root = parse(chart)
    x, y, width, height = (float(v) for v in root.get("viewBox").split())
    assert (x, y, width) == (0, 0, 360) and height > 0
    assert root.get("width") == "100%" and root.get("height") is None
    for element in root.iter(f"{NS}text"):
        assert int(element.get("font-size")) >= 12
        assert 0 <= float(element.get("x")) <= 360


@pytest.mark.parametrize("chart", all_charts(), ids=["stances", "bars", "line", "columns", "map"])
def test_no_chart_uses_inline_style_or_anything_executable(chart):
    root = parse(chart)
    for element in root.iter():
        assert local(element.tag) not in ("style", "script", "foreignObject", "a", "image")
        assert "style" not in element.attrib
        assert not [name for name in element.attrib if name.lower().startswith("on")]
        for value in element.attrib.values():
            assert "javascript:" not in value.lower()


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_labels_titles_and_descriptions_are_escaped_text(hostile):
    for chart in all_charts(label=hostile, title=hostile, desc=hostile):
        root = parse(chart)  # still well-formed XML: control characters are dropped
        assert "<script" not in chart.svg
        assert "\x00" not in chart.svg and "\x0b" not in chart.svg
        texts = [e.text or "" for e in root.iter() if local(e.tag) in ("title", "desc", "text")]
        clean = hostile.replace("\x00", "").replace("\x0b", "").replace("\ufffe", "")
        assert clean in texts
        for element in root.iter():
            assert not [name for name in element.attrib if name.lower().startswith("on")]
        assert "<script" not in table_html(chart.table)
        assert chart.table.rows[0][0] == clean


def test_stance_bars_write_out_each_share_so_meaning_does_not_rest_on_colour():
    chart = stance_bars([("Persyaratan", 40, 5, 12), ("Biaya", 0, 0, 0)], title="Sikap", desc="d")
    texts = [e.text for e in parse(chart).iter(f"{NS}text")]
    assert "Setuju 70% · Netral 9% · Tidak setuju 21% (n=57)" in texts
    assert "Belum ada sikap" in texts
    assert chart.table.columns == ["Bagian", "Setuju", "Netral", "Tidak setuju", "n"]
    assert chart.table.rows == [["Persyaratan", 40, 5, 12, 57], ["Biaya", 0, 0, 0, 0]]


def test_stance_segments_differ_by_pattern_and_are_as_wide_as_their_share():
    root = parse(stance_bars([("A", 30, 10, 60)], title="t", desc="d", chart_id="s1"))
    segments = [r for r in root.iter(f"{NS}rect") if (r.get("class") or "").startswith("chart-") and r.get("y") != "8"]
    assert [(r.get("class"), r.get("fill"), float(r.get("width"))) for r in segments] == [
        ("chart-support", "#0b5cad", pytest.approx(102)),
        ("chart-neutral", "url(#s1-neutral)", pytest.approx(34)),
        ("chart-oppose", "url(#s1-oppose)", pytest.approx(204)),
    ]
    patterns = {p.get("id") for p in root.iter(f"{NS}pattern")}
    assert patterns == {"s1-neutral", "s1-oppose"}


def test_two_charts_on_one_page_have_distinct_ids():
    a = parse(stance_bars([("A", 1, 1, 1)], title="t", desc="d", chart_id="round-1"))
    b = parse(stance_bars([("A", 1, 1, 1)], title="t", desc="d", chart_id="round 2/<x>"))
    ids_a = {e.get("id") for e in a.iter() if e.get("id")}
    ids_b = {e.get("id") for e in b.iter() if e.get("id")}
    assert not ids_a & ids_b
    assert all(i.replace("-", "").replace("_", "").isalnum() for i in ids_b)


def test_labels_translate():
    chart = stance_bars([("A", 1, 0, 0)], title="t", desc="d", labels=("Agree", "Neutral", "Disagree"), heading="Part")
    assert "Agree 100% · Neutral 0% · Disagree 0% (n=1)" in [e.text for e in parse(chart).iter(f"{NS}text")]
    assert chart.table.columns == ["Part", "Agree", "Neutral", "Disagree", "n"]


def test_a_long_section_title_is_shortened_in_the_chart_and_whole_in_its_tooltip_and_table():
    title = "Sistem, mekanisme, dan prosedur pelayanan termasuk pengaduan dan tindak lanjutnya"
    chart = stance_bars([(title, 1, 1, 1)], title="t", desc="d")
    root = parse(chart)
    shown = [e.text for e in root.iter(f"{NS}text") if e.get("font-weight") == "600"][0]
    assert shown.endswith("…") and len(shown) <= 38
    assert title in [e.text for e in root.iter(f"{NS}title")]
    assert chart.table.rows[0][0] == title


def test_bar_chart_bars_are_proportional_and_carry_their_number():
    chart = bar_chart([("Web", 1200), ("Loket", 300), ("Kertas", 0)], title="t", desc="d")
    root = parse(chart)
    bars = [float(r.get("width")) for r in root.iter(f"{NS}rect")]
    assert bars[0] == pytest.approx(4 * bars[1]) and bars[2] == 0
    texts = [e.text for e in root.iter(f"{NS}text")]
    assert {"1.200", "300", "0"} <= set(texts)
    assert chart.table.rows == [["Web", 1200], ["Loket", 300], ["Kertas", 0]]


def test_an_empty_bar_chart_still_renders():
    root = parse(bar_chart([], title="Kosong", desc="Belum ada data"))
    assert root.find(f"{NS}title").text == "Kosong"


def test_a_trend_line_breaks_where_a_period_has_no_value():
    points = [("2025-Q3", 72.5), ("2025-Q4", 75), ("2026-Q1", None), ("2026-Q2", 80.12), ("2026-Q3", 88.4)]
    chart = trend_chart(points, title="IKM", desc="d", y_max=100)
    root = parse(chart)
    assert len(list(root.iter(f"{NS}path"))) == 2
    assert len(list(root.iter(f"{NS}circle"))) == 4
    texts = [e.text for e in root.iter(f"{NS}text")]
    assert {"72,50", "80,12", "88,40", "100", "0"} <= set(texts)
    assert chart.table.rows[2] == ["2026-Q1", None]
    assert "<td>–</td>" in table_html(chart.table)


def test_a_column_trend_of_thirty_days_labels_at_most_seven_periods():
    points = [(f"{d:02d}/11", d) for d in range(1, 31)]
    root = parse(trend_chart(points, title="Partisipasi", desc="d", kind="column"))
    period_labels = [e for e in root.iter(f"{NS}text") if e.text and e.text.endswith("/11")]
    assert 1 <= len(period_labels) <= 7
    assert len([r for r in root.iter(f"{NS}rect") if r.get("class") == "chart-bar"]) == 30


def test_an_unknown_trend_kind_is_refused():
    with pytest.raises(ValueError, match="kind must be"):
        trend_chart([], title="t", desc="d", kind="pie")


@pytest.mark.parametrize(("value", "top"), [(0, 4), (3, 4), (5, 8), (57, 60), (100, 100), (101, 120), (12345, 16000)])
def test_the_value_axis_ends_on_a_round_number(value, top):
    assert nice_top(value) == top


def test_opinion_map_groups_differ_by_colour_and_shape_and_carry_their_names():
    rng = random.Random(2)
    names = ["A", "B", "C", "D", "E", "F"]
    points = [(rng.gauss(g * 3, 0.3), rng.gauss(0, 0.3), g) for g in range(6) for _ in range(5)]
    chart = opinion_map(points, names, title="Peta opini", desc="d")
    root = parse(chart)
    legend = [e.text for e in root.iter(f"{NS}text")]
    assert [f"{n} (5)" for n in names] == legend[:6]
    assert names == legend[6:]  # each group's name at its centre
    markers = [e for e in root if local(e.tag) in ("circle", "polygon")][:6]  # the legend's six markers
    fills = [m.get("fill") for m in markers]
    shapes = [m.get("class") for m in markers]
    assert len(set(fills)) == 6 and len(set(shapes)) == 6
    assert chart.table.rows == [[n, 5] for n in names]


def test_opinion_map_refuses_a_point_of_an_unknown_group():
    with pytest.raises(ValueError, match="group index 2"):
        opinion_map([(0, 0, 2)], ["A", "B"], title="t", desc="d")


def test_opinion_map_of_one_point_or_none_renders():
    assert parse(opinion_map([(1.0, 1.0, 0)], ["A"], title="t", desc="d")) is not None
    assert parse(opinion_map([], ["A"], title="t", desc="d")) is not None


@pytest.mark.parametrize(
    ("counts", "shares"),
    [([40, 5, 12], [70, 9, 21]), ([1, 1, 1], [34, 33, 33]), ([0, 0, 0], [0, 0, 0]), ([0, 3, 0], [0, 100, 0])],
)
def test_percentages_are_whole_and_add_up_to_100(counts, shares):
    assert percentages(counts) == shares


def test_table_html_is_an_escaped_table_with_caption_and_header_scopes():
    chart = bar_chart([("<b>x</b>", 1200)], title="A & B", desc="d", heading="Saluran", value_heading="Jumlah")
    assert table_html(chart.table) == (
        '<table class="chart-table"><caption>A &amp; B</caption><thead><tr><th scope="col">Saluran</th>'
        '<th scope="col">Jumlah</th></tr></thead><tbody><tr><th scope="row">&lt;b&gt;x&lt;/b&gt;</th>'
        "<td>1.200</td></tr></tbody></table>"
    )
