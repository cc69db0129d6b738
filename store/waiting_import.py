"""Applying a provider's waiting-list extract: one audited transaction, or nothing.

The rows are checked by `huddle.waiting_csv`; this module matches each valid row to an
entry already on the waiting list (by NHS number at the same provider, else by local id
at the same provider), then in one `Store.write` transaction inserts the new entries,
updates the changed ones (with the version it read, so each update is audited with its
before and after), leaves identical ones alone (no write, no audit row), and marks the
waiting entries of the file's providers that the extract no longer lists with
`not_in_extract_since`. Nothing is deleted: a missing entry is for the huddle to confirm.

What the extract may change follows `huddle.extract_ownership`: a change that raises risk
applies at once; one that lowers risk or rewrites what the huddle recorded is stored as a
held change (`held_change`) for a person to resolve, and the entry keeps huddle's value.
A row for an entry the huddle closed is held too ("closed here, still in the provider's
extract"), never imported again as a new entry, unless it is a referral made after the
closure. A change a person has already resolved is not held again until the extract says
something new.

By default one rejected row means nothing is written. Every count obeys
rows in = imported + updated + unchanged + held + rejected.

`import_file` is the whole of an import from a file, as `huddle import waiting-list` and the
import screen both run it: the mapping, the extract, the rejects file, then the import.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from huddle import rules
from huddle.extract_ownership import FIELD_WORDS, Verdict, decide, shown
from huddle.models import HeldChange, HeldState, RiskTier, WaitingEntry
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
from store.queries import tier_counts

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
    "SELECT * FROM waiting_entry WHERE local_id = ? AND provider_id = ? "
    "AND status = 'waiting' ORDER BY id LIMIT 1"
)
# The latest closed entry for the same person at the provider, by either identifier.
_CLOSED_BY_NHS = (
    "SELECT * FROM waiting_entry WHERE nhs_number = ? AND provider_id = ? "
    "AND status != 'waiting' ORDER BY closed_on DESC, id DESC LIMIT 1"
)
_CLOSED_BY_LOCAL = (
    "SELECT * FROM waiting_entry WHERE local_id = ? AND provider_id = ? "
    "AND status != 'waiting' ORDER BY closed_on DESC, id DESC LIMIT 1"
)
# What the import report lists when it changes: the stored fields a huddle acts on.
_REPORTED = ("tier", "breach_date", "contact_due", "case_owner_id", "safeguarding")


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


@dataclass(frozen=True)
class EntryChange:
    """One entry whose breach date, breached state, contact due, tier, owner or
    safeguarding flag the import changed, or whose change it held."""

    id: int
    who: str
    provider: str
    changed: tuple[str, ...] = ()
    held: tuple[str, ...] = ()

    def describe(self) -> str:
        parts = [*self.changed, *(f"HELD {words}" for words in self.held)]
        return f"{self.who} — {self.provider}: {'; '.join(parts)}"


@dataclass(frozen=True)
class BreachCounts:
    breached: int
    without_escalation: int


@dataclass
class ImportResult:
    rows_in: int = 0
    invalid: int = 0  # rows rejected for what they hold
    new: int = 0
    changed: int = 0
    same: int = 0
    holding: int = 0  # rows with a change held for a person (the rest of the row applied)
    applied: bool = False  # False when all-or-nothing met an invalid row, or a dry run
    dry_run: bool = False
    blocked: bool = False  # all-or-nothing met an invalid row: nothing written
    shown_rejects: list[RejectedRow] = field(default_factory=list)
    missing: int = 0
    shown_missing: list[MissingEntry] = field(default_factory=list)
    bulk: bool = False
    changes: int = 0  # entries listed by the report, of which the first SHOWN are kept
    shown_changes: list[EntryChange] = field(default_factory=list)
    new_holds: int = 0  # held changes this import stores (still-open ones not counted)
    still_held: int = 0  # held changes already open that the extract repeats
    closed_listed: int = 0  # rows for entries the huddle closed
    before: BreachCounts | None = None
    after: BreachCounts | None = None  # None when nothing would be written

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
    def held(self) -> int:
        return 0 if self.blocked else self.holding

    @property
    def rejected(self) -> int:
        return self.rows_in if self.blocked else self.invalid

    def summary(self) -> str:
        assert self.rows_in == (
            self.imported + self.updated + self.unchanged + self.held + self.rejected
        ), "rows in must equal imported + updated + unchanged + held + rejected"
        return (
            f"rows in: {self.rows_in}; imported: {self.imported}; updated: {self.updated}; "
            f"unchanged: {self.unchanged}; held: {self.held}; rejected: {self.rejected}"
        )

    def report(self) -> list[str]:
        """What the import changed and held, in words, for the command and the screen."""
        lines = []
        if self.before is not None and self.after is not None:
            lines.append(
                f"breached: {self.before.breached} -> {self.after.breached}; breached "
                f"without escalation: {self.before.without_escalation} -> "
                f"{self.after.without_escalation}"
            )
        if self.held:
            verb = "held" if self.applied else "to hold"
            lines.append(
                f"held for a person ({self.new_holds} new, {self.still_held} already held; "
                f"{verb}, never applied): h on the waiting list lists them; A or K on an "
                "entry resolves each"
            )
        if self.changes:
            lines.append(f"entries changed or held: {self.changes}")
            lines += [f"  {change.describe()}" for change in self.shown_changes]
            if self.changes > len(self.shown_changes):
                lines.append(f"  ... and {self.changes - len(self.shown_changes)} more")
        return lines


@dataclass
class _Hold:
    """A held change to store, or an open one to bring up to what the extract now says."""

    entry_id: int
    field: str
    said: str  # JSON, as held_change stores it
    held: str
    open_id: int | None = None
    open_version: int | None = None


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
    holds: list[_Hold] = field(default_factory=list)
    agreed: list[tuple[int, int]] = field(default_factory=list)  # held change id, version


@dataclass
class _Judge:
    """What the ownership rules need beside the row: the tiers, the people's names for the
    report, and the held changes already stored (few: read once, not per row)."""

    tiers: dict[int, RiskTier]
    people: dict[int, str]
    providers: dict[int, str]
    today: date
    open_holds: dict[tuple[int, str], tuple[int, int, str]]  # (entry, field) -> id, version, said
    decided: set[tuple[int, str, str]]  # (entry, field, said) a person accepted or kept

    @classmethod
    def read(cls, conn: sqlite3.Connection, tiers: dict[int, RiskTier], today: date) -> _Judge:
        open_holds = {
            (entry, name): (held_id, version, said)
            for held_id, version, entry, name, said in conn.execute(
                "SELECT id, version, entry_id, field, extract_value FROM held_change "
                "WHERE state = 'open'"
            )
        }
        decided = set(
            conn.execute(
                "SELECT entry_id, field, extract_value FROM held_change "
                "WHERE state IN ('accepted', 'kept')"
            ).fetchall()
        )
        return cls(
            tiers,
            dict(conn.execute("SELECT id, name FROM person")),
            dict(conn.execute("SELECT id, name FROM provider")),
            today,
            open_holds,
            decided,
        )

    def words(self, name: str, value: object) -> str:
        if name == "breach_date" and value == records.CLOCK_STOPPED:
            return "none while paused"
        return shown(name, value, self.people, self.tiers)


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
    # A dry run is rehearsed in a write that is rolled back, so that what it reports (how
    # the breach counts move) is counted by the same queries as the real import's.
    try:
        with store.write(reason) as txn:
            result.before = _breach_counts(txn.conn, today)
            plan = _plan(store, extract, today, result, skip_invalid, on_reject, progress)
            if result.blocked:
                raise _NothingWritten
            _apply(txn, plan, today, reason, None if dry_run else progress)
            result.after = _breach_counts(txn.conn, today)
            if dry_run:
                raise _NothingWritten
            result.applied = True
    except _NothingWritten:
        pass


def _breach_counts(conn: sqlite3.Connection, today: date) -> BreachCounts:
    by_tier = tier_counts(conn, today).values()
    return BreachCounts(
        sum(t.breached for t in by_tier), sum(t.breached_without_escalation for t in by_tier)
    )


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
    judged = extract.layout.present_fields - {"provider_id"}
    matcher = _Matcher(conn)
    judge = _Judge.read(conn, tiers, today)

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
        _classify(checked, matcher, plan, judged, judge, reject)
    if progress is not None:
        progress(ImportProgress("checking", result.rows_in, 1.0))
    result.blocked = result.invalid > 0 and not skip_invalid
    _find_missing(conn, plan)
    new = len(plan.inserts)
    if new > BULK_THRESHOLD:
        result.bulk = new > conn.execute("SELECT count(*) FROM waiting_entry").fetchone()[0]
    return plan


class _Matcher:
    """Finds the entry a row describes, by index, only where the provider has any: the
    waiting one, or else the latest the huddle closed."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        by_provider = "SELECT provider_id, count(*) FROM waiting_entry WHERE status {} GROUP BY 1"
        self.waiting_at = dict(conn.execute(by_provider.format("= 'waiting'")).fetchall())
        self.closed_at = dict(conn.execute(by_provider.format("!= 'waiting'")).fetchall())
        self.names: list[str] | None = None

    def find(self, provider_id: int, nhs_number: str | None, local_id: str | None) -> dict | None:
        if not self.waiting_at.get(provider_id):
            return None
        return self._either(_BY_NHS, _BY_LOCAL, provider_id, nhs_number, local_id)

    def find_closed(
        self, provider_id: int, nhs_number: str | None, local_id: str | None
    ) -> dict | None:
        if not self.closed_at.get(provider_id):
            return None
        return self._either(_CLOSED_BY_NHS, _CLOSED_BY_LOCAL, provider_id, nhs_number, local_id)

    def _either(
        self,
        by_nhs: str,
        by_local: str,
        provider_id: int,
        nhs_number: str | None,
        local_id: str | None,
    ) -> dict | None:
        found = None
        if nhs_number is not None:
            found = self._first(by_nhs, (nhs_number, provider_id))
        if found is None and local_id is not None:
            found = self._first(by_local, (local_id, provider_id))
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
    judged: frozenset[str],
    judge: _Judge,
    reject: Callable[[RejectedRow], None],
) -> None:
    entry = row.entry
    plan.providers.add(entry.provider_id)
    stored = matcher.find(entry.provider_id, entry.nhs_number, entry.local_id)
    if stored is None:
        closed = matcher.find_closed(entry.provider_id, entry.nhs_number, entry.local_id)
        # A referral made after the closure is a new one; otherwise the huddle closed this
        # very entry and the extract has not caught up: held, never re-created (and held
        # too when the closure's date was never recorded: it cannot be told apart).
        closed_on = closed["closed_on"] if closed is not None else None
        if closed is not None and (
            closed_on is None or entry.referral_date.isoformat() <= closed_on
        ):
            _closed_still_listed(closed, plan, judge)
            return
        new_row = records.entry_row(entry, judge.tiers)
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
    said = entry.model_dump(mode="json", include=judged)
    applied, holds = _judged(stored, said, plan, judge)
    changes = {}
    if applied:
        merged = WaitingEntry.model_validate({**stored, **applied})
        # A re-tier never clears a breach that has happened.
        wanted = records.redated_row(stored, merged, judge.tiers, judge.today)
        changes = {column: value for column, value in wanted.items() if stored[column] != value}
    if stored["not_in_extract_since"] is not None:
        changes["not_in_extract_since"] = None  # back in the extract
    if changes:
        plan.updates.append((stored["id"], stored["version"], changes))
    _report(stored, changes, holds, plan, judge)
    if holds:
        plan.result.holding += 1
    elif changes:
        plan.result.changed += 1
    else:
        plan.result.same += 1


