"""Applying a provider's waiting-list extract: one audited transaction, or nothing.

The rows are checked by `huddle.waiting_csv`; this module matches each valid row to an
entry already on the waiting list (by NHS number at the same provider, else by local id
at the same provider), then in one `Store.write` transaction inserts the new entries,
updates the changed ones (with the version it read, so each update is audited with its
before and after), leaves identical ones alone (no write, no audit row), and marks the
waiting entries of the file's providers that the extract no longer lists with
`not_in_extract_since`. Nothing is deleted: a missing entry is for the huddle to confirm.

By default one rejected row means nothing is written. Every count obeys
rows in = imported + updated + unchanged + rejected.

`import_file` is the whole of an import from a file, as `huddle import waiting-list` and the
import screen both run it: the mapping, the extract, the rejects file, then the import.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from huddle.models import RiskTier, WaitingEntry
from huddle.private_files import create_private
from huddle.waiting_csv import (
    Extract,
    ImportRefused,
    Lookups,
    RejectedRow,
    RejectsWriter,
    RowChecker,
    ValidRow,
    load_mapping,
)
from store import records
from store.bulk import cyclic_collector_paused, indexes_rebuilt_after
from store.connection import Store, Transaction

# Above this many new entries (and more than the table already holds) the list's indexes
# are dropped and built once at the end: cheaper than keeping five indexes sorted row by
# row (4.1 s against 4.6 s for 100,000 rows into an empty list), but rebuilding them over
# a long existing list would cost more than it saves.
BULK_THRESHOLD = 50_000
INSERT_CHUNK = 10_000
SHOWN = 50  # rejects and missing entries listed on the terminal; the rejects file has all
# Progress is reported this often: often enough for a bar to move smoothly at 25,000 rows a
# second, rarely enough that reporting costs nothing measurable.
PROGRESS_EVERY = 1_000

_ENTRY_FIELDS = tuple(f for f in WaitingEntry.model_fields if f not in ("id", "version"))
_BY_NHS = (
    "SELECT * FROM waiting_entry WHERE nhs_number = ? AND provider_id = ? "
    "AND status = 'waiting' ORDER BY id LIMIT 1"
)
_BY_LOCAL = (
    "SELECT * FROM waiting_entry WHERE provider_id = ? AND local_id = ? "
    "AND status = 'waiting' ORDER BY id LIMIT 1"
)


@dataclass(frozen=True)
class MissingEntry:
    """A waiting entry of one of the file's providers that the extract does not list."""

    id: int
    local_id: str | None
    nhs_number: str | None
    provider: str
    tier: int
    referral_date: str
    marked_since: str | None  # an earlier import's date, or None when marked by this one

    def describe(self) -> str:
        """One line for the huddle to find the entry by: who, where, tier, when referred."""
        who = f"local id {self.local_id}" if self.local_id else f"NHS {self.nhs_number}"
        since = f", not in extracts since {self.marked_since}" if self.marked_since else ""
        return f"{who} — {self.provider}, tier {self.tier}, referred {self.referral_date}{since}"


@dataclass(frozen=True)
class ImportProgress:
    """How far an import has got: while checking, the rows checked and the share of the
    file read (the number of rows is not known until the end); while writing, the changes
    written of those to write."""

    stage: Literal["checking", "writing"]
    done: int
    share: float  # of this stage, from 0 to 1
    total: int | None = None  # changes to write; None while checking


@dataclass
class ImportResult:
    rows_in: int = 0
    invalid: int = 0  # rows rejected for what they hold
    new: int = 0
    changed: int = 0
    same: int = 0
    applied: bool = False  # False when all-or-nothing met an invalid row, or a dry run
    dry_run: bool = False
    blocked: bool = False  # all-or-nothing met an invalid row: nothing written
    shown_rejects: list[RejectedRow] = field(default_factory=list)
    missing: int = 0
    shown_missing: list[MissingEntry] = field(default_factory=list)
    bulk: bool = False

    @property
    def imported(self) -> int:
        return 0 if self.blocked else self.new

    @property
    def updated(self) -> int:
        return 0 if self.blocked else self.changed

    @property
    def unchanged(self) -> int:
        return 0 if self.blocked else self.same

    @property
    def rejected(self) -> int:
        return self.rows_in if self.blocked else self.invalid

    def summary(self) -> str:
        assert self.rows_in == self.imported + self.updated + self.unchanged + self.rejected, (
            "rows in must equal imported + updated + unchanged + rejected"
        )
        return (
            f"rows in: {self.rows_in}; imported: {self.imported}; updated: {self.updated}; "
            f"unchanged: {self.unchanged}; rejected: {self.rejected}"
        )


