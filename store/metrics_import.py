"""Applying a file of metric observations: one audited transaction, or nothing.

The rows are checked by `huddle.metrics_csv`; this module records the valid ones through
`store.oversight.record_readings` in one `Store.write` transaction: a period not yet
recorded is new, a different value for one recorded is corrected (audited with its old
value), the same value is left alone (no write, no audit row). The derived metrics they
feed are worked out again and the trigger rules evaluated in the same transaction, so a
firing, its escalation and its agenda item commit with the observations that caused them.

By default one rejected row means nothing is written. A dry run does the whole import and
rolls it back, so its counts and the triggers it reports are exactly what the import would
do. Every count obeys rows in = new + corrected + unchanged + rejected.

`import_metrics_file` is the whole of an import from a file, as `huddle import metrics`
runs it: the file, the rejects file, then the import.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO

from huddle.metrics_csv import MetricLookups, MetricRowChecker, resolve_columns
from huddle.models import Metric, ObservationSource, TriggerFiring
from huddle.private_files import create_private
from huddle.waiting_csv import Extract, ImportRefused, RejectedRow, RejectsWriter
from store.connection import Store, Transaction
from store.oversight import Reading, record_readings
from store.waiting_import import PROGRESS_EVERY, ImportProgress, Progress

SHOWN = 50  # rejected rows listed on the terminal; the rejects file has all


@dataclass(frozen=True)
class MetricsImportRequest:
    """An import from a file, as the command line's options give it."""

    path: Path
    encoding: str | None = None
    rejects: Path | None = None  # a new file for every rejected row, made at the first one
    skip_invalid: bool = False
    dry_run: bool = False


@dataclass(frozen=True)
class TriggerNews:
    """A firing (or clearing) the import caused, with the rule's name and meeting series."""

    rule: str
    series: str
    firing: TriggerFiring


@dataclass
class MetricsImportResult:
    rows_in: int = 0
    invalid: int = 0  # rows rejected for what they hold
    new: int = 0
    changed: int = 0
    same: int = 0
    applied: bool = False  # False when all-or-nothing met an invalid row, or a dry run
    dry_run: bool = False
    blocked: bool = False  # all-or-nothing met an invalid row: nothing written
    shown_rejects: list[RejectedRow] = field(default_factory=list)
    fired: list[TriggerNews] = field(default_factory=list)
    cleared: list[TriggerNews] = field(default_factory=list)
    rejects_path: Path | None = None  # the rejects file, when one was written

    @property
    def imported(self) -> int:
        return 0 if self.blocked else self.new

    @property
    def corrected(self) -> int:
        return 0 if self.blocked else self.changed

    @property
    def unchanged(self) -> int:
        return 0 if self.blocked else self.same

    @property
    def rejected(self) -> int:
        return self.rows_in if self.blocked else self.invalid

    def summary(self) -> str:
        assert self.rows_in == self.imported + self.corrected + self.unchanged + self.rejected, (
            "rows in must equal new + corrected + unchanged + rejected"
        )
        return (
            f"rows in: {self.rows_in}; new: {self.imported}; corrected: {self.corrected}; "
            f"unchanged: {self.unchanged}; rejected: {self.rejected}"
        )


class _NothingWritten(Exception):
    """Raised inside the write to roll it back (a dry run, or all-or-nothing met an
    invalid row)."""


class _RejectsFile:
    """The rejects file, created (0600, never over an existing file) at the first rejected
    row, so an import with nothing rejected leaves no empty file behind."""

    def __init__(self, path: Path, header: Sequence[str]) -> None:
        if os.path.lexists(path):
            raise ImportRefused(f"{path} already exists: huddle never overwrites a file", "rejects")
        self.path = path
        self.header = header
        self._stream: IO[str] | None = None
        self._writer: RejectsWriter | None = None

    def write(self, row: RejectedRow) -> None:
        if self._writer is None:
            try:
                self._stream = create_private(self.path)
            except OSError as error:
                raise ImportRefused(str(error), "rejects") from None
            self._writer = RejectsWriter(self._stream, self.header)
        self._writer.write(row)

    @property
    def written(self) -> bool:
        return self._stream is not None

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()

    def discard(self) -> None:
        self.close()
        if self._stream is not None:
            self.path.unlink(missing_ok=True)


