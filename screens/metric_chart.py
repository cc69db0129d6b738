"""One metric's observations against its tolerance band, drawn by hand in text: a column per
period, the band shaded, each point a shape that says where it stands, and the periods where
a trigger fired or cleared marked under the axis.

Hand-drawn rather than a plotting widget: every point keeps its meaning on a monochrome
terminal (the shape says in, above or below; colour only repeats it), a missing period shows
as a gap instead of being joined over, and it needs no dependency.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from itertools import count

from rich.text import Text

from huddle.models import Period
from huddle.oversight import next_period, shown

IN, ABOVE, BELOW = "●", "▲", "▼"
BAND = "░"
GAP = "·"
FIRED, CLEARED = "F", "C"
MEAN, PROCESS_LIMIT = "─", "╌"
"""Making Data Count's mean and process limits, where the metric has them."""
TICK = "┬"
MAX_CELL = 5
"""Columns a period may take when few periods share the width: wide enough to read, narrow
enough that a dozen weeks still look like a series."""
MIN_HEIGHT = 5
"""Data either side of zero, with a spare row above and below, takes five rows at any step."""
NO_OBSERVATIONS = "No observations yet."

LEGEND = (
    f"{IN} in tolerance",
    f"{ABOVE} above",
    f"{BELOW} below",
    f"{BAND} tolerance band",
    f"{FIRED} trigger fired",
    f"{CLEARED} cleared",
)
GAP_LEGEND = f"{GAP} no observation"
SPC_LEGEND = (f"{MEAN} mean", f"{PROCESS_LIMIT} process limits")

# Row steps are one of these times a power of ten, so the axis reads 60, 90, 150 rather than
# 58.37, 91.12, 147.3; more than the usual 1, 2, 5 so that ten rows are not half empty.
NICE = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8)

# A monthly period always starts on the 1st, so its day would say nothing: name the month,
# with the whole year so that "Jun 26" is never read as the 26th of June.
DATE_FORMAT = {Period.DAILY: "%d/%m", Period.WEEKLY: "%d/%m", Period.MONTHLY: "%b %Y"}

_OUT = "bold red"
_IN = "green"
_BAND = "dim"
_MARK = {FIRED: "bold red", CLEARED: "green"}


def _periods(first: date, last: date, period: Period) -> list[date]:
    """Every period from first to last, so a period without an observation has a column."""
    periods = [first]
    while (following := next_period(periods[-1], period)) <= last:
        periods.append(following)
    return periods


