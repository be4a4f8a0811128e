"""The benchmark report's charts: well-formed SVG that shows the numbers it is given."""

from __future__ import annotations

import importlib.util
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

_HERE = Path(__file__).resolve().parents[2] / "benchmarks"


def _load(name: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", _HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


svgplot = _load("svgplot")
SVG = "{http://www.w3.org/2000/svg}"


def test_a_line_chart_puts_each_point_on_its_log_x_and_linear_y():
    root = ET.fromstring(svgplot.lines("t", "faxes", "us", [1_000, 10_000, 100_000], {"a": [20.0, 25.0, 40.0]}))
    [line] = root.iter(f"{SVG}polyline")
    points = [tuple(map(float, p.split(","))) for p in line.get("points").split()]
    xs, ys = zip(*points, strict=True)
    assert xs[1] - xs[0] == pytest.approx(xs[2] - xs[1], abs=0.2)  # equal steps on a log scale
    assert ys[0] > ys[1] > ys[2]  # larger values higher up (SVG y grows downwards)
    assert (ys[0] - ys[1]) * 3 == pytest.approx(ys[1] - ys[2], abs=0.4)  # up 5, then 15: linear


def test_a_bar_chart_draws_a_bar_per_value_and_the_target_line():
    root = ET.fromstring(
        svgplot.bars("t", "ratio", ["FAX.PLUS", "Kazoo"], {"req/s": [0.9, 0.8], "CPU": [0.95, 0.85]}, target=0.85)
    )
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert [r.find(f"{SVG}title").text for r in bars] == ["req/s: 0.9", "req/s: 0.8", "CPU: 0.95", "CPU: 0.85"]
    heights = [float(r.get("height")) for r in bars]
    assert heights[0] > heights[1] and heights[2] > heights[3]
    [target] = [line for line in root.iter(f"{SVG}line") if line.get("class") == "target"]
    assert float(target.get("y1")) == float(bars[3].get("y"))  # the 0.85 bar reaches the 0.85 line


def test_a_series_own_target_is_a_line_in_its_colour_named_in_its_legend():
    """The sends' chart: the 1-page and the 10-page targets, each drawn with its document's bars."""
    root = ET.fromstring(
        svgplot.bars(
            "t",
            "ratio",
            ["Kazoo", "CallerIP"],
            {"1-page": [0.35, 0.4], "10-page": [0.25, 0.3]},
            series_targets={"1-page": 0.35, "10-page": 0.25},
        )
    )
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    lines = [line for line in root.iter(f"{SVG}line") if line.get("class") == "target"]
    assert [(line.get("stroke"), float(line.get("y1"))) for line in lines] == [
        (bars[0].get("fill"), float(bars[0].get("y"))),  # each reaches the bar that meets it
        (bars[2].get("fill"), float(bars[2].get("y"))),
    ]
    assert bars[0].get("fill") != bars[2].get("fill")
    legend = [t.text for t in root.iter(f"{SVG}text")]
    assert "1-page (target 0.35)" in legend and "10-page (target 0.25)" in legend


def test_the_report_makes_the_charts_its_results_have(monkeypatch):
    monkeypatch.syspath_prepend(str(_HERE))
    monkeypatch.setitem(sys.modules, "svgplot", svgplot)
    run = _load("run")
    rows = [{"read": "Kazoo GET outgoing job", "ratio": 0.9}]
    scale = [
        {"faxes": n, "us_per_fax": 20.0, "us_per_fax_without_gc": 19.0, "peak_rss_mb": 40.0 * n / 1000}
        for n in (1000, 10000)
    ]
    assert set(run.charts({"cpu": rows})) == {"hot_reads.svg"}
    assert set(run.charts({"scale": scale})) == {"scale_time.svg", "scale_memory.svg"}
    assert "![hot_reads.svg](hot_reads.svg)" in run.markdown({"when": "now", "machine": "2 cores"}, ["hot_reads.svg"])
