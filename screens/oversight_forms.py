"""The forms of oversight: an observation, a new metric, a trigger rule and an escalation
raised by hand. Each saves through one audited write, names the field it refuses, and keeps
what was typed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from textual import on
from textual.widgets import Input, Select

from huddle import spc
from huddle.dates import uk
from huddle.models import (
    Comparison,
    EscalationRung,
    GoodDirection,
    Metric,
    MetricReview,
    Period,
    Person,
    RuleKind,
    Segmentation,
    TriggerRule,
)
from huddle.oversight import LADDER, baseline_words, due_on, shown
from huddle.people import match_person
from huddle.review_cycle import EXAMPLE
from screens.action_form import WHEN, due, optional_date
from screens.form import FormField, FormScreen
from screens.meeting_forms import person_field
from store import oversight
from store.bank_holidays import added_bank_holidays
from store.connection import Store
from store.oversight import Reading, Recorded
from store.oversight_reads import MetricLine


def number(typed: str, field: str, *, required: bool = True) -> float | None:
    """A number as typed ('46', '12.5'); blank is None where the field is optional."""
    words = typed.strip().replace(",", "")
    if not words:
        if required:
            raise ValueError(f"{field}: give a number")
        return None
    try:
        value = float(words)
    except ValueError:
        raise ValueError(f"{field}: {typed.strip()!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{field}: {typed.strip()!r} is not a number")
    return value


def _whole(typed: str, field: str) -> int:
    words = typed.strip()
    # ASCII digits (int() refuses a superscript '²'), and at most four of them: a run of
    # more periods is a slip, and one past SQLite's integers could not even be stored.
    if not (words.isascii() and words.isdigit()) or len(words) > 4 or int(words) < 1:
        raise ValueError(f"{field}: give a whole number of periods, 1 or more")
    return int(words)


def _yes(typed: str, field: str) -> bool:
    words = typed.strip().lower()
    if words in ("y", "yes"):
        return True
    if words in ("n", "no", ""):
        return False
    raise ValueError(f"{field}: y or n")


def observation_form(store: Store, today: date, line: MetricLine) -> FormScreen[Recorded]:
    """One value for the highlighted metric: its period, the value, and the team or
    provider for a segmented metric."""
    metric = line.metric
    segmented = metric.segmentation != Segmentation.NONE

    def save(typed: dict[str, str]) -> Recorded:
        value = number(typed["value"], "value")
        assert value is not None
        return oversight.record_observation(
            store,
            Reading(
                metric.id,  # type: ignore[arg-type]
                due(typed["day"], today, "period") if typed["day"].strip() else today,
                value,
                typed.get("segment", ""),
            ),
            today,
        )

    fields = [
        FormField("day", "Period (a day in it)", value="today", placeholder=WHEN),
        FormField("value", f"Value ({metric.unit})", placeholder="e.g. 46 or 12.5"),
    ]
    if segmented:
        fields.append(FormField("segment", "Team or provider", placeholder="as in earlier returns"))
    latest = (
        f"Latest: {shown(line.latest)} for {line.latest_period:%d/%m/%Y}"
        if line.latest is not None and line.latest_period
        else "No observations yet"
    )
    return FormScreen(
        f"Observation of {metric.name} ({metric.period})",
        fields,
        save,
        note=(
            f"{latest}. Tolerance {line.tolerance}. A value for a period already recorded"
            " corrects it (the old value stays in the audit trail). The trigger rules are"
            " evaluated as it is saved."
        ),
    )


def metric_form(store: Store, today: date, staff: Sequence[Person]) -> FormScreen[Metric]:
    """A metric entered by hand: tolerance, pathway, review cycle (saying how often) and
    owner all required; its review clock starts today."""

    def save(typed: dict[str, str]) -> Metric:
        low = number(typed["low"], "low limit", required=False)
        high = number(typed["high"], "high limit", required=False)
        if low is None and high is None:
            raise ValueError("low limit: give a low or a high limit, or both")
        for field in ("name", "unit", "pathway", "review"):
            if not typed[field].strip():
                raise ValueError(f"{_LABELS[field]}: required")
        return oversight.define_metric(
            store,
            Metric(
                name=typed["name"],
                unit=typed["unit"],
                period=Period(typed["period"]),
                tolerance_low=low,
                tolerance_high=high,
                baseline=number(typed["baseline"], "baseline", required=False),
                good=GoodDirection(typed["good"]),
                response_pathway=typed["pathway"],
                review_cycle=typed["review"],
                owner_id=match_person(staff, typed["owner"], "owner").id,  # type: ignore[arg-type]
                segmentation=Segmentation(typed["segmentation"]),
            ),
            today,
        )

    return FormScreen(
        "New metric",
        [
            FormField("name", _LABELS["name"], placeholder="e.g. Missed visits"),
            FormField("unit", _LABELS["unit"], placeholder="e.g. visits, %, cases per WTE"),
            FormField("period", "Period", kind="choice", choices=tuple(Period)),
            FormField("low", "Low limit", placeholder="blank for none"),
            FormField("high", "High limit", placeholder="blank for none"),
            FormField("baseline", "Baseline", placeholder="e.g. commissioned capacity (optional)"),
            FormField("good", "Good is", kind="choice", choices=tuple(GoodDirection)),
            FormField(
                "pathway",
                _LABELS["pathway"],
                placeholder="what is done, by whom, when it goes out of tolerance",
            ),
            FormField("review", _LABELS["review"], placeholder=f"how often first, e.g. {EXAMPLE}"),
            person_field("owner", "Owner", staff),
            FormField("segmentation", "Observed", kind="choice", choices=tuple(Segmentation)),
        ],
        save,
        note="Worked-out metrics (per clinician, sustainability index) are set up with the"
        " metrics they are worked out from: see docs/oversight.md.",
    )


_LABELS = {
    "name": "Name",
    "unit": "Unit",
    "pathway": "Response pathway",
    "review": "Review cycle",
}


# What a special-cause rule does not ask: the chart's limits decide, not a threshold.
THRESHOLD_FIELDS = ("comparison", "threshold", "relative")


class RuleForm(FormScreen[tuple[TriggerRule, oversight.Evaluation]]):
    """A new rule: choosing special cause concerning hides the threshold's fields."""

    @on(Select.Changed, "#field-kind")
    def _kind_chosen(self, event: Select.Changed) -> None:
        asked = event.value != RuleKind.SPECIAL_CAUSE
        fields = list(self.query_one("#form").children)
        for name in THRESHOLD_FIELDS:
            for widget in self.query(f"#field-{name}"):
                # The field's label is just before it; its refusal just after.
                fields[fields.index(widget) - 1].display = asked
                widget.display = asked


