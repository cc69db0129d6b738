"""The lists of oversight, paged from SQLite like every list: the metrics with where their
latest value stands against tolerance and when it is next reviewed, and the escalation
log. Every standing, rung and lateness is in words (ABOVE, REVIEW DUE, OVERDUE, CLIMBED);
colour only repeats it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.style import Style

from huddle.models import ActionStatus
from huddle.oversight import shown
from huddle.spc import NotEnoughPoints, Variation
from screens.paged_list import Cells, PagedList
from store.connection import Store
from store.oversight_reads import EscalationLine, MetricLine, escalation_lines, metric_lines

PLAIN = Style()
ALARM = Style(bold=True, color="red")
QUIET = Style(dim=True)


@dataclass(frozen=True)
class OversightQuery:
    as_at: date
    revision: int
    """Bumped after each change, so the lists are read again."""


def _cell(text: str, width: int, style: Style = PLAIN) -> tuple[str, Style]:
    """Cut with an ellipsis, so a cut phrase never runs into the next column."""
    text = text if len(text) <= width else text[: width - 1] + "…"
    return (f"{text:<{width}} ", style)


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


class MetricList(PagedList[OversightQuery, MetricLine]):
    COLUMNS = (
        ("Standing", 8),
        ("Variation", 13),
        ("Metric", 36),
        ("Latest", 32),
        ("Tolerance", 10),
        ("Period", 7),
        ("Triggers", 15),
        ("Review", 10),
        ("Owner", 18),
    )

    def read_page(
        self, store: Store, query: OversightQuery, offset: int, limit: int
    ) -> list[MetricLine]:
        return metric_lines(store, offset, limit)

    def cells(self, line: MetricLine) -> Cells:
        widths = [width for _, width in self.COLUMNS]
        standing = line.standing
        alarm = standing in ("ABOVE", "BELOW")
        triggers, trigger_style = _triggers(line)
        derived = " (worked out)" if line.metric.derivation else ""
        quiet = QUIET if line.latest is None else PLAIN
        variation, variation_style = _variation(line)
        assert self.query_shown is not None  # rows are read for the query shown
        review, review_style = _review(line, self.query_shown.as_at)
        return [
            _cell(standing, widths[0], ALARM if alarm else quiet),
            _cell(variation, widths[1], variation_style),
            _cell(f"{line.metric.name}{derived}", widths[2]),
            _cell(_latest(line), widths[3], ALARM if alarm else PLAIN),
            _cell(line.tolerance, widths[4]),
            _cell(line.metric.period.value, widths[5]),
            _cell(triggers, widths[6], trigger_style),
            _cell(review, widths[7], review_style),
            _cell(line.owner, widths[8]),
        ]


def _due(line: EscalationLine) -> tuple[str, Style]:
    if line.status == ActionStatus.CLOSED:
        return f"closed {line.closed_on:%d/%m}" if line.closed_on else "closed", QUIET
    if line.overdue:
        return f"OVERDUE {line.due_date:%d/%m}", ALARM
    return f"{line.due_date:%d/%m/%Y}", PLAIN


class EscalationList(PagedList[OversightQuery, EscalationLine]):
    COLUMNS = (
        ("Rung", 11),
        ("Escalation", 50),
        ("From", 13),
        ("Owner", 18),
        ("Opened", 6),
        ("Due", 13),
        ("Climbed", 16),
        ("Outcome", 60),
    )

    def read_page(
        self, store: Store, query: OversightQuery, offset: int, limit: int
    ) -> list[EscalationLine]:
        return escalation_lines(store, query.as_at, offset, limit)

    def cells(self, line: EscalationLine) -> Cells:
        widths = [width for _, width in self.COLUMNS]
        closed = line.status == ActionStatus.CLOSED
        style = QUIET if closed else PLAIN
        due, due_style = _due(line)
        climbed = (
            f"CLIMBED {line.climbs}× {line.last_climb:%d/%m}"
            if line.climbs and line.last_climb
            else "—"
        )
        outcome = line.outcome if closed and line.outcome else "open: needs an outcome"
        return [
            _cell(line.rung.value, widths[0], style),
            _cell(line.title, widths[1], style),
            _cell(line.source.value, widths[2], style),
            _cell(
                f"OWNER LEFT: {line.owner}" if line.owner_left and not closed else line.owner,
                widths[3],
                style,
            ),
            _cell(f"{line.opened:%d/%m}", widths[4], style),
            _cell(due, widths[5], due_style),
            _cell(climbed, widths[6], style if not line.climbs or closed else ALARM),
            _cell(outcome, widths[7], style),
        ]
