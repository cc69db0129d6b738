"""One metric's observations against its tolerance band, drawn by hand in text: a column per
period, the band shaded, each point a shape that says where it stands, the levels of its
threshold rules and Making Data Count's lines behind the points, and the periods where a
trigger fired or cleared marked under the axis.

Hand-drawn rather than a plotting widget: every point keeps its meaning on a monochrome
terminal (the shape says in, above or below; colour only repeats it), a missing period shows
as a gap instead of being joined over, and it needs no dependency.

Lines behind the points, where they share a row: a rule's threshold (┄) wins over the mean
(─), which wins over the process limits (╌); any of them wins over the band's shading, and
a point wins over all of them. A point off a threshold but within half a row of it goes
one row to its side of the line (115.01 above a threshold of 115, 114.99 below it; 115 on
it), unless that would take it to the wrong side of the tolerance band: levels closer than
a row cannot all be told apart, and then the band, and the point's shape, say where it
stands.

`plot` draws any number of points a period (screens.segment_chart uses it for every team
or provider at once); `chart` draws one value a period with the shapes ● ▲ ▼.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import count

from rich.text import Text

from huddle.models import Period
from huddle.oversight import Standing, next_period, shown, standing

IN, ABOVE, BELOW = "●", "▲", "▼"
BAND = "░"
GAP = "·"
FIRED, CLEARED = "F", "C"
MEAN, PROCESS_LIMIT = "─", "╌"
"""Making Data Count's mean and process limits, where the metric has them."""
THRESHOLD = "┄"
"""The level of a threshold rule over the metric."""
CROWDED = "+"
"""More points at one place than fit side by side in its cell (where several are drawn a
period)."""
BOTH = "↕"
"""Under the axis, where several points a period are drawn: some above and some below."""
TICK = "┬"
MAX_CELL = 5
"""Columns a period may take when few periods share the width: wide enough to read, narrow
enough that a dozen weeks still look like a series."""
MIN_HEIGHT = 5
"""Data either side of zero, with a spare row above and below, takes five rows at any step."""
NO_OBSERVATIONS = "No observations yet."

SHAPES_LEGEND = (f"{IN} in tolerance", f"{ABOVE} above", f"{BELOW} below")
BAND_LEGEND = f"{BAND} tolerance band"
THRESHOLD_LEGEND = f"{THRESHOLD} rule threshold"
SPC_LEGEND = (f"{MEAN} mean", f"{PROCESS_LIMIT} process limits")
GAP_LEGEND = f"{GAP} no observation"
MARKS_LEGEND = (f"{FIRED} trigger fired", f"{CLEARED} cleared")
SHAPE = {Standing.WITHIN: IN, Standing.ABOVE: ABOVE, Standing.BELOW: BELOW}

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


def _y_labels(levels: Sequence[tuple[int, float, str]], value_at: list[float]) -> dict[int, Text]:
    """Three to five labels: the top and bottom rows, and each level (a tolerance limit or a
    rule's threshold: row, value, words) named on its row, with the middle added if that
    leaves fewer than three. Levels closer than a row share it, and its label names each,
    lowest first: "90–115" for both limits, "44/46" for a limit and a threshold."""
    last = len(value_at) - 1
    labels = {0: Text(shown(value_at[0])), last: Text(shown(value_at[last]))}
    on_row: dict[int, dict[str, float]] = {}
    for row, value, words in levels:
        on_row.setdefault(row, {}).setdefault(words, value)
    for row, named in on_row.items():
        words = "/".join(sorted(named, key=lambda said: named[said]))
        labels[row] = Text(words, style="bold")
    middle = sorted(range(1, last), key=lambda row: (abs(2 * row - last), row))
    for row in middle:
        if len(labels) >= 3:
            break
        labels.setdefault(row, Text(shown(value_at[row])))
    return labels


def _cut(words: str, width: int) -> str:
    """`words` in at most `width` characters, an ellipsis saying when some were cut."""
    return words if len(words) <= width else words[: width - 1].rstrip() + "…"