def lookups(conn: sqlite3.Connection) -> MetricLookups:
    cursor = conn.execute("SELECT * FROM metric ORDER BY id")
    names = [c[0] for c in cursor.description]
    metrics = [Metric.model_validate(dict(zip(names, row, strict=True))) for row in cursor]
    if not any(metric.derivation is None for metric in metrics):
        raise ImportRefused(
            "this database has no metrics to import into yet: define the metrics first"
        )
    providers = [name for (name,) in conn.execute("SELECT name FROM provider ORDER BY id")]
    # Each team as it was first spelled for the metric, so a later file's 'team a' is it.
    segments = conn.execute(
        "SELECT metric_id, segment FROM observation WHERE segment != '' "
        "GROUP BY metric_id, segment ORDER BY min(id)"
    ).fetchall()
    return MetricLookups.build(metrics, providers, segments)


def import_metrics_file(
    store: Store, request: MetricsImportRequest, today: date, progress: Progress | None = None
) -> MetricsImportResult:
    """Import `request.path`: its header checked, every rejected row written to
    `request.rejects` (a new file, never an existing one) when one is named.

    A file, encoding or rejects file refused raises ImportRefused naming that input.
    Whenever the import does not finish, nothing is written and the rejects file is
    removed again."""
    with Extract(request.path, request.encoding, layout=resolve_columns) as extract:
        rejects = None
        if request.rejects is not None:
            rejects = _RejectsFile(request.rejects, extract.layout.header)
        try:
            result = import_metrics(
                store,
                extract,
                today,
                reason=f"metrics import of {extract.name}",
                dry_run=request.dry_run,
                skip_invalid=request.skip_invalid,
                on_reject=rejects.write if rejects else None,
                progress=progress,
            )
        except BaseException:
            if rejects is not None:
                rejects.discard()
            raise
        if rejects is not None:
            rejects.close()
            result.rejects_path = rejects.path if rejects.written else None
    return result


def import_metrics(
    store: Store,
    extract: Extract,
    today: date,
    *,
    reason: str,
    dry_run: bool = False,
    skip_invalid: bool = False,
    on_reject: Callable[[RejectedRow], None] | None = None,
    progress: Progress | None = None,
) -> MetricsImportResult:
    """Check every row of `extract` and record the valid ones as one audited write (or,
    for a dry run or an all-or-nothing import that met an invalid row, write nothing).

    The rows are checked inside the write, so the metrics they are checked against cannot
    change before they are recorded. `progress` hears every PROGRESS_EVERY rows checked,
    then (unless a dry run) the readings as they start and finish being recorded: they are
    recorded, and the triggers evaluated, in one step."""
    result = MetricsImportResult(dry_run=dry_run)
    try:
        with store.write(reason) as txn:
            checker = MetricRowChecker(extract.layout, lookups(txn.conn), today)
            readings: list[Reading] = []
            for line, cells in extract.rows():
                result.rows_in += 1
                if progress is not None and result.rows_in % PROGRESS_EVERY == 0:
                    progress(ImportProgress("checking", result.rows_in, extract.share_read()))
                checked = checker.check(line, cells)
                if isinstance(checked, RejectedRow):
                    result.invalid += 1
                    if len(result.shown_rejects) < SHOWN:
                        result.shown_rejects.append(checked)
                    if on_reject is not None:
                        on_reject(checked)
                    continue
                metric_id = checked.metric.id
                assert metric_id is not None
                readings.append(
                    Reading(metric_id, checked.period_start, checked.value, checked.segment)
                )
            if progress is not None:
                progress(ImportProgress("checking", result.rows_in, 1.0))
            result.blocked = result.invalid > 0 and not skip_invalid
            if result.blocked:
                raise _NothingWritten
            told = progress if progress is not None and not dry_run else None
            if told is not None:
                told(ImportProgress("writing", 0, 0.0, len(readings)))
            recorded = record_readings(txn, readings, today, ObservationSource.IMPORT)
            if told is not None:
                told(ImportProgress("writing", len(readings), 1.0, len(readings)))
            result.new, result.changed, result.same = (
                recorded.new,
                recorded.changed,
                recorded.same,
            )
            result.fired = _news(txn, recorded.evaluation.fired)
            result.cleared = _news(txn, recorded.evaluation.cleared)
            if dry_run:
                raise _NothingWritten
            result.applied = True
    except _NothingWritten:
        pass
    return result


def _news(txn: Transaction, firings: Sequence[TriggerFiring]) -> list[TriggerNews]:
    rules: dict[int, tuple[str, str]] = {}
    for firing in firings:
        if firing.rule_id not in rules:
            rules[firing.rule_id] = txn.conn.execute(
                "SELECT name, series FROM trigger_rule WHERE id = ?", (firing.rule_id,)
            ).fetchone()
    return [TriggerNews(*rules[f.rule_id], f) for f in firings]