def _judged(
    stored: dict, said: dict, plan: _Plan, judge: _Judge
) -> tuple[dict, list[tuple[str, object, object]]]:
    """The extract's values that apply, and those held (field, said, held)."""
    applied: dict = {}
    holds: list[tuple[str, object, object]] = []
    entry_id = stored["id"]
    for name, value in said.items():
        held = bool(stored[name]) if name == "safeguarding" else stored[name]
        open_hold = judge.open_holds.get((entry_id, name))
        if value == held:
            if open_hold is not None:  # the extract has come round to huddle's value
                plan.agreed.append(open_hold[:2])
            continue
        encoded = json.dumps(value)
        if (entry_id, name, encoded) in judge.decided:
            continue  # a person has decided on this very value: not news
        if open_hold is not None and open_hold[2] == encoded:
            holds.append((name, value, held))  # held already, waiting for a person
            plan.result.still_held += 1
            continue
        verdict = decide(name, value, held, judge.tiers, bool(stored["tier_by_huddle"]))
        if verdict is Verdict.APPLY:
            applied[name] = value
            if open_hold is not None:  # overtaken by a value that applies at once
                plan.agreed.append(open_hold[:2])
        elif verdict is Verdict.HOLD:
            holds.append((name, value, held))
            _hold(entry_id, name, encoded, json.dumps(held), open_hold, plan)
    return applied, holds


