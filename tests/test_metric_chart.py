"""The metric chart (screens.metric_chart): one metric's observations against its tolerance
band, in text. Pure: each test draws a chart and reads its plain text, column by column.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from rich.text import Text

from huddle.models import Period
from huddle.oversight import next_period
from screens.metric_chart import (
    ABOVE,
    BAND,
    BELOW,
    GAP,
    IN,
    MIN_HEIGHT,
    NO_OBSERVATIONS,
    chart,
)

START = date(2026, 3, 2)  # a Monday, so it starts a week too
GLYPHS = {IN, ABOVE, BELOW}


def days(values: list[float | None], start: date = START) -> list[tuple[date, float]]:
    """A daily series from `start`, None leaving that day out."""
    return [(start + timedelta(days=i), v) for i, v in enumerate(values) if v is not None]


@dataclass
class Drawn:
    """A chart's plain text cut into its parts: the plot rows, the axis, and what is under it."""

    lines: list[str]
    rows: list[str]
    axis: str
    under: list[str]
    origin: int
    """Where the first column is, in characters from the left."""

    def column(self, column: int) -> str:
        """Column `column` of the plot, top to bottom."""
        return "".join(self.at(row, column) for row in self.rows)

    def at(self, line: str, column: int) -> str:
        index = self.origin + column
        return line[index] if index < len(line) else " "

    def glyphs(self, column: int) -> list[tuple[int, str]]:
        return [(row, cell) for row, cell in enumerate(self.column(column)) if cell in GLYPHS]

    def label_row(self, label: str) -> int:
        """The plot row whose y-axis label is `label`."""
        return next(i for i, row in enumerate(self.rows) if row[: self.origin - 2].strip() == label)

    @property
    def columns(self) -> int:
        return len(self.axis) - self.origin

    @property
    def marks(self) -> str:
        """The row of F and C under the axis ('' when nothing fired or cleared)."""
        first = self.under[0]
        return first if set(first) <= {"F", "C", " "} else ""


def draw(
    series: list[tuple[date, float]],
    *,
    period: Period = Period.DAILY,
    low: float | None = 90.0,
    high: float | None = 115.0,
    height: int = 10,
    **options: Any,
) -> Drawn:
    text = chart(series, period=period, low=low, high=high, height=height, **options)
    assert isinstance(text, Text)
    lines = text.plain.split("\n")
    axis_at = next(i for i, line in enumerate(lines) if "└" in line)
    return Drawn(
        lines=lines,
        rows=lines[axis_at - height : axis_at],
        axis=lines[axis_at],
        under=lines[axis_at + 1 :],
        origin=lines[axis_at].index("└") + 1,
    )


# --- points ---------------------------------------------------------------------------------


def test_each_observed_period_has_one_glyph_that_says_in_above_or_below() -> None:
    drawn = draw(days([100, 130, 80, 90, 115, 114.9, 90.1]))
    expected = [IN, ABOVE, BELOW, IN, IN, IN, IN]  # on a limit is within tolerance
    for column, glyph in enumerate(expected):
        found = drawn.glyphs(column)
        assert len(found) == 1, (column, drawn.column(column))
        assert found[0][1] == glyph
    assert sum(row.count(g) for row in drawn.rows for g in GLYPHS) == len(expected)


def test_points_sit_higher_for_higher_values() -> None:
    drawn = draw(days([80, 95, 105, 130]))
    rows = [drawn.glyphs(column)[0][0] for column in range(4)]
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
    gap = drawn.column(1)  # nothing drawn in it, so the band shows whole
    for row, cell in enumerate(gap):
        assert (cell == BAND) == (high_row <= row <= low_row), (row, gap)


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
    assert drawn.column(1) == " " * high_row + BAND * (len(drawn.rows) - high_row)
    assert [glyph for _, glyph in drawn.glyphs(0) + drawn.glyphs(2)] == [IN, ABOVE]


def test_no_high_limit_shades_from_the_top_down_to_the_low_limit() -> None:
    drawn = draw(days([100, None, 60]), low=90.0, high=None)
    low_row = drawn.label_row("90")
    assert drawn.column(1) == BAND * (low_row + 1) + " " * (len(drawn.rows) - low_row - 1)
    assert [glyph for _, glyph in drawn.glyphs(0) + drawn.glyphs(2)] == [IN, BELOW]


def test_counts_get_no_negative_rows_unless_a_point_is_below_the_low_limit() -> None:
    drawn = draw(days([0, 3, 5]), low=0.0, high=4.0)
    assert not any(row.lstrip().startswith("-") for row in drawn.rows)
    below = draw(days([0, 3, 5]), low=1.0, high=4.0)
    [(row, glyph)] = below.glyphs(0)
    assert glyph == BELOW
    assert row > below.label_row("1")