def rule_form(
    store: Store, today: date, line: MetricLine, staff: Sequence[Person], series: Sequence[str]
) -> RuleForm:
    """A trigger rule over the highlighted metric: for a metric by team or provider a
    variance between them; otherwise a threshold, or special cause concerning on its
    Making Data Count chart."""
    metric = line.metric
    segmented = metric.segmentation != Segmentation.NONE

    def save(typed: dict[str, str]) -> tuple[TriggerRule, oversight.Evaluation]:
        kind = RuleKind(typed.get("kind", RuleKind.VARIANCE))
        special = kind == RuleKind.SPECIAL_CAUSE
        threshold = 0.0 if special else number(typed["threshold"], "threshold")
        assert threshold is not None
        return oversight.add_rule(
            store,
            TriggerRule(
                metric_id=metric.id,  # type: ignore[arg-type]
                name=typed["name"] or "",
                kind=kind,
                # Unused by a special-cause rule, which stores the first as it stores 0.
                comparison=Comparison(typed["comparison"]),
                threshold=threshold,
                relative_to_baseline=not special
                and _yes(typed.get("relative", ""), "relative to baseline"),
                periods=_whole(typed["periods"], "periods in a row"),
                series=typed["series"],
                owner_id=match_person(staff, typed["owner"], "owner").id,  # type: ignore[arg-type]
                rung=EscalationRung(typed["rung"]),
            ),
            today,
        )

    fields = [
        FormField("name", "Name", placeholder="e.g. Surge: referrals 15% over capacity for 5 days"),
    ]
    if not segmented:
        fields.append(
            FormField(
                "kind",
                "Kind",
                kind="choice",
                choices=(RuleKind.THRESHOLD, RuleKind.SPECIAL_CAUSE),
            )
        )
    fields += [
        FormField(
            "comparison", "Fires when the value is", kind="choice", choices=tuple(Comparison)
        ),
        FormField(
            "threshold",
            "Threshold",
            placeholder="% spread between teams" if segmented else "a value, or % of baseline",
        ),
    ]
    if not segmented:
        fields.append(
            FormField(
                "relative",
                "Relative to baseline (y/n)",
                value="n",
                placeholder=f"y: the threshold is a % over or under the baseline "
                f"({shown(metric.baseline) if metric.baseline is not None else 'none set'})",
            )
        )
    fields += [
        FormField(
            "periods", "Periods in a row", value="1", placeholder="e.g. 5 (a gap breaks a run)"
        ),
        FormField(
            "series",
            "Agenda of the next",
            kind="choice",
            choices=tuple(series),
        )
        if series
        else FormField(
            "series",
            "Agenda of the next",
            placeholder="no meeting series set up yet: add one in Set-up (key 7)",
        ),
        person_field("owner", "Escalation owner", staff),
        FormField("rung", "Starting rung", kind="choice", choices=tuple(LADDER)),
    ]
    return RuleForm(
        f"Trigger rule over {metric.name}",
        fields,
        save,
        note="Exactly on the threshold: 'at or above' fires, 'above' does not."
        + (
            ""
            if segmented
            else " Special cause concerning has no threshold: it holds in a period whose"
            " point the Making Data Count chart marks concerning."
        )
        + " The rule is evaluated at once over the observations already recorded.",
    )