def _hold(
    entry_id: int,
    name: str,
    said: str,
    held: str,
    open_hold: tuple[int, int, str] | None,
    plan: _Plan,
) -> None:
    if open_hold is None:
        plan.holds.append(_Hold(entry_id, name, said, held))
        plan.result.new_holds += 1
    elif open_hold[2] != said:  # held already, and the extract now says something else
        plan.holds.append(_Hold(entry_id, name, said, held, *open_hold[:2]))
        plan.result.new_holds += 1
    else:
        plan.result.still_held += 1


def _closed_still_listed(closed: dict, plan: _Plan, judge: _Judge) -> None:
    """A row for an entry the huddle closed: held as "closed here, still in the provider's
    extract", unless a person already kept it closed against this very word."""
    plan.result.closed_listed += 1
    entry_id, said = closed["id"], json.dumps("waiting")
    if (entry_id, "status", said) in judge.decided:
        plan.result.same += 1
        return
    _hold(
        entry_id,
        "status",
        said,
        json.dumps(closed["status"]),
        judge.open_holds.get((entry_id, "status")),
        plan,
    )
    _report(closed, {}, [("status", "waiting", closed["status"])], plan, judge)
    plan.result.holding += 1


def _report(
    stored: dict,
    changes: dict,
    holds: list[tuple[str, object, object]],
    plan: _Plan,
    judge: _Judge,
) -> None:
    """List the entry in the report if what the huddle acts on changed or is held."""
    changed = [
        f"{FIELD_WORDS.get(name, name.replace('_', ' '))} "
        f"{judge.words(name, stored[name])} -> {judge.words(name, changes[name])}"
        for name in _REPORTED
        if name in changes
    ]
    if "breach_date" in changes:
        today = judge.today
        was = rules.is_breached(date.fromisoformat(stored["breach_date"]), today)
        now = rules.is_breached(date.fromisoformat(changes["breach_date"]), today)
        if was != now:
            changed.append("now BREACHED" if now else "no longer breached")
    held = [
        FIELD_WORDS["status"] + f" (closed here as {held_value})"
        if name == "status"
        else f"{FIELD_WORDS[name]} {judge.words(name, said)} in the extract, "
        f"{judge.words(name, held_value)} here"
        for name, said, held_value in holds
    ]
    if not changed and not held:
        return
    result = plan.result
    result.changes += 1
    if len(result.shown_changes) < SHOWN:
        who = stored["local_id"] or stored["nhs_number"]
        result.shown_changes.append(
            EntryChange(
                stored["id"],
                f"local id {who}" if stored["local_id"] else f"NHS {who}",
                judge.providers.get(stored["provider_id"], "?"),
                tuple(changed),
                tuple(held),
            )
        )


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
        self.total = (
            len(plan.updates)
            + len(plan.marks)
            + len(plan.inserts)
            + len(plan.holds)
            + len(plan.agreed)
        )
        self.done = 0
        self.progress = progress

    def add(self, count: int) -> None:
        before, self.done = self.done, self.done + count
        if self.progress is not None and (
            self.done // PROGRESS_EVERY != before // PROGRESS_EVERY or self.done == self.total
        ):
            # An extract that changes nothing has nothing to write: all of it is written.
            share = self.done / self.total if self.total else 1.0
            self.progress(ImportProgress("writing", self.done, share, self.total))


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
    _write_holds(txn, plan, today, reason)
    written.add(len(plan.holds) + len(plan.agreed))
    if plan.result.bulk:
        with indexes_rebuilt_after(txn, "waiting_entry"):
            _insert(txn, plan, written)
    else:
        _insert(txn, plan, written)


def _write_holds(txn: Transaction, plan: _Plan, today: date, reason: str) -> None:
    """Store each held change (or bring an open one up to what the extract now says), and
    close those the extract has come round to."""
    for hold in plan.holds:
        if hold.open_id is None:
            records.insert(
                txn,
                HeldChange(
                    entry_id=hold.entry_id,
                    field=hold.field,
                    extract_value=hold.said,
                    huddle_value=hold.held,
                    source=reason,
                    held_on=today,
                ),
            )
        else:
            changes = {"extract_value": hold.said, "huddle_value": hold.held, "source": reason}
            txn.update("held_change", hold.open_id, changes, hold.open_version, reason)
    agreed = HeldState.AGREED.resolved(
        today, f"{reason} agrees with huddle, or gives a value that applies at once"
    )
    for held_id, version in plan.agreed:
        txn.update("held_change", held_id, agreed, version, reason)


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
