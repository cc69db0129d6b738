"""Reading a file of metric observations (CSV) and checking every row.

Pure: no SQLite, no Textual, no clock. The store hands in the metrics it holds (with the
providers, and the segments already recorded) as `MetricLookups` and `today` as a value;
this module says, for each row, either the reading it describes or every problem with it,
naming the column as the file names it and the value as it was typed. Nothing is guessed:
an unknown or derived metric, an ambiguous or impossible date, a value that is not a
finite number, a segment where none belongs (or none where one does) and a second row for
the same metric, period and segment are refused, never repaired.

The file: a header line naming `metric`, `period` (a date in the period observed) and
`value`, and `segment` (the team or provider) for metrics recorded by team or by provider.
The reading and the decoding of the file, the rejected rows and the rejects file are the
waiting-list import's (huddle.waiting_csv), so both imports refuse the same things in the
same words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from huddle.dates import parse_date, uk
from huddle.models import Metric, Period, Segmentation
from huddle.oversight import period_start
from huddle.printable import unseen, unseen_words
from huddle.waiting_csv import (
    ImportRefused,
    Layout,
    RejectedRow,
    _some,
    cells_miscounted,
    fold,
    header_positions,
)

COLUMNS = ("metric", "period", "value", "segment")
REQUIRED = ("metric", "period", "value")

# A number as a person writes one: digits, a decimal point, an optional sign and exponent.
# Not Python's float(): that also takes 'nan', 'inf' and '1_000'.
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def rejects_beside(path: Path) -> Path:
    """The default rejects file: metrics.csv's is metrics.rejects.csv, in the same folder
    (the rule of the waiting-list import screen)."""
    return path.with_name(f"{path.stem}.rejects.csv")


def resolve_columns(header: list[str], source: str) -> Layout:
    """Match the header to the columns; refuse the file if a needed column is missing or
    a column is there twice. Names are folded as the waiting list's are."""
    cells, positions = header_positions(header, source)
    index: dict[str, int] = {}
    label: dict[str, str] = {}
    for column in COLUMNS:
        found = positions.get(column)
        if not found:
            continue
        if len(found) > 1:
            raise ImportRefused(
                f"{source} has the column {column!r} {len(found)} times in its header "
                f"(columns {', '.join(str(p + 1) for p in found)}); "
                "huddle cannot tell which to use",
                "file",
            )
        index[column] = found[0]
        label[column] = cells[found[0]]
    missing = [c for c in REQUIRED if c not in index]
    if missing:
        raise ImportRefused(
            f"{source} has no column for {', '.join(missing)} "
            f"(the file's columns: {_some(c for c in cells if c) or 'none'}); "
            "a metrics file needs metric, period and value, and segment for a metric "
            "recorded by team or by provider",
            "file",
        )
    return Layout(tuple(cells), index, label)


# --- what the store knows ----------------------------------------------------------------------


@dataclass(frozen=True)
class MetricLookups:
    """The metrics, providers and recorded segments, keyed for name matching."""

    metrics: dict[str, tuple[Metric, ...]]  # folded name -> metrics of that name
    entered: tuple[str, ...]  # the names of the metrics a file can give
    names: dict[int, str]  # metric id -> name
    providers: dict[str, tuple[str, ...]]  # folded name -> provider names
    provider_names: tuple[str, ...]
    segments: dict[int, dict[str, str]]  # metric id -> folded segment -> as recorded

    @classmethod
    def build(
        cls,
        metrics: Iterable[Metric],
        providers: Iterable[str] = (),
        segments: Iterable[tuple[int, str]] = (),
    ) -> MetricLookups:
        by_name: dict[str, list[Metric]] = {}
        for metric in metrics:
            by_name.setdefault(fold(metric.name), []).append(metric)
        every = [m for found in by_name.values() for m in found]
        by_provider: dict[str, list[str]] = {}
        for name in providers:
            by_provider.setdefault(fold(name), []).append(name)
        recorded: dict[int, dict[str, str]] = {}
        for metric_id, segment in segments:
            recorded.setdefault(metric_id, {}).setdefault(fold(segment), segment)
        return cls(
            metrics={k: tuple(v) for k, v in by_name.items()},
            entered=tuple(sorted(m.name for m in every if m.derivation is None)),
            names={m.id: m.name for m in every if m.id is not None},
            providers={k: tuple(v) for k, v in by_provider.items()},
            provider_names=tuple(n for found in by_provider.values() for n in found),
            segments=recorded,
        )


# --- rows ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidReading:
    """A row that can be recorded: its metric, the period it is for, its value."""

    line: int
    metric: Metric
    period_start: date
    value: float
    segment: str


def period_words(start: date, period: Period) -> str:
    """A period as the huddle says it: 16/11/2026, week starting 16/11/2026, November 2026."""
    if period == Period.WEEKLY:
        return f"week starting {uk(start)}"
    if period == Period.MONTHLY:
        return f"{start:%B %Y}"
    return uk(start)


def parse_value(text: str) -> float | str:
    """The number, or why it is not one."""
    if not text:
        return "blank: a value is required"
    if not _NUMBER.fullmatch(text):
        if text.casefold().lstrip("+-") in ("nan", "inf", "infinity"):
            return f"{text!r} is not a finite number"
        return f"{text!r} is not a number (write it plainly, e.g. 120 or 12.5)"
    value = float(text)
    if value in (float("inf"), float("-inf")):
        return f"{text!r} is not a finite number (too large)"
    return value