def escalation_form(store: Store, today: date, staff: Sequence[Person]) -> FormScreen:
    """An escalation raised by hand, due by its rung's timeframe in working days."""

    def save(typed: dict[str, str]) -> object:
        return oversight.raise_escalation(
            store,
            title=typed["what"],
            owner_id=match_person(staff, typed["owner"], "owner").id,
            rung=EscalationRung(typed["rung"]),
            today=today,
        )

    extra = added_bank_holidays(store)
    timeframes = ", ".join(f"{rung} by {due_on(rung, today, extra):%a %d/%m}" for rung in LADDER)
    return FormScreen(
        "Escalate by hand",
        [
            FormField("what", "What is escalated, and why", placeholder="required"),
            person_field("owner", "Owner", staff),
            FormField("rung", "Rung", kind="choice", choices=tuple(LADDER)),
        ],
        save,
        note=f"Due by the rung's timeframe from today: {timeframes}. Without an outcome by"
        " then it climbs a rung.",
    )


def review_form(store: Store, today: date, line: MetricLine) -> FormScreen[MetricReview]:
    """The highlighted metric and its active rules reviewed today, by the person signed in,
    with what was decided; the review date moves on a cycle."""
    metric = line.metric
    rules = [rule.name for rule in line.rules if rule.active]

    def save(typed: dict[str, str]) -> MetricReview:
        assert metric.id is not None
        return oversight.review_metric(store, metric.id, typed["note"], today)

    due = line.review.words(today) if line.review else metric.review_cycle
    covered = f" and its rules ({'; '.join(rules)})" if rules else " (it has no active rule)"
    return FormScreen(
        f"Reviewed: {metric.name}",
        [
            FormField(
                "note",
                "What was decided",
                placeholder="e.g. tolerance kept at 44; pathway unchanged (required)",
            )
        ],
        save,
        note=f"{due}. Records that the metric{covered} were reviewed today, by you; the"
        " next review is a cycle on.",
    )


def _blank_or(value: float | None) -> str:
    return "" if value is None else shown(value)


def metric_edit_form(store: Store, line: MetricLine, staff: Sequence[Person]) -> FormScreen[Metric]:
    """The highlighted metric's tolerance, baseline, pathway, review cycle and owner, with
    why. What its observations are (name, unit, period, teams) stays."""
    metric = line.metric
    owner = next((p.name for p in staff if p.id == metric.owner_id), "")

    def save(typed: dict[str, str]) -> Metric:
        changes = {
            "tolerance_low": number(typed["low"], "low limit", required=False),
            "tolerance_high": number(typed["high"], "high limit", required=False),
            "baseline": number(typed["baseline"], "baseline", required=False),
            "good": GoodDirection(typed["good"]),
            "response_pathway": typed["pathway"],
            "review_cycle": typed["review"],
            "owner_id": match_person(staff, typed["owner"], "owner").id,
        }
        assert metric.id is not None
        return oversight.edit_metric(store, metric.id, metric.version, changes, typed["reason"])

    return FormScreen(
        f"Change {metric.name}",
        [
            FormField("low", "Low limit", value=_blank_or(metric.tolerance_low)),
            FormField("high", "High limit", value=_blank_or(metric.tolerance_high)),
            FormField("baseline", "Baseline", value=_blank_or(metric.baseline)),
            FormField("good", "Good is", "choice", value=metric.good, choices=tuple(GoodDirection)),
            FormField("pathway", _LABELS["pathway"], value=metric.response_pathway),
            FormField("review", _LABELS["review"], value=metric.review_cycle),
            person_field("owner", "Owner", staff, owner),
            FormField("reason", "Reason", placeholder="why it changes: kept in the audit trail"),
        ],
        save,
        note=f"{metric.unit}, {metric.period}, {metric.segmentation}: these say what its"
        " observations are, so they stay. A rule's threshold is its own (R changes it).",
    )


