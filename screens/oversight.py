"""Key 6: oversight, so the tool and not a meeting notices drift. The fired triggers still
standing, in words; every metric with where its latest value stands against tolerance;
the highlighted metric's chart against its band, its response pathway, review cycle and
rules; and the escalation log, from triggers, breaches and by hand, with rungs and climbs.

`o` records an observation (the rules are evaluated as it is saved), `n` a new metric, `t`
a trigger rule, `v` that the highlighted metric and its rules were reviewed (REVIEW DUE
goes), `b` the period a metric's Making Data Count limits come from, `e` an escalation by
hand; `s` charts a metric by team or provider another way (the spread, all of them, each
alone); `⏎` opens an escalation with its history. Under 35 rows, `l` shows the escalation
log in place of the metric's detail and chart (see oversight.tcss for each size).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual import on, work
from textual.app import RenderResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from huddle.commands import Command
from huddle.dates import uk
from huddle.models import RuleKind, Segmentation
from huddle.oversight import FORMULAS, Standing, baseline_words, describe, shown, spc_words
from huddle.spc import NotEnoughPoints, Variation, XmRChart
from screens.action_detail import ActionDetailScreen
from screens.base import HuddleScreen, read_and_post
from screens.form import FormScreen
from screens.keys import bindings
from screens.markup import escape
from screens.messages import LoadFailed
from screens.metric_chart import chart
from screens.oversight_forms import (
    escalation_form,
    metric_edit_form,
    metric_form,
    observation_form,
    review_form,
    rule_edit_form,
    rule_form,
    spc_baseline_form,
)
from screens.oversight_lists import EscalationList, MetricList, OversightQuery
from screens.paged_list import ListHeader
from screens.segment_chart import View, segments_chart, views
from store.connection import Store
from store.meeting_log import SeriesQuery, page_of_series
from store.oversight import Evaluation, Recorded
from store.oversight_reads import (
    FiredTrigger,
    MetricLine,
    Series,
    count_escalations,
    count_metrics,
    fired_triggers,
    metric_lines,
    series,
    spc_points,
)
from store.people import everyone

# The chart shows this many periods at most: about a quarter of daily data, two years of
# weekly, all of monthly.
CHART_PERIODS = 120

OVERSIGHT_COMMANDS = (
    # First, so a narrow footer still shows it: the only way to the log on a short terminal.
    Command(
        "ov-log",
        "l",
        "l",
        "toggle_log",
        "Log",
        "Under 35 rows: the escalation log in place of the metric's detail and chart, and back",
    ),
    Command(
        "ov-observation",
        "o",
        "o",
        "observation",
        "Observation",
        "Record a value of the highlighted metric; its trigger rules are evaluated at once",
    ),
    Command("ov-new-metric", "n", "n", "new_metric", "New metric", "Define a metric"),
    Command(
        "ov-rule",
        "t",
        "t",
        "new_rule",
        "Trigger rule",
        "A threshold held for N periods in a row, or a variance between teams, over the"
        " highlighted metric",
    ),
    Command(
        "ov-edit-metric",
        "E",
        "E",
        "edit_metric",
        "Change metric",
        "Change the highlighted metric's tolerance, baseline, pathway, review cycle or owner",
    ),
    Command(
        "ov-edit-rule",
        "R",
        "R",
        "edit_rule",
        "Change rule",
        "Change one of the highlighted metric's trigger rules, or switch it off or on",
    ),
    Command(
        "ov-segment",
        "s",
        "s",
        "segment",
        "Segment",
        "Chart a metric recorded by team or provider another way: the spread between them,"
        " all of them, or each one in turn",
    ),
    Command(
        "ov-reviewed",
        "v",
        "v",
        "reviewed",
        "Reviewed",
        "Record that the highlighted metric and its rules were reviewed today, with what was"
        " decided: the review date moves on a cycle",
    ),
    Command(
        "ov-spc-baseline",
        "b",
        "b",
        "spc_baseline",
        "SPC baseline",
        "Fix the periods the highlighted metric's Making Data Count limits come from, or clear"
        " them to use every observation",
    ),
    Command(
        "ov-escalate",
        "e",
        "e",
        "escalate",
        "Escalate",
        "Raise an escalation by hand: owner, rung, due by the rung's timeframe",
    ),
    Command(
        "ov-open",
        "enter",
        "⏎",
        "open_row",
        "Open",
        "Open the highlighted escalation: its history, climbs and outcome",
    ),
    Command("ov-refresh", "f5", "F5", "refresh", "Refresh", "Read oversight again"),
)


@dataclass
class OversightLoaded(Message):
    fired: list[FiredTrigger]
    metrics: int
    escalations: tuple[int, int, int]
    """Every escalation, those open, and those overdue."""


@dataclass
class SeriesRead(Message):
    line: MetricLine
    series: Series


class ChartPanel(Widget):
    """The highlighted metric's chart, drawn to the size the panel has (and redrawn when
    the terminal is resized). For a metric by team or provider, `s` steps it through its
    views (screens.segment_chart): the spread between them, all of them, each alone."""

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.shown: SeriesRead | None = None
        self.view = View()

    def _views(self) -> list[View]:
        if self.shown is None:
            return []
        rules = self.shown.line.rules
        return views(
            list(self.shown.series.segments),
            spread=any(rule.kind == RuleKind.VARIANCE for rule in rules),
        )

    def show(self, read: SeriesRead) -> None:
        before = self.shown
        self.shown = read
        # The same metric read again (a refresh, an observation saved) keeps its view.
        same = before is not None and before.line.metric.id == read.line.metric.id
        found = self._views()
        if not (same and self.view in found):
            self.view = found[0]
        self.refresh()

    def next_view(self) -> None:
        found = self._views()
        self.view = found[(found.index(self.view) + 1) % len(found)]
        self.refresh()

    def render(self) -> RenderResult:
        if self.shown is None:
            return ""
        found, line = self.shown.series, self.shown.line
        metric = line.metric
        # Where the drawn process limits come from, when a person fixed a baseline.
        fixed = None if line.spc is None else baseline_words(metric, line.spc)
        width = max(30, self.size.width - 1)
        # Title (two lines with a baseline), axis, marks, dates and up to two lines of
        # legend under the plot.
        height = max(5, self.size.height - 6 - (fixed is not None))
        segment = self.view.segment
        if not found.segments or self.view.spread:
            drawn = chart(
                found.points,
                period=metric.period,
                low=found.low,
                high=found.high,
                fired=found.fired,
                cleared=found.cleared,
                width=width,
                height=height,
                process=_process(line),
                thresholds=found.thresholds,
            )
            title = f"{metric.name}: {found.plotted} (last {len(found.points)} periods observed)"
            if fixed is not None:
                title += f"\nProcess {fixed}"
            return Text.assemble((title + "\n", "bold"), drawn)
        noun = metric.segmentation.removeprefix("by ")
        names = list(found.segments)
        low, high = metric.tolerance_low, metric.tolerance_high
        if segment is not None:
            points = found.segments[segment]
            drawn = chart(
                points,
                period=metric.period,
                low=low,
                high=high,
                fired=found.fired,
                cleared=found.cleared,
                width=width,
                height=height,
            )
            which = f"{segment} ({noun} {names.index(segment) + 1} of {len(names)})"
            periods = len(points)
        else:
            drawn = segments_chart(
                found.segments,
                noun=noun,
                period=metric.period,
                low=low,
                high=high,
                fired=found.fired,
                cleared=found.cleared,
                width=width,
                # Two more lines under the plot: the shapes and the segments' legend.
                height=max(5, height - 2),
            )
            which = f"all {len(names)} {noun}s"
            periods = len({start for points in found.segments.values() for start, _ in points})
        title = f"{metric.name}: {metric.unit}, {which} (last {periods} periods observed)"
        return Text.assemble((title + "\n", "bold"), drawn)


def _process(line: MetricLine) -> tuple[float, float, float] | None:
    """Making Data Count's lines for the chart: a whole-service metric with enough points.
    (A metric by team or provider charts the spread between its segments, not their
    values, so its own limits would not belong on it.)"""
    if not isinstance(line.spc, XmRChart):
        return None
    limits = line.spc.limits
    return (
        float(limits.lower_process_limit),
        float(limits.mean),
        float(limits.upper_process_limit),
    )


class NoMetric(Message):
    """No metric is defined yet."""


class OversightScreen(HuddleScreen):
    SCREEN_COMMANDS = OVERSIGHT_COMMANDS
    BINDINGS = bindings(OVERSIGHT_COMMANDS)
    CSS_PATH = "oversight.tcss"

    def __init__(self) -> None:
        super().__init__()
        self.revision = 0
        self.highlighted: MetricLine | None = None
        """The metric at the cursor, read with its series (not waiting for the list's page)."""
        self.escalations = 0

    def compose_body(self) -> Iterable:
        with Vertical(id="oversight", classes="-metric"):
            yield Static("Reading oversight…", id="ov-head")
            # Every fired trigger, however many: the box scrolls (tab to it, then the
            # arrows, or the mouse wheel) rather than cutting them off.
            with VerticalScroll(id="ov-fired"):
                yield Static(id="ov-fired-text")
            metrics = MetricList(id="metrics")
            yield metrics.column_titles(classes="list-header")
            yield metrics
            # Below 35 rows the metric's detail and chart, and the escalation log, take
            # turns in the same place (`l`). The detail scrolls beside the chart (tab to
            # it, then the arrows); below 100 columns the chart goes under the detail and
            # the two scroll together.
            with VerticalScroll(id="ov-metric"):
                with VerticalScroll(id="metric-detail-box"):
                    yield Static(id="metric-detail")
                yield ChartPanel(id="metric-chart")
            escalations = EscalationList(id="escalations")
            yield escalations.column_titles(id="escalations-header", classes="list-header")
            yield escalations

    def on_mount(self) -> None:
        self.watch(self.query_one(MetricList), "cursor", self._metric_moved, init=False)

    def on_resize(self) -> None:
        # After the screen's own handler has set its size classes (-narrow, -short).
        self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        """What the size shows decides what takes focus and which keys are offered: a
        panel out of sight is never focused, nor acted on by a key."""
        # One tab stop for the detail, whichever of the two scrolls at this width.
        narrow = self.has_class("-narrow")
        self.query_one("#ov-metric").can_focus = narrow
        self.query_one("#metric-detail-box").can_focus = not narrow
        focused = self.focused
        if focused is not None and not (
            focused.focusable and all(node.display for node in focused.ancestors_with_self)
        ):
            self.query_one(MetricList).focus()
        self.refresh_bindings()

    def _log_shown(self) -> bool:
        return self.query_one(EscalationList).display

    def action_toggle_log(self) -> None:
        body = self.query_one("#oversight")
        log = body.has_class("-metric")
        body.set_class(log, "-log")
        body.set_class(not log, "-metric")
        # Onto what is now in sight, so tab and enter act on what the user sees.
        if log:
            self.query_one(EscalationList).focus()
        else:
            self.query_one(MetricList).focus()
        self.refresh_bindings()

    def on_screen_resume(self) -> None:
        self.load()
        if not any(w.has_focus for w in (*self.query(MetricList), *self.query(EscalationList))):
            self.query_one(MetricList).focus()
        # The terminal may have been resized while another screen was on top.
        self.call_after_refresh(self._fit)

    # --- reading -------------------------------------------------------------------------

    def _query(self) -> OversightQuery:
        return OversightQuery(self.app.clock.today(), self.revision)

    def action_refresh(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="oversight", exit_on_error=False)
    def load(self) -> None:
        today = self.app.clock.today()

        def read(store: Store) -> OversightLoaded:
            with store.reading():
                return OversightLoaded(
                    fired_triggers(store, today),
                    count_metrics(store),
                    count_escalations(store, today),
                )

        read_and_post(self, read, lambda message: message)

    @on(LoadFailed)
    def _failed(self, message: LoadFailed) -> None:
        self.query_one("#ov-head", Static).update(
            f"[b]Could not read oversight:[/b] {escape(message.reason)}"
        )

    @on(OversightLoaded)
    def _loaded(self, message: OversightLoaded) -> None:
        self.revision += 1
        every, still_open, overdue = message.escalations
        self.escalations = every
        today = self.app.clock.today()
        fired = message.fired
        self.query_one("#ov-head", Static).update(
            f"[b]Oversight[/b] · as at {today:%a %d/%m/%Y} · {_count(message.metrics, 'metric')}"
            f" · [b]{_count(len(fired), 'trigger')} fired[/b] and standing · "
            f"{_count(still_open, 'escalation')} open ({overdue} OVERDUE)"
        )
        self.query_one("#ov-fired", VerticalScroll).display = bool(fired)
        self.query_one("#ov-fired-text", Static).update(
            "\n".join(escape(trigger.words(today)) for trigger in fired)
        )
        self.query_one("#escalations-header", ListHeader).lead(
            f"Escalation log ({every}: {still_open} open)"
        )
        query = self._query()
        self.query_one(MetricList).show(query, message.metrics)
        self.query_one(EscalationList).show(query, every)
        self._metric_moved()

    def _metric_moved(self) -> None:
        # By position, so it does not wait for the list's page of rows to arrive.
        self._read_series(self.query_one(MetricList).cursor)

    @work(thread=True, exclusive=True, group="oversight-series", exit_on_error=False)
    def _read_series(self, position: int) -> None:
        def read(store: Store) -> SeriesRead | None:
            with store.reading():
                lines = metric_lines(store, position, 1)
                if not lines:
                    return None
                return SeriesRead(lines[0], series(store, lines[0].metric, CHART_PERIODS))

        read_and_post(self, read, lambda found: found or NoMetric())

    @on(SeriesRead)
    def _series_read(self, message: SeriesRead) -> None:
        self.highlighted = message.line
        today = self.app.clock.today()
        self.query_one("#metric-detail", Static).update(_detail(message.line, today))
        self.query_one(ChartPanel).show(message)
        self.refresh_bindings()

    @on(NoMetric)
    def _no_metric(self) -> None:
        self.query_one("#metric-detail", Static).update(
            "No metric is defined yet: n defines one (name, unit, period, tolerance, response"
            " pathway, review cycle and owner)."
        )

    # --- keys ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        line = self.highlighted
        if action == "observation":
            return line is not None and line.metric.derivation is None
        if action in ("new_rule", "reviewed"):
            return line is not None
        if action == "spc_baseline":
            # Only a whole-service metric has a Making Data Count chart (see MetricLine.spc).
            return line is not None and line.spc is not None
        if action == "open_row":
            return self.escalations > 0 and self._log_shown()
        if action == "toggle_log":
            return self.has_class("-short")
        return True

    def _after_form(self, saved: object) -> None:
        if saved is None:
            return
        evaluation = _evaluation_of(saved)
        if evaluation is not None and evaluation.fired:
            for firing in evaluation.fired:
                self.notify(
                    firing.why, title="TRIGGER FIRED: escalation opened", severity="warning"
                )
        elif evaluation is not None and evaluation.cleared:
            self.notify(evaluation.cleared[0].cleared_why or "", title="Trigger cleared")
        else:
            self.notify("Saved, with its audit row", title="Recorded")
        self.load()

    def _form_on_highlighted(self, form: Callable[[MetricLine], FormScreen]) -> None:
        """The form `form` makes for the highlighted metric, read again once it is saved."""
        line = self.highlighted
        if line is not None:
            self.app.push_screen(form(line), self._after_form)

    def action_observation(self) -> None:
        store, today = self.app.store, self.app.clock.today()
        self._form_on_highlighted(lambda line: observation_form(store, today, line))

    def action_new_metric(self) -> None:
        form = metric_form(self.app.store, self.app.clock.today(), everyone(self.app.store))
        self.app.push_screen(form, self._after_form)

    def action_new_rule(self) -> None:
        line = self.highlighted
        if line is None:
            return
        known = [line.series for line in page_of_series(self.app.store, SeriesQuery(), 0, 50)]
        form = rule_form(
            self.app.store, self.app.clock.today(), line, everyone(self.app.store), known
        )
        self.app.push_screen(form, self._after_form)

    def action_edit_metric(self) -> None:
        store = self.app.store
        self._form_on_highlighted(lambda line: metric_edit_form(store, line, everyone(store)))

    def action_edit_rule(self) -> None:
        line = self.highlighted
        if line is None:
            return
        if not line.rules:
            self.notify("This metric has no trigger rule: t adds one", title="No rule")
            return
        known = [line.series for line in page_of_series(self.app.store, SeriesQuery(), 0, 50)]
        form = rule_edit_form(
            self.app.store, self.app.clock.today(), line, everyone(self.app.store), known
        )
        self.app.push_screen(form, self._after_form)

    def action_segment(self) -> None:
        line = self.highlighted
        if line is None:
            return
        if line.metric.segmentation == Segmentation.NONE:
            self.notify(
                f"{escape(line.metric.name)} is recorded for the whole service: it has no teams or"
                " providers to chart one by one",
                title="No segments",
            )
            return
        self.query_one(ChartPanel).next_view()

    def action_reviewed(self) -> None:
        store, today = self.app.store, self.app.clock.today()
        self._form_on_highlighted(lambda line: review_form(store, today, line))

    def action_spc_baseline(self) -> None:
        store, today = self.app.store, self.app.clock.today()

        def form(line: MetricLine) -> FormScreen:
            periods = [period for period, _ in spc_points(store, line.metric)]
            return spc_baseline_form(store, today, line, periods)

        self._form_on_highlighted(form)

    def action_escalate(self) -> None:
        form = escalation_form(self.app.store, self.app.clock.today(), everyone(self.app.store))
        self.app.push_screen(form, self._after_form)

    def action_open_row(self) -> None:
        line = self.query_one(EscalationList).current()
        if line is not None:
            self.app.push_screen(ActionDetailScreen(line.id))


def _count(how_many: int, noun: str) -> str:
    return f"{how_many} {noun}" if how_many == 1 else f"{how_many} {noun}s"


def _evaluation_of(saved: object) -> Evaluation | None:
    if isinstance(saved, Recorded):
        return saved.evaluation
    if isinstance(saved, tuple) and len(saved) == 2 and isinstance(saved[1], Evaluation):
        return saved[1]
    return None


def _segment_variation(chart: XmRChart | NotEnoughPoints | None) -> str:
    """A team's or provider's own Making Data Count variation, after its standing."""
    if not isinstance(chart, XmRChart):
        return ""
    words = escape(chart.variation_words())
    concerning = chart.variation == Variation.CONCERNING
    return f" · [b]{words.upper()}[/b]" if concerning else f" · {words}"


def _detail(line: MetricLine, today: date) -> str:
    metric = line.metric
    lines = [
        f"[b]{escape(metric.name)}[/b] ({escape(metric.unit)}, {metric.period},"
        f" {metric.segmentation})",
        f"Tolerance {line.tolerance}"
        + (f" · baseline {shown(metric.baseline)}" if metric.baseline is not None else "")
        + f" · {metric.good}",
        f"Owner {escape(line.owner)} · {_review_words(line, today)}",
        f"[b]Response pathway:[/b] {escape(metric.response_pathway)}",
    ]
    if metric.derivation is not None:
        lines.append(f"[b]Worked out:[/b] {escape(FORMULAS[metric.derivation])}")
    if line.by_segment and line.latest_period is not None:
        lines.append(
            f"[b]By {metric.segmentation.removeprefix('by ')}, {line.latest_period:%d/%m}:[/b]"
        )
        width = max(len(segment) for segment, _ in line.by_segment)
        charts = dict(line.spc_by_segment)
        lines += [
            f"  {escape(segment.ljust(width))}  {shown(value):>8}  "
            + (f"[b]{word}[/b]" if word != Standing.WITHIN else "within")
            + _segment_variation(charts.get(segment))
            for segment, value, word in line.judged()
        ]
    if line.spc is not None:
        lines.append(f"[b]Making Data Count:[/b] {escape(spc_words(metric, line.spc))}")
    for rule in line.rules:
        lines.append(
            f"[b]Rule{'' if rule.active else ' (SWITCHED OFF)'}:[/b] {escape(rule.name)}: "
            f"{escape(describe(rule, metric))} → "
            f"{rule.rung} escalation, agenda of {escape(rule.series)}"
        )
    if not line.rules:
        lines.append("No trigger rule: t adds one")
    if last := line.last_review:
        lines.append(
            f"Last reviewed {uk(last.reviewed_on)} by {escape(last.by)}: {escape(last.note)}"
        )
    return "\n".join(lines)


def _review_words(line: MetricLine, today: date) -> str:
    """When the metric and its rules are next reviewed, with the cycle's words: bold when
    due, or when the cycle is not understood."""
    review = line.review
    if review is None:
        return f"review {escape(line.metric.review_cycle)}"
    words = escape(review.words(today))
    return f"[b]{words}[/b]" if review.due(today) or review.cycle is None else words
