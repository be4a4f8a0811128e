"""Two small SVG charts for the benchmark report, written without a plotting library.

``lines`` draws series over a logarithmic x axis (the scale part: cost per fax against the
number of faxes, where a flat line is the goal); ``bars`` draws grouped bars with a target
line (each hot read's ratios to the bare app). Both return the SVG text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 640, 360
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 40, 64  # margins around the plot area
INSET = 32  # between the plot area's sides and a line chart's first and last points
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728")


def _frame(title: str, y_label: str, y_max: float) -> list[str]:
    """The SVG start, title, and the y axis from 0 to ``y_max`` with its gridlines."""
    ticks = _ticks(y_max)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{WIDTH / 2}" y="22" text-anchor="middle" font-size="14">{escape(title)}</text>',
        f'<text x="14" y="{TOP + _plot_height() / 2}" text-anchor="middle" '
        f'transform="rotate(-90 14 {TOP + _plot_height() / 2})">{escape(y_label)}</text>',
    ]
    for step in range(ticks + 1):
        value = y_max * step / ticks
        y = _y(value, y_max)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{value:g}</text>')
    return parts


def _plot_width() -> float:
    return WIDTH - LEFT - RIGHT


def _plot_height() -> float:
    return HEIGHT - TOP - BOTTOM


def _y(value: float, y_max: float) -> float:
    return TOP + _plot_height() * (1 - value / y_max)


#: the leading digits a round number may have
_ROUND = (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)


def _nice_max(value: float) -> float:
    """A round number at or above ``value`` for the top of the y axis."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    return next(step * magnitude for step in _ROUND if step * magnitude >= value)


def _ticks(y_max: float) -> int:
    """How many steps the y axis has: a count whose step is a round number (1.2 in 6 of 0.2)."""
    for count in (5, 4, 6, 3):
        step = y_max / count
        leading = step / 10 ** math.floor(math.log10(step))
        if any(math.isclose(leading, digit) for digit in (1, 2, 2.5, 5)):
            return count
    return 5


#: a legend entry's least width, and the width a character of its label takes (12 px sans-serif)
LEGEND_ENTRY, LEGEND_CHAR = 150, 6.6


def _legend(
    names: Sequence[str], target: float | None = None, series_targets: Mapping[str, float] | None = None
) -> list[str]:
    parts = []
    x = float(LEFT)
    for index, name in enumerate(names):
        colour = COLOURS[index % len(COLOURS)]
        parts.append(f'<rect x="{x:.0f}" y="{HEIGHT - 18}" width="12" height="12" fill="{colour}"/>')
        label = f"{name} (target {series_targets[name]:g})" if series_targets and name in series_targets else name
        parts.append(f'<text x="{x + 16:.0f}" y="{HEIGHT - 8}">{escape(label)}</text>')
        x += max(LEGEND_ENTRY, 16 + len(label) * LEGEND_CHAR + 20)  # long labels do not run into the next
    if target is not None:
        parts.append(
            f'<line x1="{x:.0f}" x2="{x + 24:.0f}" y1="{HEIGHT - 12}" y2="{HEIGHT - 12}" stroke="black" '
            f'stroke-dasharray="6 4"/>'
        )
        parts.append(f'<text x="{x + 28:.0f}" y="{HEIGHT - 8}">target {target:g}</text>')
    return parts


def lines(title: str, x_label: str, y_label: str, xs: Sequence[float], series: Mapping[str, Sequence[float]]) -> str:
    """Each series as a line with points over ``xs`` (positive, drawn on a log scale)."""
    y_max = _nice_max(max(max(ys) for ys in series.values()))
    low, high = math.log10(min(xs)), math.log10(max(xs))
    span = (high - low) or 1.0

    def x_of(value: float) -> float:
        return LEFT + INSET + (_plot_width() - 2 * INSET) * (math.log10(value) - low) / span

    parts = _frame(title, y_label, y_max)
    for value in xs:
        parts.append(
            f'<text x="{x_of(value):.1f}" y="{TOP + _plot_height() + 16}" text-anchor="middle">{value:,.0f}</text>'
        )
    parts.append(
        f'<text x="{LEFT + _plot_width() / 2}" y="{TOP + _plot_height() + 32}" '
        f'text-anchor="middle">{escape(x_label)}</text>'
    )
    for index, ys in enumerate(series.values()):
        colour = COLOURS[index % len(COLOURS)]
        points = " ".join(f"{x_of(x):.1f},{_y(y, y_max):.1f}" for x, y in zip(xs, ys, strict=True))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        parts += [
            f'<circle cx="{x_of(x):.1f}" cy="{_y(y, y_max):.1f}" r="3" fill="{colour}"/>'
            for x, y in zip(xs, ys, strict=True)
        ]
    parts += _legend(list(series))
    return "\n".join([*parts, "</svg>"]) + "\n"


def bars(
    title: str,
    y_label: str,
    groups: Sequence[str],
    series: Mapping[str, Sequence[float]],
    target: float | None = None,
    series_targets: Mapping[str, float] | None = None,
) -> str:
    """Grouped bars, one group per name in ``groups``, one bar per series; ``target`` (every
    series') as a black dashed line, each of ``series_targets`` (a series' own) as a dashed
    line in that series' colour, named in its legend."""
    targets = [*(series_targets or {}).values(), target or 0.0]
    y_max = _nice_max(max([*(max(ys) for ys in series.values()), *targets]) * 1.02)
    group_width = _plot_width() / len(groups)
    bar_width = group_width * 0.8 / len(series)
    parts = _frame(title, y_label, y_max)
    for index, (name, ys) in enumerate(series.items()):
        colour = COLOURS[index % len(COLOURS)]
        for group, value in enumerate(ys):
            x = LEFT + group * group_width + group_width * 0.1 + index * bar_width
            y = _y(value, y_max)
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_width - 2:.1f}" '
                f'height="{TOP + _plot_height() - y:.1f}" fill="{colour}"><title>{escape(name)}: '
                f"{value:g}</title></rect>"
            )
    for group, name in enumerate(groups):
        parts.append(
            f'<text x="{LEFT + (group + 0.5) * group_width:.1f}" y="{TOP + _plot_height() + 16}" '
            f'text-anchor="middle">{escape(name)}</text>'
        )
    dashed = [(target, "black")] if target is not None else []
    dashed += [
        (value, COLOURS[index % len(COLOURS)])
        for index, name in enumerate(series)
        if (value := (series_targets or {}).get(name)) is not None
    ]
    for value, colour in dashed:
        y = _y(value, y_max)
        parts.append(
            f'<line class="target" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{colour}" stroke-dasharray="6 4"/>'
        )
    parts += _legend(list(series), target, series_targets)
    return "\n".join([*parts, "</svg>"]) + "\n"