def spc_baseline_form(
    store: Store, today: date, line: MetricLine, periods: Sequence[date]
) -> FormScreen[tuple[Metric, oversight.Evaluation]]:
    """The periods the highlighted metric's Making Data Count limits come from, with why:
    filled in with its baseline, else its first 15 periods observed; both cleared, every
    observation gives them. `periods` are those observed, in order."""
    metric = line.metric
    need = spc.MINIMUM_POINTS
    first, last = metric.spc_baseline_first, metric.spc_baseline_last
    if first is None and periods:
        first, last = periods[0], periods[:need][-1]

    def save(typed: dict[str, str]) -> tuple[Metric, oversight.Evaluation]:
        assert metric.id is not None
        return oversight.fix_spc_baseline(
            store,
            metric.id,
            metric.version,
            optional_date(typed["first"], today, "first period"),
            optional_date(typed["last"], today, "last period"),
            typed["reason"],
            today,
        )

    fixed = None if line.spc is None else baseline_words(metric, line.spc)
    now = f"Now: {fixed or f'limits from all {len(periods)} observations'}"
    return FormScreen(
        f"SPC baseline of {metric.name}",
        [
            FormField("first", "First period", value=_day_or_blank(first), placeholder=WHEN),
            FormField("last", "Last period", value=_day_or_blank(last), placeholder=WHEN),
            FormField("reason", "Reason", placeholder="why: kept in the audit trail"),
        ],
        save,
        note=f"{now}. The process limits come from the observations of these periods (a day"
        f" is taken as its {metric.period} period), at least {need}; the special-cause rules"
        " still read every point. Clear both to take the limits from every observation.",
    )


def _day_or_blank(day: date | None) -> str:
    return "" if day is None else uk(day)


class RuleEditForm(FormScreen[tuple[TriggerRule, oversight.Evaluation]]):
    """The rules of one metric, one at a time: picking another rule fills in its values."""

    def __init__(
        self,
        rules: Sequence[TriggerRule],
        fields_of: Callable[[TriggerRule], dict[str, str]],
        title: str,
        fields: Sequence[FormField],
        save: Callable[[dict[str, str]], tuple[TriggerRule, oversight.Evaluation]],
        note: str,
    ) -> None:
        super().__init__(title, fields, save, note)
        self.rules = {rule.name: rule for rule in rules}
        self.fields_of = fields_of

    @on(Select.Changed, "#field-rule")
    def _fill(self, event: Select.Changed) -> None:
        rule = self.rules.get(str(event.value))
        if rule is None:
            return
        for name, value in self.fields_of(rule).items():
            self.query_one(f"#field-{name}", Input | Select).value = value


def rule_edit_form(
    store: Store,
    today: date,
    line: MetricLine,
    staff: Sequence[Person],
    series: Sequence[str],
) -> RuleEditForm:
    """One of the highlighted metric's rules: its threshold, run, series, owner and rung,
    or switched off (or on again), with why. Its firings stand as recorded."""
    rules = {rule.name: rule for rule in line.rules}
    offered = tuple(dict.fromkeys([*series, *(rule.series for rule in line.rules)]))

    def values(rule: TriggerRule) -> dict[str, str]:
        return {
            "threshold": shown(rule.threshold),
            "periods": str(rule.periods),
            "series": rule.series,
            "owner": next((p.name for p in staff if p.id == rule.owner_id), ""),
            "rung": rule.rung,
            "active": "y" if rule.active else "n",
        }

    def save(typed: dict[str, str]) -> tuple[TriggerRule, oversight.Evaluation]:
        rule = rules[typed["rule"]]
        threshold = number(typed["threshold"], "threshold")
        if rule.kind == RuleKind.SPECIAL_CAUSE and threshold:
            raise ValueError("threshold: a special cause concerning rule has none; leave it 0")
        changes = {
            "threshold": threshold,
            "periods": _whole(typed["periods"], "periods in a row"),
            "series": typed["series"],
            "owner_id": match_person(staff, typed["owner"], "owner", include_left=True).id,
            "rung": EscalationRung(typed["rung"]),
            "active": _yes(typed["active"], "active"),
        }
        assert rule.id is not None
        return oversight.edit_rule(store, rule.id, rule.version, changes, typed["reason"], today)

    first = values(line.rules[0])
    return RuleEditForm(
        line.rules,
        values,
        f"Change a trigger rule over {line.metric.name}",
        [
            FormField("rule", "Rule", "choice", choices=tuple(rules)),
            FormField("threshold", "Threshold", value=first["threshold"]),
            FormField("periods", "Periods in a row", value=first["periods"]),
            FormField(
                "series", "Agenda of the next", "choice", value=first["series"], choices=offered
            ),
            person_field("owner", "Escalation owner", staff, first["owner"]),
            FormField(
                "rung", "Starting rung", "choice", value=first["rung"], choices=tuple(LADDER)
            ),
            FormField("active", "Active (y/n)", value=first["active"]),
            FormField("reason", "Reason", placeholder="why it changes: kept in the audit trail"),
        ],
        save,
        note="'n' in Active switches the rule off: it is no longer evaluated, and what it"
        " fired stands. It is evaluated again on saving.",
    )