def _legend(width: int, groups: Sequence[Sequence[str]]) -> list[Text]:
    """Each group of legend items packed into lines no wider than `width`, a group starting
    a line, items never split (one wider than the whole line is cut)."""
    lines: list[str] = []
    for group in groups:
        start = len(lines)
        for item in group:
            if len(lines) > start and len(lines[-1]) + 2 + len(item) <= width:
                lines[-1] += "  " + item
            else:
                lines.append(_cut(item, width))
    return [Text(line, style="dim") for line in lines]


@dataclass(frozen=True)
class Marks:
    """How a chart marks its points, and the legend that says so."""

    glyph: Callable[[str, Standing], str]
    """The character for a point: whose it is (a segment's name; "" when one value a
    period) and where it stands against the tolerance."""
    legend: Callable[[set[str]], list[list[str]]]
    """The legend's groups of items for the characters drawn (each group starts a line),
    before the band's, the lines' and the marks'."""
    standings: bool = False
    """A row under the axis saying in shapes where any point of a period stands outside the
    tolerance (▲ above, ▼ below, ↕ both), for charts whose points are not shapes."""


SHAPES = Marks(lambda _, where: SHAPE[where], lambda _: [list(SHAPES_LEGEND)])


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
    thresholds: Sequence[float] = (),
) -> Text:
    """The chart as one Text: `series` is (period start, value) in period order, `low` and
    `high` the tolerance limits (None for no limit on that side), `fired` and `cleared` the
    periods where a trigger fired or cleared, `process` Making Data Count's (lower process
    limit, mean, upper process limit) and `thresholds` the rules' levels, drawn as lines
    behind the points. Every line is at most `width` characters."""
    return plot(
        {start: [("", value)] for start, value in series},
        SHAPES,
        period=period,
        low=low,
        high=high,
        fired=fired,
        cleared=cleared,
        width=width,
        height=height,
        unit=unit,
        process=process,
        thresholds=thresholds,
    )


