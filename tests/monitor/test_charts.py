"""Server-side SVG charts: well-formed, labelled for screen readers, escaped."""

from __future__ import annotations

import datetime as dt

from lxml import etree

from rathaus.monitor.charts import Point, bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> etree._Element:
    return etree.fromstring(svg.encode())


def test_line_chart_has_a_path_through_every_point_and_a_text_alternative() -> None:
    start = dt.date(2026, 1, 1)
    points = [Point(start + dt.timedelta(days=i), 10.0 * i) for i in range(5)]
    root = _parse(line_chart(points, title="Online-Anteil", description="steigt", unit="percent"))

    assert root.get("role") == "img"
    labelled_by = root.get("aria-labelledby").split()
    assert [root.find(f".//{SVG}*[@id='{ref}']").text for ref in labelled_by] == [
        "Online-Anteil",
        "steigt",
    ]
    path = root.find(f"{SVG}path").get("d")
    assert path.count("L") == 4
    assert len(root.findall(f"{SVG}circle")) == 5
    # Percentages run to 100 whatever the data.
    assert "100 %" in [t.text for t in root.findall(f"{SVG}text")]


def test_an_empty_series_still_gives_a_valid_labelled_chart() -> None:
    root = _parse(line_chart([], title="Keine Daten", description="noch nichts gemessen"))
    assert root.find(f"{SVG}title").text == "Keine Daten"
    assert root.find(f"{SVG}path") is None


def test_text_is_escaped() -> None:
    svg = bar_chart(
        [("<script>alert(1)</script>", 3.0)], title='Titel & "Zitat"', description="<b>"
    )
    root = _parse(svg)  # would raise if the markup were broken
    assert "<script>" not in svg
    assert root.find(f"{SVG}title").text == 'Titel & "Zitat"'


def test_bars_scale_to_the_largest_value() -> None:
    root = _parse(bar_chart([("A", 50.0), ("B", 100.0)], title="t", description="d"))
    widths = [float(rect.get("width")) for rect in root.findall(f"{SVG}rect")]
    assert widths[1] == 2 * widths[0]
