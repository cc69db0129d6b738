"""The metric chart (screens.metric_chart): one metric's observations against its tolerance
band, in text. Pure: each test draws a chart and reads its plain text, period by period.

Each period has a cell of one to MAX_CELL characters (wider when few periods share the width);
its point, its F or C and its axis tick sit at the cell's centre. The tests work out the cell
from the width and the number of periods, never from the drawing itself, and read each period
at its centre.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

import pytest
from rich.text import Text

from huddle.models import Period
from huddle.oversight import next_period
from screens.metric_chart import (
    ABOVE,
    BAND,
    BELOW,
    CLEARED,
    FIRED,
    GAP,
    IN,
    MAX_CELL,
    MIN_HEIGHT,
    NO_OBSERVATIONS,
    THRESHOLD,
    TICK,
    chart,
)

START = date(2026, 3, 2)  # a Monday, so it starts a week too
GLYPHS = {IN, ABOVE, BELOW}


def days(values: list[float | None], start: date = START) -> list[tuple[date, float]]:
    """A daily series from `start`, None leaving that day out."""
    return [(start + timedelta(days=i), v) for i, v in enumerate(values) if v is not None]


def every_period(series: list[tuple[date, float]], period: Period) -> list[date]:
    """Every period from the series' first to its last, observed or not."""
    first, last = min(start for start, _ in series), max(start for start, _ in series)
    periods = [first]
    while (following := next_period(periods[-1], period)) <= last:
        periods.append(following)
    return periods