@dataclass
class _Plan:
    """What the write will do, worked out inside its transaction."""

    result: ImportResult
    # New entries as their stored rows (from records.entry_row), kept as bare tuples of
    # values: a fifth of the memory of the models, which matters at a million rows.
    inserts: list[tuple] = field(default_factory=list)
    insert_columns: tuple[str, ...] = ()
    updates: list[tuple[int, int, dict]] = field(default_factory=list)  # id, version, changes
    marks: list[tuple[int, int]] = field(default_factory=list)  # id, version
    matched: dict[int, int] = field(default_factory=dict)  # entry id -> line that matched it
    seen: set[int] = field(default_factory=set)  # entries the extract lists, valid or not
    providers: set[int] = field(default_factory=set)


class _NothingWritten(Exception):
    """Raised inside the write to roll it back (all-or-nothing met an invalid row)."""


def lookups(conn: sqlite3.Connection, tiers: dict[int, RiskTier]) -> Lookups:
    providers = conn.execute("SELECT id, name FROM provider ORDER BY id").fetchall()
    if not providers:
        raise ImportRefused(
            "this database has no providers yet: set the service up first (huddle setup "
            "apply FILE.toml, or Set-up, key 7; docs/setup.md), then import its extract"
        )
    if not tiers:
        raise ImportRefused("this database has no risk tiers yet: open it with huddle first")
    people = conn.execute("SELECT id, name, provider_id FROM person ORDER BY id").fetchall()
    return Lookups.build(providers, people, tiers)


Progress = Callable[[ImportProgress], None]


@dataclass(frozen=True)
class ImportRequest:
    """An import from a file, as the command line's options or the screen's fields give it."""

    path: Path
    encoding: str | None = None
    mapping: Path | None = None
    rejects: Path | None = None  # a new file for every rejected row
    skip_invalid: bool = False
    dry_run: bool = False


def import_file(
    store: Store, request: ImportRequest, today: date, progress: Progress | None = None
) -> ImportResult:
    """Import `request.path`: its mapping read, its header checked, every rejected row
    written to `request.rejects` (a new file, never an existing one) when one is named.

    A file, mapping, encoding or rejects file refused raises ImportRefused naming that
    input. Whenever the import does not finish (refused part-way, a failure, or `progress`
    raising to stop it) nothing is written and the rejects file is removed again.
    """
    mapping = load_mapping(request.mapping) if request.mapping else None
    with Extract(request.path, request.encoding, mapping) as extract:
        rejects_path = request.rejects
        rejects_file = None
        if rejects_path is not None:
            try:
                rejects_file = create_private(rejects_path)
            except OSError as error:
                raise ImportRefused(str(error), "rejects") from None
        try:
            writer = RejectsWriter(rejects_file, extract.layout.header) if rejects_file else None
            result = import_waiting_list(
                store,
                extract,
                today,
                reason=f"waiting-list import of {extract.name}",
                dry_run=request.dry_run,
                skip_invalid=request.skip_invalid,
                on_reject=writer.write if writer else None,
                progress=progress,
            )
        except BaseException:
            if rejects_file is not None:
                rejects_file.close()
                rejects_path.unlink(missing_ok=True)
            raise
        if rejects_file is not None:
            rejects_file.close()
    return result