@dataclass
class MetricRowChecker:
    """Checks rows one at a time, remembering each metric, period and segment given to
    refuse a second row for it (the later row, naming the earlier line)."""

    layout: Layout
    lookups: MetricLookups
    today: date
    _seen: dict[tuple[int, date, str], int] = field(default_factory=dict)
    _dates: dict[str, date | str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._width = len(self.layout.header)
        self._order = {column: self.layout.index.get(column, len(COLUMNS)) for column in COLUMNS}

    def check(self, line: int, cells: list[str]) -> ValidReading | RejectedRow:
        miscounted = cells_miscounted(cells, self._width)
        if miscounted is not None:
            return RejectedRow(line, cells, [("row", miscounted)])
        value = {column: cells[at].strip() for column, at in self.layout.index.items()}
        problems: dict[str, str] = {}  # column -> reason

        metric = self._metric(value["metric"], problems)
        day = self._date(value["period"], problems)
        if day is not None and day > self.today:
            problems["period"] = (
                f"{value['period']!r} is after today ({uk(self.today)}): "
                "it cannot have been observed yet"
            )
            day = None
        start = None if metric is None or day is None else period_start(day, metric.period)
        number = parse_value(value["value"])
        if isinstance(number, str):
            problems["value"] = number
        segment = self._segment(value.get("segment", ""), metric, problems)
        # As in a waiting-list extract: nothing unseen reaches a screen or the minutes.
        for column, text in value.items():
            if (character := unseen(text)) is not None:
                problems[column] = unseen_words(character)
                segment = None if column == "segment" else segment

        if metric is not None and start is not None and segment is not None:
            key = (metric.id, start, fold(segment))  # type: ignore[arg-type]
            earlier = self._seen.setdefault(key, line)
            if earlier != line:
                where = f"{metric.name}, {segment}" if segment else metric.name
                problems["period"] = (
                    f"{value['period']!r} is the same metric, period and segment as line "
                    f"{earlier} ({where}, {period_words(start, metric.period)})"
                )

        if problems or metric is None or start is None or segment is None:
            return RejectedRow(line, cells, self._named(problems))
        assert isinstance(number, float)
        return ValidReading(line, metric, start, number, segment)

    def _named(self, problems: dict[str, str]) -> list[tuple[str, str]]:
        """(column as the file names it, reason), in the file's column order."""
        ordered = sorted(problems.items(), key=lambda item: self._order[item[0]])
        return [(self.layout.label.get(column, column), why) for column, why in ordered]

    def _metric(self, name: str, problems: dict[str, str]) -> Metric | None:
        if not name:
            problems["metric"] = "blank: name the metric"
            return None
        found = self.lookups.metrics.get(fold(name), ())
        if len(found) > 1:
            exact = [m for m in found if m.name == name]
            if len(exact) != 1:
                problems["metric"] = (
                    f"{name!r} matches {len(found)} metrics "
                    f"({', '.join(m.name for m in found)}); give the name exactly"
                )
                return None
            found = tuple(exact)
        if not found:
            problems["metric"] = (
                f"{name!r} is not a metric in this database "
                f"(metrics a file can give: {_some(self.lookups.entered) or 'none'})"
            )
            return None
        metric = found[0]
        if metric.derivation is not None:
            inputs = ", ".join(self.lookups.names.get(i, f"#{i}") for i in metric.inputs.values())
            problems["metric"] = (
                f"{metric.name!r} is worked out by the app ({metric.derivation} from "
                f"{inputs}), so it cannot be imported: give {inputs} instead"
            )
            return None
        return metric

    def _date(self, text: str, problems: dict[str, str]) -> date | None:
        if not text:
            problems["period"] = "blank: give a date in the period (dd/mm/yyyy or yyyy-mm-dd)"
            return None
        parsed = self._dates.get(text)
        if parsed is None:
            try:
                parsed = parse_date(text, "date")
            except ValueError as error:
                parsed = str(error)
            self._dates[text] = parsed
        if isinstance(parsed, str):
            problems["period"] = parsed
            return None
        return parsed

    def _segment(self, text: str, metric: Metric | None, problems: dict[str, str]) -> str | None:
        """The segment as it is to be recorded ('' for the whole service), or None."""
        typed = " ".join(text.split())
        if metric is None:
            return None
        if metric.segmentation == Segmentation.NONE:
            if typed:
                problems["segment"] = (
                    f"{text!r} given, but {metric.name} is for the whole service: "
                    "leave segment blank"
                )
                return None
            return ""
        kind = "team" if metric.segmentation == Segmentation.TEAM else "provider"
        if not typed:
            problems["segment"] = f"blank: {metric.name} is {metric.segmentation}; name the {kind}"
            return None
        if metric.segmentation == Segmentation.PROVIDER:
            providers = self.lookups.providers.get(fold(typed), ())
            if not providers:
                known = _some(self.lookups.provider_names) or "none"
                problems["segment"] = (
                    f"{text!r} is not a provider in this database (known: {known})"
                )
                return None
            if len(providers) > 1:
                problems["segment"] = (
                    f"{text!r} matches {len(providers)} providers; rename one of them"
                )
                return None
            return providers[0]
        # Teams have no register: one spelled as an earlier period spelled it is that team.
        return self.lookups.segments.get(metric.id, {}).get(fold(typed), typed)  # type: ignore[arg-type]
