"""The lists of oversight, paged from SQLite like every list: the metrics with where their
latest value stands against tolerance and when it is next reviewed, and the escalation
log. Every standing, rung and lateness is in words (ABOVE, REVIEW DUE, OVERDUE, CLIMBED);
colour only repeats it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar, TypeVar

from rich.style import Style

from huddle.models import ActionStatus
from huddle.oversight import shown
from huddle.spc import NotEnoughPoints, Variation
from screens.paged_list import PLAIN, Cells, PagedList, cut_at_a_word
from store.connection import Store
from store.oversight_reads import EscalationLine, MetricLine, escalation_lines, metric_lines

ALARM = Style(bold=True, color="red")
QUIET = Style(dim=True)


@dataclass(frozen=True)
class OversightQuery:
    as_at: date
    revision: int
    """Bumped after each change, so the lists are read again."""


Columns = tuple[tuple[str, int], ...]
Layout = tuple[Columns, str]
"""The columns shown, and the one that takes the width left over (at least its own)."""

L = TypeVar("L")


class FittedList(PagedList[OversightQuery, L]):
    """A list showing as many of its columns as its width holds: LAYOUTS, widest first,
    each fitting whole, so the edge of the screen never cuts a column. What a narrower
    layout leaves out is in the panel beside the list or the entry a row opens."""

    LAYOUTS: ClassVar[tuple[Layout, ...]] = ()
    """COLUMNS is the first, widest layout's."""
    CELLS_FITTED = True

    @property
    def line_width(self) -> int:
        return sum(width + 1 for _, width in self._layout) - 1

    def fit(self) -> tuple[tuple[int, int], ...]:
        # Fitted to the width less a scroll bar, whether or not the list is long enough to
        # draw one yet: its rows arrive after it is sized.
        available = self.size.width - self.styles.scrollbar_size_vertical
        for columns, flex in self.LAYOUTS:
            fixed = sum(width + 1 for title, width in columns if title != flex)
            if fixed + dict(columns)[flex] <= available:
                break
        place = {title: index for index, (title, _) in enumerate(self.COLUMNS)}
        return tuple(
            (place[title], max(width, available - fixed) if title == flex else width)
            for title, width in columns
        )

    def texts(self, line: L) -> dict[str, tuple[str, Style]]:
        """Each column's words for the row, uncut, with its style."""
        raise NotImplementedError

    def cells(self, line: L) -> Cells:
        texts = self.texts(line)
        return [
            cut_at_a_word(texts[title][0], width, texts[title][1])
            for title, width in self.shown_columns()
        ]


def _latest(line: MetricLine) -> str:
    if line.latest is None or line.latest_period is None:
        return "no observations yet: o adds one"
    when = f"{line.latest_period:%d/%m}"
    if outside := line.outside():
        # The segments outside tolerance by name, never hidden behind their mean.
        named = ", ".join(f"{segment} {shown(value)} {word}" for segment, value, word in outside)
        return f"{when} {named}"
    if line.spread is not None:
        return f"{when} mean {shown(line.latest)}, {line.segments} teams ±{shown(line.spread)}%"
    return f"{when} {shown(line.latest)} {line.metric.unit}"


def _triggers(line: MetricLine) -> tuple[str, Style]:
    if line.open_firings:
        return f"{line.open_firings} FIRED", ALARM
    if not line.rules:
        return "no rule", QUIET
    count = len(line.rules)
    return f"{count} rule{'s' if count != 1 else ''}, quiet", PLAIN


_VARIATION = {
    Variation.COMMON_CAUSE: ("common cause", PLAIN),
    Variation.IMPROVING: ("IMPROVING", PLAIN),
    Variation.CONCERNING: ("CONCERNING", ALARM),
    Variation.NEITHER: ("SPECIAL CAUSE", PLAIN),
}


_WORST_FIRST = (Variation.CONCERNING, Variation.NEITHER, Variation.IMPROVING)


def _segments_variation(line: MetricLine) -> tuple[str, Style]:
    """For a metric by team or provider: how many of them show the most telling variation,
    special cause concerning first ("1 CONCERNING"), as one team's drift is the news."""
    every = [chart for _, chart in line.spc_by_segment]
    charts = [chart for chart in every if not isinstance(chart, NotEnoughPoints)]
    if not charts:
        fewest = min(every, key=lambda chart: chart.have, default=None)
        if isinstance(fewest, NotEnoughPoints):
            return f"{fewest.have} of {fewest.need} pts", QUIET
        return "by segment", QUIET
    for variation in _WORST_FIRST:
        if count := sum(chart.variation == variation for chart in charts):
            words, style = _VARIATION[variation]
            return f"{count} {words.split()[0]}", style
    return "common cause", PLAIN


def _variation(line: MetricLine) -> tuple[str, Style]:
    """Making Data Count's variation of the latest point, in words."""
    if line.spc is None:
        return _segments_variation(line)
    if isinstance(line.spc, NotEnoughPoints):
        return f"{line.spc.have} of {line.spc.need} pts", QUIET
    return _VARIATION[line.spc.variation]