def _scale(lo: float, hi: float, height: int, *, floor_at_zero: bool) -> tuple[int, float]:
    """The top row's index and the step between rows: the smallest nice step that fits lo to
    hi with a spare row either side, so a point just outside a limit can be drawn off the
    band. Row r stands for (top - r) × step. With `floor_at_zero` no row goes below zero
    (counts and percentages), the spare row there being given up."""
    span = (hi - lo) or abs(hi) or 1.0
    first_exponent = math.floor(math.log10(span / (height - 1)))
    for exponent in count(first_exponent):
        for nice in NICE:
            step = nice * 10.0**exponent
            # The epsilon keeps 0.3 / 0.1 (2.9999…) on its own row.
            bottom = math.floor(lo / step + 1e-9) - 1
            top = math.ceil(hi / step - 1e-9) + 1
            if floor_at_zero:
                bottom = max(bottom, 0)
            spare = height - (top - bottom + 1)
            if spare >= 0:
                below = min(spare // 2, bottom) if floor_at_zero else spare // 2
                return top + spare - below, step
    raise AssertionError("unreachable: a large enough step always fits")  # pragma: no cover


def _y_labels(
    limit_rows: dict[str, int], value_at: list[float], low: float | None, high: float | None
) -> dict[int, Text]:
    """Three to five labels: the top and bottom rows, and the limits with their own values
    (so the band's edges are named), with the middle added if that leaves fewer than three."""
    last = len(value_at) - 1
    labels = {0: Text(shown(value_at[0])), last: Text(shown(value_at[last]))}
    if high is not None:
        labels[limit_rows["high"]] = Text(shown(high), style="bold")
    if low is not None:
        # Limits closer than a row share it, and its label names both.
        both = high is not None and limit_rows["low"] == limit_rows["high"] and low != high
        words = f"{shown(low)}–{shown(high)}" if both else shown(low)
        labels[limit_rows["low"]] = Text(words, style="bold")
    middle = sorted(range(1, last), key=lambda row: (abs(2 * row - last), row))
    for row in middle:
        if len(labels) >= 3:
            break
        labels.setdefault(row, Text(shown(value_at[row])))
    return labels


def _cut(words: str, width: int) -> str:
    """`words` in at most `width` characters, an ellipsis saying when some were cut."""
    return words if len(words) <= width else words[: width - 1].rstrip() + "…"


def _legend(width: int, with_gap: bool, with_spc: bool = False) -> list[Text]:
    """The legend packed into lines no wider than `width`, items never split (one wider than
    the whole line is cut)."""
    items = [*LEGEND[:4], GAP_LEGEND, *LEGEND[4:]] if with_gap else list(LEGEND)
    if with_spc:
        items[4:4] = SPC_LEGEND
    lines: list[str] = []
    for item in items:
        if lines and len(lines[-1]) + 2 + len(item) <= width:
            lines[-1] += "  " + item
        else:
            lines.append(_cut(item, width))
    return [Text(line, style="dim") for line in lines]


def chart(
    series: Sequence[tuple[date, float]],
    *,
    period: Period,
    low: float | None,
    high: float | None,
    fired: Sequence[date] = (),
    cleared: Sequence[date] = (),
    width: int = 80,
    height: int = 10,
    unit: str = "",
    process: tuple[float, float, float] | None = None,
) -> Text:
    """The chart as one Text: `series` is (period start, value) in period order, `low` and
    `high` the tolerance limits (None for no limit on that side), `fired` and `cleared` the
    periods where a trigger fired or cleared, `process` Making Data Count's (lower process
    limit, mean, upper process limit), drawn as lines behind the points. Every line is at
    most `width` characters."""
    if height < MIN_HEIGHT:
        raise ValueError(f"a chart needs at least {MIN_HEIGHT} rows, not {height}")
    if not series:
        return Text(_cut(NO_OBSERVATIONS, width))
    values = dict(series)
    starts = sorted(values)

    limits = [limit for limit in (low, high) if limit is not None]
    everything = [*values.values(), *limits, *(process or ())]
    # A point below the low limit needs the spare row under the band even if it is negative.
    below_low = low is not None and min(values.values()) < low
    floor_at_zero = min(everything) >= 0 and not below_low
    top, step = _scale(min(everything), max(everything), height, floor_at_zero=floor_at_zero)
    value_at = [(top - row) * step for row in range(height)]

    def row_of(value: float) -> int:
        return min(height - 1, max(0, top - round(value / step)))

    limit_rows = {
        name: row_of(limit) for name, limit in (("low", low), ("high", high)) if limit is not None
    }
    band_top = limit_rows.get("high", 0)
    band_bottom = limit_rows.get("low", height - 1)
    # The process lines' rows: the mean's wins a row it shares with a limit.
    lines_at: dict[int, str] = {}
    if process is not None:
        lower, mean, upper = process
        lines_at = {row_of(lower): PROCESS_LIMIT, row_of(upper): PROCESS_LIMIT}
        lines_at[row_of(mean)] = MEAN

    labels = _y_labels(limit_rows, value_at, low, high)
    label_width = max(len(label) for label in labels.values())
    gutter = label_width + 2
    columns = width - gutter
    if columns < 1:
        raise ValueError(f"width {width} leaves no room for a column beside the axis labels")

    # Few periods spread out to fill the width (each point in the middle of its cell); the
    # latest periods are the ones a huddle acts on, so when they do not all fit the earliest
    # are dropped.
    every = _periods(starts[0], starts[-1], period)
    cell = max(1, min(MAX_CELL, columns // len(every)))
    periods = every[-(columns // cell) :]
    centre = cell // 2
    column_of = {start: column for column, start in enumerate(periods)}

    # Each observed period's row. A point outside a limit but within half a row of it would
    # round onto the band's edge; it goes one row further out so the band never holds a
    # point that is out of tolerance (its shape says which side either way).
    points: dict[int, tuple[int, str]] = {}
    for start in periods:
        if start not in values:
            continue
        value = values[start]
        row = row_of(value)
        if high is not None and value > high:
            points[column_of[start]] = (max(0, min(row, band_top - 1)), ABOVE)
        elif low is not None and value < low:
            points[column_of[start]] = (min(height - 1, max(row, band_bottom + 1)), BELOW)
        else:
            points[column_of[start]] = (row, IN)

    lines: list[Text] = []
    if unit:
        lines.append(Text(_cut(unit, width), style="dim"))
    for row in range(height):
        label = labels.get(row, Text())
        line = Text(" " * (label_width - len(label))).append_text(label)
        line.append(" ┤" if label else " │")
        in_band = band_top <= row <= band_bottom
        for column in range(len(periods)):
            point_row, glyph = points.get(column, (-1, ""))
            for place in range(cell):
                if place == centre and point_row == row:
                    line.append(glyph, style=_IN if glyph == IN else _OUT)
                elif row in lines_at:
                    line.append(lines_at[row], style=_BAND)
                elif in_band:
                    line.append(BAND, style=_BAND)
                else:
                    line.append(" ")
        line.rstrip()
        lines.append(line)

    # Dates end under their period, counted back from the latest so it is always named, two
    # spaces apart; the first period is named too when there is room.
    date_format = DATE_FORMAT[period]
    label_length = len(periods[0].strftime(date_format))
    apart = -(-(label_length + 2) // cell)  # columns between dates, rounded up
    dated = list(range(len(periods) - 1, -1, -apart))
    if dated[-1] * cell >= label_length + 2:
        dated.append(0)
    dates = [" "] * (gutter + len(periods) * cell)
    ticked = set()
    for column in dated:
        end = gutter + column * cell + centre
        if end - label_length + 1 < 0:
            break
        dates[end - label_length + 1 : end + 1] = periods[column].strftime(date_format)
        ticked.add(column)

    axis = Text(" " * label_width + " └")
    for column, start in enumerate(periods):
        axis.append("─" * centre)
        if start not in values:
            axis.append(GAP, style="dim")
        else:
            axis.append(TICK if column in ticked else "─")
        axis.append("─" * (cell - centre - 1))
    lines.append(axis)

    marks = [" "] * (len(periods) * cell)
    for mark, days in ((CLEARED, cleared), (FIRED, fired)):  # fired last: it wins a column
        for day in days:
            if day in column_of:
                marks[column_of[day] * cell + centre] = mark
    if any(mark != " " for mark in marks):
        line = Text(" " * gutter)
        for mark in marks:
            line.append(mark, style=_MARK.get(mark, ""))
        line.rstrip()
        lines.append(line)

    lines.append(Text("".join(dates).rstrip()))
    lines.extend(_legend(width, with_gap=len(periods) > len(points), with_spc=bool(lines_at)))
    return Text("\n").join(lines)