# --- under the axis -------------------------------------------------------------------------


def test_fired_and_cleared_are_marked_under_their_columns() -> None:
    series = days([100, 120, 121, 122, 100, 101])
    drawn = draw(series, fired=[series[3][0]], cleared=[series[4][0]])
    marks = drawn.marks
    assert drawn.at(marks, 3) == "F"
    assert drawn.at(marks, 4) == "C"
    assert marks.strip() == "FC"


def test_fired_wins_a_column_it_shares_with_cleared() -> None:
    series = days([100, 120, 100])
    drawn = draw(series, fired=[series[1][0]], cleared=[series[1][0], series[2][0]])
    assert drawn.marks.strip() == "FC"
    assert drawn.at(drawn.marks, 1) == "F"


def test_no_marks_row_when_nothing_fired_or_cleared_in_view() -> None:
    series = days([100, 101, 102])
    drawn = draw(series, fired=[START - timedelta(days=30)])
    assert drawn.marks == ""
    assert "/" in drawn.under[0]  # straight on to the dates


def test_a_missing_period_is_a_gap_marked_on_the_axis() -> None:
    drawn = draw(days([100, 101, None, 103]))
    assert drawn.columns == 4
    assert drawn.glyphs(2) == []
    assert BAND in drawn.column(2)
    assert [drawn.at(drawn.axis, column) for column in range(4)].count(GAP) == 1
    assert drawn.at(drawn.axis, 2) == GAP
    assert f"{GAP} no observation" in "\n".join(drawn.under)


def test_the_latest_period_is_always_dated_and_dates_do_not_overlap() -> None:
    series = days([100.0] * 30)
    drawn = draw(series)
    dates = drawn.under[0]
    last = series[-1][0].strftime("%d/%m")
    assert dates.endswith(last)
    assert len(dates) - 1 == drawn.origin + 29  # it ends under the latest column
    labels = dates.split()
    assert 3 <= len(labels) <= 6
    assert all(len(label) == 5 and label[2] == "/" for label in labels)
    assert "  " in dates.strip()  # at least two spaces between labels


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
    assert 30 < drawn.columns == 50 - drawn.origin
    assert len(drawn.axis) == 50
    shown = [glyph for column in range(drawn.columns) for _, glyph in drawn.glyphs(column)]
    assert shown == [IN] * (drawn.columns - 1) + [ABOVE]
    assert drawn.under[0].endswith(series[-1][0].strftime("%d/%m"))


def test_weekly_columns_step_a_week_and_a_missing_week_is_a_gap() -> None:
    mondays = [START + timedelta(weeks=i) for i in range(12)]
    series = [(monday, 100.0) for i, monday in enumerate(mondays) if i != 5]
    drawn = draw(series, period=Period.WEEKLY, fired=[mondays[11]])
    assert drawn.columns == 12
    assert drawn.at(drawn.axis, 5) == GAP
    assert drawn.at(drawn.marks, 11) == "F"
    assert drawn.under[1].endswith(mondays[11].strftime("%d/%m"))


def test_monthly_columns_step_a_month_and_name_the_month() -> None:
    months = [date(2025, m, 1) for m in range(1, 13)] + [date(2026, m, 1) for m in range(1, 7)]
    series = [(month, 50.0 + i) for i, month in enumerate(months)]
    drawn = draw(series, period=Period.MONTHLY, low=55.0, high=None, cleared=[date(2026, 2, 1)])
    assert drawn.columns == 18
    assert drawn.at(drawn.marks, 13) == "C"
    dates = drawn.under[1]
    assert dates.endswith("Jun 2026")
    assert "Aug 2025" in dates


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


# --- edges ------------------------------------------------------------------------------------


def test_no_observations_is_one_line_saying_so() -> None:
    text = chart([], period=Period.DAILY, low=90, high=115)
    assert text.plain == NO_OBSERVATIONS
    assert "\n" not in text.plain


def test_a_single_observation_still_draws() -> None:
    drawn = draw(days([100]))
    assert [glyph for _, glyph in drawn.glyphs(0)] == [IN]


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
            "    │       ▲▲▲▲",
            "115 ┤░░░░░░●░░░░●░░░░░░░░",
            "    │░░░░░●░░░░░░░●░░░░░░",
            "    │░░░●●░░░░░░░░░●░░░░░",
            "    │░●●░░░░░░░░░░░░●●●░░",
            " 90 ┤●░░░░░░░░░░░░░░░░░●░",
            "    │                   ▼",
            " 78 ┤",
            "    └─────┬──────·──────┬",
            "             F     C",
            "      07/03  14/03  21/03",
            "● in tolerance  ▲ above  ▼ below  ░ tolerance band  · no observation",
            "F trigger fired  C cleared",
        ]
    )