@dataclass
class Drawn:
    """A chart's plain text cut into its parts: the plot rows, the axis, and what is under it."""

    lines: list[str]
    rows: list[str]
    axis: str
    under: list[str]
    origin: int
    """Where the first cell starts, in characters from the left."""
    width: int
    periods: list[date]
    """Every period the series spans, observed or not (more than may be shown)."""

    @property
    def cell(self) -> int:
        """Characters per period: the room beside the labels shared out, one to MAX_CELL."""
        return max(1, min(MAX_CELL, (self.width - self.origin) // len(self.periods)))

    @property
    def shown(self) -> list[date]:
        """The periods drawn: the latest that fit."""
        return self.periods[-((self.width - self.origin) // self.cell) :]

    def centre(self, period: int) -> int:
        """The index, in a line, of the centre of the `period`th shown period's cell."""
        return self.origin + period * self.cell + self.cell // 2

    def at(self, line: str, period: int) -> str:
        """What `line` has at the centre of the `period`th cell."""
        index = self.centre(period)
        return line[index] if index < len(line) else " "

    def cell_of(self, line: str, period: int) -> str:
        """The whole of the `period`th cell of `line`, blank where the line stops short."""
        start = self.origin + period * self.cell
        return line[start : start + self.cell].ljust(self.cell)

    def column(self, period: int) -> str:
        """The centre of the `period`th cell, top to bottom."""
        return "".join(self.at(row, period) for row in self.rows)

    def glyphs(self, period: int) -> list[tuple[int, str]]:
        return [(row, cell) for row, cell in enumerate(self.column(period)) if cell in GLYPHS]

    def label_row(self, label: str) -> int:
        """The plot row whose y-axis label is `label`."""
        return next(i for i, row in enumerate(self.rows) if row[: self.origin - 2].strip() == label)

    @property
    def marks(self) -> str:
        """The row of F and C under the axis ('' when nothing fired or cleared)."""
        first = self.under[0]
        return first if set(first) <= {"F", "C", " "} else ""

    @property
    def dates(self) -> str:
        """The row of dates under the axis (and under the marks, if any)."""
        return self.under[1] if self.marks else self.under[0]

    def dated(self, date_format: str) -> dict[int, str]:
        """Each dated period (its index among those shown) and its label, checking that the
        label ends under the centre of that period's cell and names it."""
        found = {}
        for match in re.finditer(r"\S+(?: \S+)?", self.dates):
            offset = match.end() - 1 - self.origin - self.cell // 2
            assert offset % self.cell == 0, (match.group(), self.dates)
            period = offset // self.cell
            assert match.group() == self.shown[period].strftime(date_format)
            found[period] = match.group()
        return found


def draw(
    series: list[tuple[date, float]],
    *,
    period: Period = Period.DAILY,
    low: float | None = 90.0,
    high: float | None = 115.0,
    height: int = 10,
    width: int = 80,
    **options: Any,
) -> Drawn:
    text = chart(series, period=period, low=low, high=high, height=height, width=width, **options)
    assert isinstance(text, Text)
    lines = text.plain.split("\n")
    axis_at = next(i for i, line in enumerate(lines) if "└" in line)
    return Drawn(
        lines=lines,
        rows=lines[axis_at - height : axis_at],
        axis=lines[axis_at],
        under=lines[axis_at + 1 :],
        origin=lines[axis_at].index("└") + 1,
        width=width,
        periods=every_period(series, period),
    )


# --- points ---------------------------------------------------------------------------------


def test_each_observed_period_has_one_glyph_that_says_in_above_or_below() -> None:
    drawn = draw(days([100, 130, 80, 90, 115, 114.9, 90.1]))
    expected = [IN, ABOVE, BELOW, IN, IN, IN, IN]  # on a limit is within tolerance
    for period, glyph in enumerate(expected):
        found = drawn.glyphs(period)
        assert len(found) == 1, (period, drawn.column(period))
        assert found[0][1] == glyph
    assert sum(row.count(g) for row in drawn.rows for g in GLYPHS) == len(expected)


def test_points_sit_higher_for_higher_values() -> None:
    drawn = draw(days([80, 95, 105, 130]))
    rows = [drawn.glyphs(period)[0][0] for period in range(4)]
    assert rows == sorted(rows, reverse=True)
    assert rows[0] > rows[-1]


def test_a_point_just_outside_a_limit_is_drawn_off_the_band() -> None:
    # 115.01 and 89.99 round onto the limits' rows; the band must not hold them.
    drawn = draw(days([100, 115.01, 89.99]))
    high_row, low_row = drawn.label_row("115"), drawn.label_row("90")
    [(above_row, above)] = drawn.glyphs(1)
    [(below_row, below)] = drawn.glyphs(2)
    assert (above, below) == (ABOVE, BELOW)
    assert above_row == high_row - 1
    assert below_row == low_row + 1


def test_out_of_band_points_are_red_as_well_as_shaped() -> None:
    text = chart(days([100, 130]), period=Period.DAILY, low=90, high=115)
    styles = {text.plain[span.start : span.end]: str(span.style) for span in text.spans}
    assert styles[ABOVE] == "bold red"
    assert styles[IN] == "green"


# --- the band and the y axis ----------------------------------------------------------------


def test_the_band_fills_the_rows_from_high_to_low_and_no_others() -> None:
    drawn = draw(days([100, None, 100]))
    high_row, low_row = drawn.label_row("115"), drawn.label_row("90")
    assert high_row < low_row
    gap = [drawn.cell_of(row, 1) for row in drawn.rows]  # nothing drawn in it: the band whole
    for row, cells in enumerate(gap):
        in_band = high_row <= row <= low_row
        assert cells == (BAND if in_band else " ") * drawn.cell, (row, gap)


def test_three_to_five_y_labels_including_both_limits() -> None:
    drawn = draw(days([100, 130, 80]))
    labels = [row[: drawn.origin - 2].strip() for row in drawn.rows]
    named = [label for label in labels if label]
    assert 3 <= len(named) <= 5
    assert {"115", "90"} <= set(named)
    values = [float(label) for label in named]
    assert values == sorted(values, reverse=True)
    assert values[0] > 130 and values[-1] < 80  # the range has a margin round the data


def test_no_low_limit_shades_from_the_high_limit_down_to_the_bottom() -> None:
    drawn = draw(days([100, None, 130]), low=None, high=115.0)
    high_row = drawn.label_row("115")
    gap = [drawn.cell_of(row, 1) for row in drawn.rows]
    assert gap == [" " * drawn.cell] * high_row + [BAND * drawn.cell] * (len(gap) - high_row)
    assert [glyph for _, glyph in drawn.glyphs(0) + drawn.glyphs(2)] == [IN, ABOVE]


def test_no_high_limit_shades_from_the_top_down_to_the_low_limit() -> None:
    drawn = draw(days([100, None, 60]), low=90.0, high=None)
    low_row = drawn.label_row("90")
    gap = [drawn.cell_of(row, 1) for row in drawn.rows]
    assert gap == [BAND * drawn.cell] * (low_row + 1) + [" " * drawn.cell] * (
        len(gap) - low_row - 1
    )
    assert [glyph for _, glyph in drawn.glyphs(0) + drawn.glyphs(2)] == [IN, BELOW]


def test_counts_get_no_negative_rows_unless_a_point_is_below_the_low_limit() -> None:
    drawn = draw(days([0, 3, 5]), low=0.0, high=4.0)
    assert not any(row.lstrip().startswith("-") for row in drawn.rows)
    below = draw(days([0, 3, 5]), low=1.0, high=4.0)
    [(row, glyph)] = below.glyphs(0)
    assert glyph == BELOW
    assert row > below.label_row("1")


# --- under the axis -------------------------------------------------------------------------


def test_fired_and_cleared_are_marked_under_their_periods() -> None:
    series = days([100, 120, 121, 122, 100, 101])
    drawn = draw(series, fired=[series[3][0]], cleared=[series[4][0]])
    marks = drawn.marks
    assert drawn.at(marks, 3) == FIRED
    assert drawn.at(marks, 4) == CLEARED
    assert marks.split() == [FIRED, CLEARED]


def test_fired_wins_a_period_it_shares_with_cleared() -> None:
    series = days([100, 120, 100])
    drawn = draw(series, fired=[series[1][0]], cleared=[series[1][0], series[2][0]])
    assert drawn.marks.split() == [FIRED, CLEARED]
    assert drawn.at(drawn.marks, 1) == FIRED
    assert drawn.at(drawn.marks, 2) == CLEARED


def test_no_marks_row_when_nothing_fired_or_cleared_in_view() -> None:
    series = days([100, 101, 102])
    drawn = draw(series, fired=[START - timedelta(days=30)])
    assert drawn.marks == ""
    assert "/" in drawn.under[0]  # straight on to the dates


def test_a_missing_period_is_a_gap_marked_on_the_axis() -> None:
    drawn = draw(days([100, 101, None, 103]))
    assert len(drawn.shown) == 4
    assert len(drawn.axis) == drawn.origin + 4 * drawn.cell
    assert drawn.glyphs(2) == []
    assert BAND in drawn.column(2)
    assert drawn.axis.count(GAP) == 1
    assert drawn.at(drawn.axis, 2) == GAP
    assert f"{GAP} no observation" in "\n".join(drawn.under)


def test_the_latest_period_is_always_dated_and_dates_do_not_overlap() -> None:
    series = days([100.0] * 30)
    drawn = draw(series)
    dates = drawn.dates
    last = series[-1][0].strftime("%d/%m")
    assert dates.endswith(last)
    assert len(dates) - 1 == drawn.centre(29)  # it ends under the latest period's centre
    dated = drawn.dated("%d/%m")  # each label ends under the centre of the period it names
    assert 29 in dated
    assert len(dated) >= 3
    assert all(len(label) == 5 and label[2] == "/" for label in dated.values())
    assert all(len(space) >= 2 for space in re.findall(r" +", dates.strip()))
    # The dated periods, and only they, have a tick on the axis.
    ticks = {i for i in range(len(drawn.shown)) if drawn.at(drawn.axis, i) == TICK}
    assert ticks == set(dated)


def test_the_legend_names_every_mark() -> None:
    drawn = draw(days([100, 120]))
    legend = " ".join(drawn.under)
    for words in (
        "● in tolerance",
        "▲ above",
        "▼ below",
        "░ tolerance band",
        "F trigger fired",
        "C cleared",
    ):
        assert words in legend
    assert GAP not in legend  # no gap, no need to explain one


# --- periods and width ----------------------------------------------------------------------


def test_more_periods_than_fit_keeps_the_latest() -> None:
    # The earliest 100 days are above tolerance and the latest within it but the last: only
    # the latest fit in 50 characters, so no early one is drawn.
    values = [140.0] * 100 + [100.0 + (i % 7) for i in range(99)] + [140.0]
    series = days(values)
    drawn = draw(series, width=50)
    assert drawn.cell == 1
    assert 30 < len(drawn.shown) == 50 - drawn.origin
    assert drawn.shown[-1] == series[-1][0]
    assert len(drawn.axis) == 50
    shown = [glyph for period in range(len(drawn.shown)) for _, glyph in drawn.glyphs(period)]
    assert shown == [IN] * (len(drawn.shown) - 1) + [ABOVE]
    assert drawn.dates.endswith(series[-1][0].strftime("%d/%m"))


def test_weekly_periods_step_a_week_and_a_missing_week_is_a_gap() -> None:
    mondays = [START + timedelta(weeks=i) for i in range(12)]
    series = [(monday, 100.0) for i, monday in enumerate(mondays) if i != 5]
    drawn = draw(series, period=Period.WEEKLY, fired=[mondays[11]])
    assert drawn.shown == mondays
    assert len(drawn.axis) == drawn.origin + 12 * drawn.cell
    assert drawn.at(drawn.axis, 5) == GAP
    assert drawn.at(drawn.marks, 11) == FIRED
    assert drawn.dates.endswith(mondays[11].strftime("%d/%m"))
    assert len(drawn.dates) - 1 == drawn.centre(11)
    assert 11 in drawn.dated("%d/%m")


def test_monthly_periods_step_a_month_and_name_the_month() -> None:
    months = [date(2025, m, 1) for m in range(1, 13)] + [date(2026, m, 1) for m in range(1, 7)]
    series = [(month, 50.0 + i) for i, month in enumerate(months)]
    drawn = draw(series, period=Period.MONTHLY, low=55.0, high=None, cleared=[date(2026, 2, 1)])
    assert drawn.shown == months
    assert len(drawn.axis) == drawn.origin + 18 * drawn.cell
    assert drawn.at(drawn.marks, 13) == CLEARED
    assert drawn.dates.endswith("Jun 2026")
    dated = drawn.dated("%b %Y")  # "Mon YYYY" ending under the centre of its month
    assert dated[17] == "Jun 2026"
    assert len(dated) >= 3


@pytest.mark.parametrize("width", [24, 40, 60, 80, 120])
@pytest.mark.parametrize("period", list(Period))
def test_every_line_fits_the_width_and_has_no_trailing_space(width: int, period: Period) -> None:
    # Wide labels (12345.67) and every ninth period missing, over more periods than fit.
    series, start = [], START.replace(day=1)
    for i in range(150):
        if i % 9:
            series.append((start, 12345.67 - i * 11.5))
        start = next_period(start, period)
    text = chart(
        series,
        period=period,
        low=11000.0,
        high=12000.25,
        fired=[series[-3][0]],
        cleared=[series[-1][0]],
        width=width,
        unit="referrals received each period",
    )
    for line in text.plain.split("\n"):
        assert len(line) <= width, line
        assert line == line.rstrip()


def test_the_unit_heads_the_chart() -> None:
    text = chart(days([100]), period=Period.DAILY, low=90, high=115, unit="referrals")
    assert text.plain.split("\n")[0] == "referrals"


# --- cells: few periods spread to fill the width --------------------------------------------


@pytest.mark.parametrize(
    ("periods", "cell"),
    [
        # 80 wide less "115 ┤" leaves 75 columns, shared out and capped at MAX_CELL.
        (1, 5),
        (3, 5),
        (15, 5),  # exactly 5 each
        (16, 4),
        (20, 3),
        (25, 3),
        (26, 2),
        (37, 2),
        (38, 1),  # 1.97 each: one, with room to spare
        (75, 1),
        (200, 1),
    ],
)
def test_the_cell_is_the_width_shared_out_between_the_periods(periods: int, cell: int) -> None:
    drawn = draw(days([100.0 + i % 3 for i in range(periods)]))
    assert drawn.origin == 5
    assert drawn.cell == cell
    assert len(drawn.shown) == min(periods, 75)
    assert len(drawn.axis) == drawn.origin + len(drawn.shown) * cell
    for period in range(len(drawn.shown)):
        assert len(drawn.glyphs(period)) == 1, period


def test_few_periods_fill_no_more_than_max_cell_each() -> None:
    drawn = draw(days([100, 110, 95]), width=120)
    assert drawn.cell == MAX_CELL
    assert len(drawn.axis) == drawn.origin + 3 * MAX_CELL  # not stretched to 120
    assert all(len(line) <= drawn.origin + 3 * MAX_CELL for line in drawn.rows)


def test_many_periods_take_one_character_each() -> None:
    drawn = draw(days([100.0] * 40), width=40)
    assert drawn.cell == 1
    assert len(drawn.shown) == 40 - drawn.origin
    assert len(drawn.axis) == 40
    # One character per period, so dates are a label and two spaces (seven periods) apart.
    dated = sorted(drawn.dated("%d/%m"))
    assert dated[-1] == len(drawn.shown) - 1
    assert {later - earlier for earlier, later in pairwise(dated)} == {7}


@pytest.mark.parametrize("period", list(Period))
@pytest.mark.parametrize("count_", [1, 2, 3, 5, 8, 13, 21, 34])
@pytest.mark.parametrize("width", [12, 24, 40, 80, 120])
def test_every_line_fits_the_width_whatever_the_cell(
    width: int, count_: int, period: Period
) -> None:
    series, start = [], date(2026, 1, 1)
    for i in range(count_):
        if i % 4 != 2:
            series.append((start, 100.0 + 20 * (i % 3)))
        start = next_period(start, period)
    text = chart(
        series,
        period=period,
        low=90,
        high=115,
        fired=[series[-1][0]],
        cleared=[series[0][0]],
        width=width,
    )
    for line in text.plain.split("\n"):
        assert len(line) <= width, line
        assert line == line.rstrip()


@pytest.mark.parametrize(("width", "cell"), [(25, 5), (21, 4), (17, 3), (13, 2)])
def test_glyph_mark_tick_and_gap_sit_at_the_centre_of_the_cell(width: int, cell: int) -> None:
    # Four days, the third missing: "115 ┤" leaves width - 5 columns for them. (series[2] is
    # the fourth day.)
    series = days([100, 130, None, 80])
    drawn = draw(series, width=width, fired=[series[1][0]], cleared=[series[2][0]])
    assert drawn.cell == cell
    centre = cell // 2
    for period, glyph in ((0, IN), (1, ABOVE), (2, None), (3, BELOW)):
        for row in drawn.rows:
            cells = drawn.cell_of(row, period)
            # Either side of the centre is the band or blank; only the centre holds a glyph.
            assert not set(cells[:centre] + cells[centre + 1 :]) & GLYPHS, (period, cells)
        assert [g for _, g in drawn.glyphs(period)] == ([glyph] if glyph else [])
    assert drawn.cell_of(drawn.marks, 1) == " " * centre + FIRED + " " * (cell - centre - 1)
    assert drawn.cell_of(drawn.marks, 3) == " " * centre + CLEARED + " " * (cell - centre - 1)
    assert drawn.cell_of(drawn.marks, 2) == " " * cell
    axis = [drawn.cell_of(drawn.axis, period) for period in range(4)]
    assert axis[2] == "─" * centre + GAP + "─" * (cell - centre - 1)
    assert axis[3] == "─" * centre + TICK + "─" * (cell - centre - 1)  # the latest is dated
    assert drawn.dates.endswith(series[-1][0].strftime("%d/%m"))
    assert len(drawn.dates) - 1 == drawn.centre(3)


def test_dates_are_spaced_by_cells_and_the_first_is_named_when_there_is_room() -> None:
    # Three days at five characters each: the last and the first are ten apart, room for
    # "dd/mm" and two spaces, so both are named; the middle one would crowd them.
    drawn = draw(days([100, 101, 102]))
    assert drawn.cell == MAX_CELL
    assert drawn.dated("%d/%m") == {0: "02/03", 2: "04/03"}
    # Two days are only five apart: just the latest.
    two = draw(days([100, 101]))
    assert two.dated("%d/%m") == {1: "03/03"}


# --- edges ------------------------------------------------------------------------------------


def test_no_observations_is_one_line_saying_so() -> None:
    text = chart([], period=Period.DAILY, low=90, high=115)
    assert text.plain == NO_OBSERVATIONS
    assert "\n" not in text.plain


def test_a_single_observation_still_draws() -> None:
    drawn = draw(days([100]))
    assert drawn.cell == MAX_CELL
    assert [glyph for _, glyph in drawn.glyphs(0)] == [IN]
    assert drawn.dates.strip() == START.strftime("%d/%m")


def test_too_few_rows_is_refused() -> None:
    with pytest.raises(ValueError, match="rows"):
        chart(days([100]), period=Period.DAILY, low=90, high=115, height=MIN_HEIGHT - 1)


def test_the_same_input_draws_the_same_chart() -> None:
    series = days([92, 95, 97, 101, 104, 108, 112, 116, 118, 121])
    first = chart(series, period=Period.DAILY, low=90, high=115, fired=[series[8][0]])
    again = chart(series, period=Period.DAILY, low=90, high=115, fired=[series[8][0]])
    assert first.plain == again.plain
    assert first.spans == again.spans


def test_a_twenty_day_chart_with_a_firing_and_a_clearing() -> None:
    # 75 columns for 20 days: three characters each, every point at its cell's centre.
    values = [92, 95, 97, 101, 104, 108, 112, 116, 118, 121, 117, 113, None, 109, 104, 99]
    values += [96, 94, 90, 86]
    series = days(values)
    text = chart(
        series,
        period=Period.DAILY,
        low=90,
        high=115,
        fired=[START + timedelta(days=8)],
        cleared=[START + timedelta(days=14)],
        unit="referrals a day",
    )
    assert text.plain == "\n".join(
        [
            "referrals a day",
            "132 ┤",
            "    │",
            "    │                      ▲  ▲  ▲  ▲",
            "115 ┤░░░░░░░░░░░░░░░░░░░●░░░░░░░░░░░░░░●░░░░░░░░░░░░░░░░░░░░░░░░░",
            "    │░░░░░░░░░░░░░░░░●░░░░░░░░░░░░░░░░░░░░░░░●░░░░░░░░░░░░░░░░░░░",
            "    │░░░░░░░░░░●░░●░░░░░░░░░░░░░░░░░░░░░░░░░░░░░●░░░░░░░░░░░░░░░░",
            "    │░░░░●░░●░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░●░░●░░●░░░░░░░",
            " 90 ┤░●░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░●░░░░",
            "    │                                                          ▼",
            " 78 ┤",
            "    └────┬────────┬────────┬────────┬─────·──┬────────┬────────┬─",
            "                              F                 C",
            "     03/03    06/03    09/03    12/03    15/03    18/03    21/03",
            "● in tolerance  ▲ above  ▼ below  ░ tolerance band  · no observation",
            "F trigger fired  C cleared",
        ]
    )


# --- Making Data Count's lines ---------------------------------------------------------------


def test_the_mean_and_process_limits_are_drawn_behind_the_points_and_named() -> None:
    """Tolerance 90–115 and process limits 95 and 105 around a mean of 100: the mean's row
    is a ─ line and each limit's a ╌ line wherever no point stands, and the legend names
    them; a chart without them has neither."""
    values = [100, 104, 96, 100, 102, 98, 100]
    drawn = draw(days(values), process=(95.0, 100.0, 105.0), height=12)
    mean_rows = [row for row in drawn.rows if "─" in row[drawn.origin :]]
    limit_rows = [row for row in drawn.rows if "╌" in row[drawn.origin :]]
    assert len(mean_rows) == 1 and len(limit_rows) == 2
    # The points on the mean stand on its line: their glyph, not the line, at their centre.
    mean_row = drawn.rows.index(mean_rows[0])
    assert [drawn.at(mean_rows[0], p) for p in (0, 3, 6)] == [IN, IN, IN]
    assert all((mean_row, IN) in drawn.glyphs(p) for p in (0, 3, 6))
    assert "─ mean" in " ".join(drawn.under) and "╌ process limits" in " ".join(drawn.under)
    plain = draw(days(values), height=12)
    assert not any("─" in row[plain.origin :] or "╌" in row for row in plain.rows)
    assert "process limits" not in " ".join(plain.under)


def test_process_limits_beyond_the_tolerance_widen_the_scale_to_show_them() -> None:
    drawn = draw(days([100, 101, 99]), process=(60.0, 100.0, 140.0), height=12)
    assert sum("╌" in row[drawn.origin :] for row in drawn.rows) == 2


# --- threshold rules' lines -----------------------------------------------------------------


def test_a_threshold_is_a_line_on_its_own_row_labelled_with_its_value() -> None:
    """A threshold rule at 120 beside a tolerance of 90–130: its row, and only its row, is a
    ┄ line labelled 120 wherever no point stands, and the legend names it; a chart without
    one has neither."""
    series = days([100, 101, None, 99])
    drawn = draw(series, high=130.0, thresholds=[120.0], height=12)
    row = drawn.label_row("120")
    assert row not in (drawn.label_row("130"), drawn.label_row("90"))
    assert drawn.cell_of(drawn.rows[row], 2) == THRESHOLD * drawn.cell  # the gap: line only
    assert [r for r, line in enumerate(drawn.rows) if THRESHOLD in line] == [row]
    assert "┄ rule threshold" in " ".join(drawn.under)
    plain = draw(series, high=130.0, height=12)
    assert not any(THRESHOLD in line for line in plain.lines)
    assert "rule threshold" not in " ".join(plain.under)


def test_a_threshold_wins_the_row_it_shares_with_the_mean() -> None:
    drawn = draw(days([100, 104, 96]), thresholds=[100.0], process=(95.0, 100.0, 105.0))
    row = drawn.label_row("100")
    assert set(drawn.rows[row][drawn.origin :]) == {THRESHOLD, IN}


def test_a_threshold_sharing_a_row_with_a_limit_names_both() -> None:
    """The demo's surge rule: tolerance up to 44, the rule at 46 (40 + 15%), five apart on a
    scale of five a row: one line, labelled with both, lower first."""
    drawn = draw(days([30, 40, 47, 20, 60]), low=None, high=44.0, thresholds=[46.0], height=9)
    row = drawn.label_row("44/46")
    assert THRESHOLD in drawn.rows[row]


def test_a_threshold_line_never_hides_a_point() -> None:
    """Issue 22: 115 and 115.01 sat on one row. A point exactly on the threshold stands on its
    line (its glyph, not the line, at its centre); one just over it is drawn a row above the
    line and one just under a row below, each where its shape says against the band."""
    drawn = draw(days([100, 115, 115.01, 114.99]), low=90.0, high=130.0, thresholds=[115.0])
    row = drawn.label_row("115")
    assert drawn.glyphs(1) == [(row, IN)]
    assert drawn.at(drawn.rows[row], 1) == IN
    assert drawn.at(drawn.rows[row], 0) == THRESHOLD
    assert drawn.glyphs(2) == [(row - 1, IN)]
    assert drawn.glyphs(3) == [(row + 1, IN)]
    # Over the threshold and the tolerance both: above both, never hidden by the line.
    over = draw(days([100, 115.01]), low=90.0, high=115.0, thresholds=[115.0])
    assert over.glyphs(1) == [(over.label_row("115") - 1, ABOVE)]