def plot(
    observed: Mapping[date, Sequence[tuple[str, float]]],
    marks: Marks,
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
    thresholds: Sequence[float] = (),
) -> Text:
    """As `chart`, with any number of (whose, value) points a period, each drawn with
    `marks`."""
    if height < MIN_HEIGHT:
        raise ValueError(f"a chart needs at least {MIN_HEIGHT} rows, not {height}")
    observed = {start: points for start, points in observed.items() if points}
    if not observed:
        return Text(_cut(NO_OBSERVATIONS, width))
    starts = sorted(observed)
    values = [value for points in observed.values() for _, value in points]

    limits = [limit for limit in (low, high) if limit is not None]
    everything = [*values, *limits, *(process or ()), *thresholds]
    # A point below the low limit needs the spare row under the band even if it is negative.
    below_low = low is not None and min(values) < low
    floor_at_zero = min(everything) >= 0 and not below_low
    top, step = _scale(min(everything), max(everything), height, floor_at_zero=floor_at_zero)
    value_at = [(top - row) * step for row in range(height)]

    def row_of(value: float) -> int:
        return min(height - 1, max(0, top - round(value / step)))

    band_top = row_of(high) if high is not None else 0
    band_bottom = row_of(low) if low is not None else height - 1
    # The lines' rows, each winning a row it shares with those before it.
    lines_at: dict[int, str] = {}
    if process is not None:
        lower, mean, upper = process
        lines_at = {row_of(lower): PROCESS_LIMIT, row_of(upper): PROCESS_LIMIT}
        lines_at[row_of(mean)] = MEAN
    for threshold in thresholds:
        lines_at[row_of(threshold)] = THRESHOLD

    levels = [(row_of(threshold), threshold, shown(threshold)) for threshold in thresholds]
    if high is not None:
        levels.append((band_top, high, shown(high)))
    if low is not None:
        # Limits closer than a row share it, and its label names both.
        both = high is not None and band_bottom == band_top and low != high
        levels.append((band_bottom, low, f"{shown(low)}–{shown(high)}" if both else shown(low)))
    labels = _y_labels(levels, value_at)
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

    def row_for(value: float, where: Standing) -> int:
        """A point outside a limit but within half a row of it would round onto the band's
        edge; it goes one row further out, so the band never holds a point that is out of
        tolerance. Then off a threshold's line, where that keeps it on its side of the band."""
        row = row_of(value)
        if where == Standing.ABOVE:
            row = max(0, min(row, band_top - 1))
        elif where == Standing.BELOW:
            row = min(height - 1, max(row, band_bottom + 1))
        for threshold in thresholds:
            if row != row_of(threshold) or value == threshold:
                continue
            aside = row - 1 if value > threshold else row + 1
            if 0 <= aside < height and _side(aside, band_top, band_bottom) == where:
                return aside
        return row

    # (column, row): the characters of the points there, each with where it stands.
    at: dict[tuple[int, int], dict[str, Standing]] = {}
    outside: dict[int, set[Standing]] = {}
    for start in periods:
        column = column_of[start]
        for whose, value in observed.get(start, ()):
            where = standing(value, low, high)
            at.setdefault((column, row_for(value, where)), {})[marks.glyph(whose, where)] = where
            if where != Standing.WITHIN:
                outside.setdefault(column, set()).add(where)
    laid_out = {place: _in_cell(found, cell) for place, found in at.items()}

    lines: list[Text] = []
    if unit:
        lines.append(Text(_cut(unit, width), style="dim"))
    for row in range(height):
        label = labels.get(row, Text())
        line = Text(" " * (label_width - len(label))).append_text(label)
        line.append(" ┤" if label else " │")
        in_band = band_top <= row <= band_bottom
        for column in range(len(periods)):
            here = laid_out.get((column, row), {})
            for place in range(cell):
                if place in here:
                    glyph, where = here[place]
                    line.append(glyph, style=_IN if where == Standing.WITHIN else _OUT)
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
        if start not in observed:
            axis.append(GAP, style="dim")
        else:
            axis.append(TICK if column in ticked else "─")
        axis.append("─" * (cell - centre - 1))
    lines.append(axis)

    drawn = {glyph for here in laid_out.values() for glyph, _ in here.values()}
    if marks.standings and outside:
        line = Text(" " * gutter)
        for column in range(len(periods)):
            sides = outside.get(column, set())
            said = BOTH if len(sides) == 2 else SHAPE[next(iter(sides))] if sides else " "
            line.append(" " * centre + said + " " * (cell - centre - 1), style=_OUT)
            drawn.add(said)
        line.rstrip()
        lines.append(line)

    under = [" "] * (len(periods) * cell)
    for mark, days in ((CLEARED, cleared), (FIRED, fired)):  # fired last: it wins a column
        for day in days:
            if day in column_of:
                under[column_of[day] * cell + centre] = mark
    if any(mark != " " for mark in under):
        line = Text(" " * gutter)
        for mark in under:
            line.append(mark, style=_MARK.get(mark, ""))
        line.rstrip()
        lines.append(line)

    lines.append(Text("".join(dates).rstrip()))
    groups = marks.legend(drawn)
    tail = [BAND_LEGEND]
    if THRESHOLD in lines_at.values():
        tail.append(THRESHOLD_LEGEND)
    if process is not None:
        tail.extend(SPC_LEGEND)
    if len(periods) > len({column for column, _ in at}):
        tail.append(GAP_LEGEND)
    groups[-1] = [*groups[-1], *tail, *MARKS_LEGEND]
    lines.extend(_legend(width, groups))
    return Text("\n").join(lines)


def _in_cell(found: dict[str, Standing], cell: int) -> dict[int, tuple[str, Standing]]:
    """Where in a cell the points at one row of it go, by place: one at the centre; several
    side by side, in order, where they fit and leave the cell's last place blank (so the
    next cell's are apart from them); else CROWDED at the centre, out of tolerance if any
    of them is."""
    points = list(found.items())
    if len(points) == 1:
        return {cell // 2: points[0]}
    if len(points) < cell:
        first = max(0, min(cell // 2 - len(points) // 2, cell - 1 - len(points)))
        return {first + offset: point for offset, point in enumerate(points)}
    out = [where for _, where in points if where != Standing.WITHIN]
    return {cell // 2: (CROWDED, out[0] if out else Standing.WITHIN)}


def _side(row: int, band_top: int, band_bottom: int) -> Standing:
    """Where a point on `row` reads as standing: above the band, on it, or below it."""
    if row < band_top:
        return Standing.ABOVE
    if row > band_bottom:
        return Standing.BELOW
    return Standing.WITHIN