def _review(line: MetricLine, today: date) -> tuple[str, Style]:
    """REVIEW DUE in words when the metric's or a rule's review date is today or past."""
    if line.review is None:
        return "", PLAIN
    words = line.review.short(today)
    return words, ALARM if line.review.due(today) else PLAIN if line.review.cycle else QUIET


class MetricList(FittedList[MetricLine]):
    # Enter opens the escalation log's row: a click on a metric only highlights it.
    OPENS = False
    # Standing and variation are never left out; the metric's detail beside or under the
    # list has its tolerance, period, rules, review and owner.
    LAYOUTS = (
        (
            (
                ("Standing", 8),
                ("Variation", 13),
                ("Metric", 36),
                ("Latest", 32),
                ("Tolerance", 10),
                ("Period", 7),
                ("Triggers", 15),
                ("Review", 10),
                ("Owner", 16),
            ),
            "Owner",
        ),
        (
            (
                ("Standing", 8),
                ("Variation", 13),
                ("Metric", 30),
                ("Latest", 32),
                ("Triggers", 15),
                ("Review", 10),
            ),
            "Metric",
        ),
        (
            (("Standing", 8), ("Variation", 13), ("Metric", 24), ("Latest", 32), ("Triggers", 15)),
            "Metric",
        ),
        ((("Standing", 8), ("Variation", 13), ("Metric", 16), ("Latest", 32)), "Metric"),
    )
    COLUMNS = LAYOUTS[0][0]

    def read_page(
        self, store: Store, query: OversightQuery, offset: int, limit: int
    ) -> list[MetricLine]:
        return metric_lines(store, offset, limit)

    def texts(self, line: MetricLine) -> dict[str, tuple[str, Style]]:
        standing = line.standing
        alarm = standing in ("ABOVE", "BELOW")
        triggers, trigger_style = _triggers(line)
        derived = " (worked out)" if line.metric.derivation else ""
        quiet = QUIET if line.latest is None else PLAIN
        variation, variation_style = _variation(line)
        assert self.query_shown is not None  # rows are read for the query shown
        review, review_style = _review(line, self.query_shown.as_at)
        return {
            "Standing": (standing, ALARM if alarm else quiet),
            "Variation": (variation, variation_style),
            "Metric": (f"{line.metric.name}{derived}", PLAIN),
            "Latest": (_latest(line), ALARM if alarm else PLAIN),
            "Tolerance": (line.tolerance, PLAIN),
            "Period": (line.metric.period.value, PLAIN),
            "Triggers": (triggers, trigger_style),
            "Review": (review, review_style),
            "Owner": (line.owner, PLAIN),
        }


def _due(line: EscalationLine) -> tuple[str, Style]:
    if line.status == ActionStatus.CLOSED:
        return f"closed {line.closed_on:%d/%m}" if line.closed_on else "closed", QUIET
    if line.overdue:
        return f"OVERDUE {line.due_date:%d/%m}", ALARM
    return f"{line.due_date:%d/%m/%Y}", PLAIN


class EscalationList(FittedList[EscalationLine]):
    # Rung, due (OVERDUE) and climbs are never left out; an escalation opened (enter) has
    # where it came from, its owner, when it was opened and its outcome.
    LAYOUTS = (
        (
            (
                ("Rung", 11),
                ("Escalation", 50),
                ("From", 13),
                ("Owner", 18),
                ("Opened", 6),
                ("Due", 13),
                ("Climbed", 16),
                ("Outcome", 22),
            ),
            "Outcome",
        ),
        (
            (
                ("Rung", 11),
                ("Escalation", 24),
                ("Owner", 18),
                ("Due", 13),
                ("Climbed", 16),
                ("Outcome", 22),
            ),
            "Escalation",
        ),
        (
            (("Rung", 11), ("Escalation", 24), ("Owner", 18), ("Due", 13), ("Climbed", 16)),
            "Escalation",
        ),
        ((("Rung", 11), ("Escalation", 20), ("Due", 13), ("Climbed", 16)), "Escalation"),
    )
    COLUMNS = LAYOUTS[0][0]

    def read_page(
        self, store: Store, query: OversightQuery, offset: int, limit: int
    ) -> list[EscalationLine]:
        return escalation_lines(store, query.as_at, offset, limit)

    def texts(self, line: EscalationLine) -> dict[str, tuple[str, Style]]:
        closed = line.status == ActionStatus.CLOSED
        style = QUIET if closed else PLAIN
        due, due_style = _due(line)
        climbed = (
            f"CLIMBED {line.climbs}× {line.last_climb:%d/%m}"
            if line.climbs and line.last_climb
            else "—"
        )
        outcome = line.outcome if closed and line.outcome else "open: needs an outcome"
        owner = f"OWNER LEFT: {line.owner}" if line.owner_left and not closed else line.owner
        return {
            "Rung": (line.rung.value, style),
            "Escalation": (line.title, style),
            "From": (line.source.value, style),
            "Owner": (owner, style),
            "Opened": (f"{line.opened:%d/%m}", style),
            "Due": (due, due_style),
            "Climbed": (climbed, style if not line.climbs or closed else ALARM),
            "Outcome": (outcome, style),
        }