def import_waiting_list(
    store: Store,
    extract: Extract,
    today: date,
    *,
    reason: str,
    dry_run: bool = False,
    skip_invalid: bool = False,
    on_reject: Callable[[RejectedRow], None] | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Check every row of `extract` and apply it as one audited write (or, for a dry run
    or an all-or-nothing import that met an invalid row, write nothing).

    `progress` hears every PROGRESS_EVERY rows checked and every chunk written; it may
    raise to stop the import, which then writes nothing."""
    result = ImportResult(dry_run=dry_run)
    with cyclic_collector_paused():
        _run(store, extract, today, result, reason, dry_run, skip_invalid, on_reject, progress)
    return result


def _run(
    store: Store,
    extract: Extract,
    today: date,
    result: ImportResult,
    reason: str,
    dry_run: bool,
    skip_invalid: bool,
    on_reject: Callable[[RejectedRow], None] | None,
    progress: Progress | None,
) -> None:
    if dry_run:
        # A read transaction: the same view of the list throughout, and no write lock.
        store.conn.execute("BEGIN")
        try:
            _plan(store, extract, today, result, skip_invalid, on_reject, progress)
        finally:
            store.conn.execute("ROLLBACK")
        return
    try:
        with store.write(reason) as txn:
            plan = _plan(store, extract, today, result, skip_invalid, on_reject, progress)
            if result.blocked:
                raise _NothingWritten
            _apply(txn, plan, today, reason, progress)
            result.applied = True
    except _NothingWritten:
        pass


def _plan(
    store: Store,
    extract: Extract,
    today: date,
    result: ImportResult,
    skip_invalid: bool,
    on_reject: Callable[[RejectedRow], None] | None,
    progress: Progress | None,
) -> _Plan:
    conn = store.conn
    tiers = records.risk_tiers(store)
    checker = RowChecker(extract.layout, lookups(conn, tiers), today)
    plan = _Plan(result)
    present = extract.layout.present_fields
    waiting_at = dict(
        conn.execute(
            "SELECT provider_id, count(*) FROM waiting_entry WHERE status = 'waiting' "
            "GROUP BY provider_id"
        ).fetchall()
    )
    matcher = _Matcher(conn, waiting_at)

    def reject(row: RejectedRow) -> None:
        result.invalid += 1
        if len(result.shown_rejects) < SHOWN:
            result.shown_rejects.append(row)
        if on_reject is not None:
            on_reject(row)
        if row.provider_id is not None:
            plan.providers.add(row.provider_id)
            # An entry the extract lists, even on a row refused, is not missing from it.
            stored = matcher.find(row.provider_id, row.nhs_number, row.local_id)
            if stored is not None:
                plan.seen.add(stored["id"])

    for line, cells in extract.rows():
        result.rows_in += 1
        if progress is not None and result.rows_in % PROGRESS_EVERY == 0:
            progress(ImportProgress("checking", result.rows_in, extract.share_read()))
        checked = checker.check(line, cells)
        if isinstance(checked, RejectedRow):
            reject(checked)
            continue
        _classify(checked, matcher, plan, present, tiers, today, reject)
    if progress is not None:
        progress(ImportProgress("checking", result.rows_in, 1.0))
    result.blocked = result.invalid > 0 and not skip_invalid
    _find_missing(conn, plan)
    new = len(plan.inserts)
    if new > BULK_THRESHOLD:
        result.bulk = new > conn.execute("SELECT count(*) FROM waiting_entry").fetchone()[0]
    return plan


class _Matcher:
    """Finds the waiting entry a row describes, by index, only where the provider has any."""

    def __init__(self, conn: sqlite3.Connection, waiting_at: dict[int, int]) -> None:
        self.conn = conn
        self.waiting_at = waiting_at
        self.names: list[str] | None = None

    def find(self, provider_id: int, nhs_number: str | None, local_id: str | None) -> dict | None:
        if not self.waiting_at.get(provider_id):
            return None
        found = None
        if nhs_number is not None:
            found = self._first(_BY_NHS, (nhs_number, provider_id))
        if found is None and local_id is not None:
            found = self._first(_BY_LOCAL, (provider_id, local_id))
        return found

    def _first(self, query: str, key: tuple) -> dict | None:
        cursor = self.conn.execute(query, key)
        values = cursor.fetchone()
        if values is None:
            return None
        if self.names is None:
            self.names = [c[0] for c in cursor.description]
        return dict(zip(self.names, values, strict=True))


def _classify(
    row: ValidRow,
    matcher: _Matcher,
    plan: _Plan,
    present: frozenset[str],
    tiers: dict[int, RiskTier],
    today: date,
    reject: Callable[[RejectedRow], None],
) -> None:
    entry = row.entry
    plan.providers.add(entry.provider_id)
    stored = matcher.find(entry.provider_id, entry.nhs_number, entry.local_id)
    if stored is None:
        new_row = records.entry_row(entry, tiers)
        if not plan.insert_columns:
            plan.insert_columns = tuple(new_row)
        plan.inserts.append(tuple(new_row.values()))
        plan.result.new += 1
        return
    earlier = plan.matched.setdefault(stored["id"], row.line)
    if earlier != row.line:
        reject(
            RejectedRow(
                row.line,
                row.cells,
                [("row", f"describes the same waiting-list entry as line {earlier}")],
                entry.provider_id,
                entry.nhs_number,
                entry.local_id,
            )
        )
        return
    plan.seen.add(stored["id"])
    # Columns the file does not have keep their stored values.
    merged = {f: getattr(entry, f) if f in present else stored[f] for f in _ENTRY_FIELDS}
    # A re-tier in the extract never clears a breach that has happened.
    wanted = records.redated_row(stored, WaitingEntry.model_validate(merged), tiers, today)
    changes = {column: value for column, value in wanted.items() if stored[column] != value}
    if stored.get("not_in_extract_since") is not None:
        changes["not_in_extract_since"] = None  # back in the extract
    if changes:
        plan.updates.append((stored["id"], stored["version"], changes))
        plan.result.changed += 1
    else:
        plan.result.same += 1


def _find_missing(conn: sqlite3.Connection, plan: _Plan) -> None:
    """Waiting entries of the file's providers that no row of the file lists."""
    if not plan.providers:
        return
    marks = ", ".join("?" * len(plan.providers))
    cursor = conn.execute(
        "SELECT e.id, e.version, e.local_id, e.nhs_number, p.name, e.tier, e.referral_date, "
        "e.not_in_extract_since FROM waiting_entry AS e JOIN provider AS p ON p.id = e.provider_id "
        f"WHERE e.status = 'waiting' AND e.provider_id IN ({marks}) ORDER BY p.name, e.id",
        sorted(plan.providers),
    )
    result = plan.result
    for batch in iter(lambda: cursor.fetchmany(5_000), []):
        for entry_id, version, local_id, nhs, provider, tier, referred, since in batch:
            if entry_id in plan.seen:
                continue
            result.missing += 1
            if len(result.shown_missing) < SHOWN:
                result.shown_missing.append(
                    MissingEntry(entry_id, local_id, nhs, provider, tier, referred, since)
                )
            if since is None:
                plan.marks.append((entry_id, version))


class _Written:
    """Counts the changes written and tells `progress` every so often."""

    def __init__(self, plan: _Plan, progress: Progress | None) -> None:
        self.total = len(plan.updates) + len(plan.marks) + len(plan.inserts)
        self.done = 0
        self.progress = progress

    def add(self, count: int) -> None:
        before, self.done = self.done, self.done + count
        if self.progress is not None and (
            self.done // PROGRESS_EVERY != before // PROGRESS_EVERY or self.done == self.total
        ):
            self.progress(ImportProgress("writing", self.done, self.done / self.total, self.total))


def _apply(
    txn: Transaction, plan: _Plan, today: date, reason: str, progress: Progress | None
) -> None:
    written = _Written(plan, progress)
    for entry_id, version, changes in plan.updates:
        txn.update("waiting_entry", entry_id, changes, version, reason)
        written.add(1)
    mark = {"not_in_extract_since": today.isoformat()}
    for entry_id, version in plan.marks:
        txn.update("waiting_entry", entry_id, mark, version, f"{reason}: not in this extract")
        written.add(1)
    if plan.result.bulk:
        with indexes_rebuilt_after(txn, "waiting_entry"):
            _insert(txn, plan, written)
    else:
        _insert(txn, plan, written)


def _insert(txn: Transaction, plan: _Plan, written: _Written) -> None:
    """The new entries through the audited bulk path (one audit row each), a chunk at a time.

    Their rows were made by records.entry_row when each was read, exactly as
    records.insert_many would make them; rebuilding the models only to dump them again
    cost as much as checking them did."""
    table, columns = records.table_of(WaitingEntry), plan.insert_columns
    for chunk in _chunks(plan.inserts, INSERT_CHUNK):
        txn.insert_many(table, [dict(zip(columns, values, strict=True)) for values in chunk])
        written.add(len(chunk))


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
