"""The `huddle` command. Wiring only: parse, open the store, call the store, print.

Commands that do not open the terminal app never import textual, so they start fast.
A command that counts or writes opens its store guarded by the clock (store.clock_guard):
without `--as-at` it counts as at the later of today and the latest date the database has
seen, and one that writes is refused before it starts while nothing can be saved.
"""

from __future__ import annotations

import argparse
import getpass
import io
import json
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import date
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING

from huddle import config
from huddle.clock import Clock, ClockError, clock_from_env, judged
from huddle.dates import long_uk, parse_date
from huddle.oversight import shown
from huddle.printable import printable, printable_lines
from huddle.progress import LARGE_DATABASE, LARGE_DEMO, LARGE_EXTRACT, Progress, is_large, progress
from store import driver
from store.errors import DAMAGED_ADVICE, StoreError, is_damage

# The store (sqlite-utils) and the models (pydantic) are imported by the commands that use
# them, so `huddle --help` and a mistyped command answer at once.
if TYPE_CHECKING:
    from huddle.reconciliation import Reconciliation
    from huddle.service_file import ServiceFile
    from huddle.session import Session
    from huddle.summary import StatusSummary
    from store import Store
    from store.metrics_import import MetricsImportResult
    from store.setup import SetupPlan
    from store.sign_in import Acting
    from store.waiting_import import ImportProgress, ImportResult

EXIT_FAULT = 1
EXIT_USAGE = 2

# The values of huddle.models.ActionStatus, spelled out so that building the parser does
# not import the models (a test holds the two the same).
ACTION_STATUSES = ("open", "in progress", "closed")


class CommandError(Exception):
    """A one-line message for the user; no traceback."""


def _common(parser: argparse.ArgumentParser, *, on_command: bool = True) -> None:
    # On a command, an option left out must not overwrite one given before the command
    # (`huddle --db X check` checks X), so there it has no default at all.
    default = argparse.SUPPRESS if on_command else None
    parser.add_argument(
        "--db",
        metavar="PATH",
        default=default,
        help="database file (default: $HUDDLE_DB, else the user data folder)",
    )
    parser.add_argument(
        "--user",
        metavar="NAME",
        default=default,
        help="who is making changes (default: $HUDDLE_USER, else login)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="huddle",
        description="Governance huddles for NHS community services. "
        "With no command, opens the terminal app on the database.",
        epilog="HUDDLE_TODAY=YYYY-MM-DD fixes today's date for demos and training.",
    )
    _common(parser, on_command=False)
    # How `huddle serve` starts each browser tab's app (huddle.serve); not for people.
    parser.add_argument("--served", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--imports", metavar="DIR", help=argparse.SUPPRESS)
    parser.add_argument("--idle-minutes", type=int, metavar="N", help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="seed a demo service (dates relative to today), then open it",
        description="Seed a fictional demo service into its own database (never the "
        "service's real one), then open it. Without --db it uses demo.db in the data folder.",
    )
    _common(demo)
    demo.add_argument(
        "--size",
        type=int,
        default=300,
        metavar="N",
        help="waiting-list entries to generate (default 300)",
    )
    demo.add_argument("--no-open", action="store_true", help="seed only; do not open the app")

    status = commands.add_parser(
        "status",
        help="counts by tier, breaches, contacts overdue, actions, reconciliation",
        description="Counts by tier, breaches, breaches without escalation, contacts "
        "overdue, actions open and overdue, go-live countdown, and the weekly "
        "reconciliation: duplicates across providers, entries with no case owner, no "
        "outcome after closure, long-wait outliers.",
    )
    _common(status)
    status.add_argument("--json", action="store_true", help="print JSON")
    status.add_argument(
        "--as-at",
        metavar="DATE",
        help="count as at this date (dd/mm/yyyy or yyyy-mm-dd) instead of today",
    )

    check = commands.add_parser(
        "check",
        help="integrity check and audit chain; non-zero exit on any fault",
        description="Run SQLite's integrity_check and verify the audit trail's hash chain. "
        "Exits 1 and names the first broken audit row on any fault.",
    )
    _common(check)

    backup = commands.add_parser(
        "backup",
        help="consistent copy of the database, then checked",
        description="Copy the database with SQLite's online backup API (safe while others "
        "write), then check the copy. Never overwrites an existing file.",
    )
    _common(backup)
    backup.add_argument("dest", metavar="DEST", help="new file to write the backup to")

    restore = commands.add_parser(
        "restore",
        help="bring back a backup as the database, keeping the one it replaces",
        description="Check the backup (integrity, audit chain, records), keep the current "
        "database beside it as DB.replaced-YYYYMMDD-HHMMSS, then copy the backup in. Records "
        "written after the backup was taken are then only in the kept copy.",
    )
    _common(restore)
    restore.add_argument("backup", metavar="BACKUP", help="a file written by huddle backup")

    _add_import(commands)
    _add_export(commands)
    _add_setup(commands)
    _add_serve(commands)
    _add_user(commands)
    return parser


def _add_user(commands: argparse._SubParsersAction) -> None:
    what = _command_with_targets(
        commands, "user", "a person's password for signing in", "Manage how people sign in."
    )
    password = what.add_parser(
        "password",
        help="set or reset a person's password",
        description="Set or reset the password NAME signs in with (in a browser through "
        "huddle serve, or at a terminal whose login is no person's). Asked twice without "
        "echo, or read from the first line of standard input with --stdin. Stored as a "
        "salted scrypt hash in its own table; the audit trail records that it was set, and "
        "by whom, never the password or its hash.",
    )
    _common(password)
    password.add_argument("name", metavar="NAME", help="the person's name or login")
    password.add_argument(
        "--stdin", action="store_true", help="read the password from standard input"
    )


def _command_with_targets(
    commands: argparse._SubParsersAction, name: str, help: str, description: str
) -> argparse._SubParsersAction:
    """A command such as `import` whose sub-commands name what it acts on."""
    parser = commands.add_parser(
        name,
        help=help,
        description=f"{description} Every sub-command takes --db PATH and --user NAME.",
    )
    _common(parser)
    return parser.add_subparsers(dest="what", metavar="WHAT", required=True)


def _add_import(commands: argparse._SubParsersAction) -> None:
    what = _command_with_targets(
        commands,
        "import",
        "import a provider's waiting-list extract or metric observations (CSV)",
        "Import data into the database.",
    )
    waiting = what.add_parser(
        "waiting-list",
        help="a provider's waiting-list extract (CSV)",
        description="Import a waiting-list extract: every row is checked, then the file is "
        "applied as one audited write. All-or-nothing: one rejected row and nothing is "
        "written (exit 1) unless --skip-invalid. Entries the extract no longer lists are "
        "marked, never deleted. See docs/import.md.",
        epilog="Exit codes: 0 imported (or a clean dry run); 1 rows rejected and nothing "
        "written; 2 the file or an option refused as a whole.",
    )
    _common(waiting)
    waiting.add_argument("file", metavar="FILE.csv", help="the extract, with a header line")
    waiting.add_argument(
        "--dry-run", action="store_true", help="check and count the rows; write nothing"
    )
    waiting.add_argument(
        "--skip-invalid",
        action="store_true",
        help="import the valid rows and write every rejected row to --rejects FILE",
    )
    waiting.add_argument(
        "--rejects",
        metavar="FILE",
        help="new CSV file for every rejected row, with its line and reason (required with "
        "--skip-invalid)",
    )
    waiting.add_argument(
        "--mapping",
        metavar="FILE",
        help="JSON file naming the extract's headers for huddle's columns, "
        'e.g. {"nhs_number": "NHS No"}',
    )
    waiting.add_argument(
        "--encoding",
        metavar="ENC",
        help="the file's encoding when it is not UTF-8, e.g. cp1252 (never guessed)",
    )
    _add_import_metrics(what)


def _add_import_metrics(what: argparse._SubParsersAction) -> None:
    metrics = what.add_parser(
        "metrics",
        help="metric observations (CSV: metric, period, value, segment)",
        description="Import metric observations: a header line naming metric, period (a "
        "date in the period), value and, for metrics by team or provider, segment. Every "
        "row is checked, then the file is recorded as one audited write: new periods "
        "added, changed values corrected, the same values left alone, and the trigger "
        "rules evaluated. All-or-nothing: one rejected row and nothing is written (exit 1) "
        "unless --skip-invalid. See docs/oversight.md.",
        epilog="Exit codes: 0 imported (or a clean dry run); 1 rows rejected and nothing "
        "written; 2 the file or an option refused as a whole.",
    )
    _common(metrics)
    metrics.add_argument("file", metavar="FILE.csv", help="the observations, with a header line")
    metrics.add_argument(
        "--dry-run",
        action="store_true",
        help="check and count the rows, and say which triggers would fire; write nothing",
    )
    metrics.add_argument(
        "--skip-invalid",
        action="store_true",
        help="import the valid rows and write every rejected row to the rejects file",
    )
    metrics.add_argument(
        "--rejects",
        metavar="FILE",
        help="new CSV file for every rejected row, with its line and reason (default with "
        "--skip-invalid: FILE.rejects.csv beside FILE.csv); made only if a row is rejected",
    )
    metrics.add_argument(
        "--encoding",
        metavar="ENC",
        help="the file's encoding when it is not UTF-8, e.g. cp1252 (never guessed)",
    )


def _add_export(commands: argparse._SubParsersAction) -> None:
    what = _command_with_targets(
        commands,
        "export",
        "export a meeting's minutes (Markdown), the waiting list or the actions (CSV)",
        "Export data from the database: one meeting's minutes as Markdown, or the waiting "
        "list or the actions as CSV. In CSV, cells that a spreadsheet would run as a "
        "formula are neutralised with a leading '.",
    )
    minutes = what.add_parser(
        "minutes",
        help="one meeting's minutes as Markdown",
        description="The minutes of one meeting as Markdown. A signed-off meeting's are the "
        "minutes as signed (rendered from its record at sign-off, with the audit chain's "
        "head), followed by any addenda; a meeting still open gives a draft, rendered now "
        "and marked DRAFT.",
    )
    _common(minutes)
    minutes.add_argument("meeting", metavar="MEETING", help="the meeting's id (a number)")
    minutes.add_argument(
        "--out", metavar="FILE", help="new file to write (0600); default: standard output"
    )
    waiting = what.add_parser(
        "waiting-list",
        help="every waiting entry as CSV, with breach and contact position",
        description="Every waiting entry as CSV, with days waited, breach date, breached, "
        "contact due and overdue, and breached without escalation, as at today or --as-at. "
        "Cells that a spreadsheet would run as a formula are neutralised with a leading '.",
    )
    _export_options(waiting, "work out breaches")
    actions = what.add_parser(
        "actions",
        help="every action as CSV, with owner, status, due date and evidence",
        description="Every action (open, in progress and closed) as CSV, with its owner, "
        "status in words (OVERDUE, review due), what it is linked to, due date and its "
        "moves, days overdue, review and closing dates and evidence, as at today or "
        "--as-at; --owner and --status narrow it. Cells that a spreadsheet would run as a "
        "formula are neutralised with a leading '.",
    )
    _export_options(actions, "work out what is overdue")
    actions.add_argument(
        "--owner",
        metavar="NAME",
        help="only this person's actions (their name, or a part of it only they have)",
    )
    actions.add_argument(
        "--status",
        choices=ACTION_STATUSES,
        help="only actions with this status",
    )


def _add_serve(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser(
        "serve",
        help="serve the app to web browsers (each tab signs in)",
        description="Serve the app to web browsers: each tab runs its own app on the "
        "database and starts at the sign-in screen. Listens on this computer only by "
        "default; on any other address, TLS and access control belong to a reverse proxy "
        "in front (docs/serve.md).",
    )
    serve.add_argument(
        "--db", metavar="PATH", default=argparse.SUPPRESS, help="database file to serve"
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    serve.add_argument(
        "--port", type=int, default=8000, metavar="N", help="port to listen on (default 8000)"
    )
    serve.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers use, when a reverse proxy is in front "
        "(e.g. https://huddle.example.nhs.uk)",
    )
    serve.add_argument(
        "--imports",
        metavar="DIR",
        help="the one folder the import dialog may read extracts from (none: imports "
        "happen from the command line)",
    )
    serve.add_argument(
        "--idle-minutes",
        type=int,
        metavar="N",
        help="sign a tab out after N minutes without a key (default 15)",
    )


def _add_setup(commands: argparse._SubParsersAction) -> None:
    what = _command_with_targets(
        commands,
        "setup",
        "apply or export the service file (providers, people, tiers, series, programme)",
        "A service's set-up as a TOML file it keeps and reviews: apply one (creating the "
        "database if it does not exist yet), or export the database's set-up in the same "
        "format. See docs/setup.md.",
    )
    apply = what.add_parser(
        "apply",
        help="apply a service file: print the plan, ask, then one audited write",
        description="Check the service file, print the plan (what is added, changed and "
        "deactivated, and what each tier change does to the waiting list), ask on a "
        "terminal, then apply it as one audited write whose reason names the file. A file "
        "with any problem is refused whole. Applying the same file again writes nothing.",
        epilog="Exit codes: 0 applied, nothing to change, or a dry run; 1 not confirmed; "
        "2 the file refused.",
    )
    _planned(apply, "FILE.toml", "the service file")
    people = what.add_parser(
        "import-people",
        help="a people list from HR (CSV: name, role, provider, active)",
        description="Add or update people from a CSV with a header line naming name, role, "
        "provider and optionally active (yes/no). Matched by name; the provider must already "
        "be set up. The plan is printed and asked for, then one audited write. "
        "All-or-nothing: one rejected row and nothing is written (exit 1) unless "
        "--skip-invalid.",
        epilog="Exit codes: 0 applied, nothing to change, or a dry run; 1 rows rejected or "
        "not confirmed; 2 the file refused as a whole.",
    )
    _planned(people, "FILE.csv", "the people list, with a header line")
    people.add_argument(
        "--skip-invalid", action="store_true", help="apply the valid rows; list the rest"
    )
    people.add_argument(
        "--encoding",
        metavar="ENC",
        help="the file's encoding when it is not UTF-8, e.g. cp1252 (never guessed)",
    )
    export = what.add_parser(
        "export",
        help="the database's set-up as a service file",
        description="Write the database's current set-up as a service file: applying it "
        "to the same database changes nothing.",
    )
    _common(export)
    export.add_argument(
        "--out", metavar="FILE", help="new file to write (0600); default: standard output"
    )


def _planned(parser: argparse.ArgumentParser, metavar: str, what: str) -> None:
    """A command that prints a plan of changes, asks, then writes them."""
    _common(parser)
    parser.add_argument("file", metavar=metavar, help=what)
    parser.add_argument("--dry-run", action="store_true", help="print the plan; write nothing")
    parser.add_argument("--yes", action="store_true", help="apply without asking")


def _export_options(parser: argparse.ArgumentParser, works_out: str) -> None:
    _common(parser)
    parser.add_argument(
        "--out", metavar="FILE", help="new file to write (0600); default: standard output"
    )
    parser.add_argument(
        "--as-at",
        metavar="DATE",
        help=f"{works_out} as at this date (dd/mm/yyyy or yyyy-mm-dd) instead of today",
    )


def _warn_about_location(path: Path) -> None:
    from store.startup import network_share_warning

    if warning := network_share_warning(path):
        print(f"huddle: WARNING: {warning}", file=sys.stderr)


def _existing_store(
    args: argparse.Namespace, *, migrate: bool = True, writes: bool = False, imports: bool = False
) -> Store:
    path = config.resolve_db(args.db)
    if not path.exists():
        raise CommandError(
            f"no database at {path}: run `huddle` to start one, or `huddle demo` for a demo"
        )
    _warn_about_location(path)
    return _open_as(path, args, migrate=migrate, writes=writes, imports=imports)


def _open_as(
    path: Path,
    args: argparse.Namespace,
    *,
    migrate: bool = True,
    writes: bool,
    imports: bool = False,
) -> Store:
    """The database at `path`, acting as the person `--user`, `HUDDLE_USER` or the computer
    login names (store.sign_in.acting_as). A name that is nobody is refused; with no one
    acting, a command that `writes` is refused and any other writes nothing."""
    from store import open_store
    from store.clock_guard import is_demo
    from store.sign_in import SignInRefused, acting_as

    store = open_store(path, "", migrate=migrate)
    try:
        given, source = config.given_user(args.user)
        acting = acting_as(store, given, source, config.login_name(), imports=imports)
        if acting is None and is_demo(store.conn):
            acting = _demo_actor()
    except SignInRefused as refusal:
        store.close()
        raise CommandError(str(refusal)) from None
    if acting is None:
        if writes:
            store.close()
            raise CommandError(NOBODY_ACTING)
        store.not_acting = "nobody is acting (give --user NAME)"
        return store
    store.actor, store.via, store.not_acting = acting.name, acting.via, acting.may_not_write
    return store


NOBODY_ACTING = (
    "who is doing this? Your computer login is no person's login in the set-up: give "
    "--user NAME (or HUDDLE_USER) with a name or login on the staff list, or have set-up "
    "give you a login (the service file's login key)"
)


def _demo_actor() -> Acting:
    """Who acts on a demo nobody named: its mobilisation lead, as `huddle demo` seeded it."""
    from fixtures.people import DEMO_ACTOR
    from store.sign_in import Acting

    return Acting(DEMO_ACTOR, "demo")


def _guarded_store(
    args: argparse.Namespace, clock: Clock, *, writes: bool, imports: bool = False
) -> Store:
    """The existing database, every write through it guarded by `clock`. `writes`: the
    command is about to write, so a refusal is said now, before it reads any file."""
    from store.clock_guard import keep_to, write_refusal

    store = _existing_store(args, writes=writes, imports=imports)
    keep_to(store, clock)
    if writes and (refusal := write_refusal(store)):
        raise CommandError(f"nothing was saved: {refusal}")
    if writes:
        _ladder_climbed(store, clock)
    return store


def _ladder_climbed(store: Store, clock: Clock) -> None:
    """A command that writes first climbs every escalation past its rung's timeframe, as
    the app does while it runs, so what it writes meets the ladder as it stands today."""
    from store.oversight import climb_escalations

    if climbed := climb_escalations(store, clock.today()):
        print(f"huddle: {climbed} escalations climbed a rung first", file=sys.stderr)


def _as_at(store: Store, clock: Clock, as_at: date | None) -> date:
    """`--as-at` when given; else today, or the latest date the database has seen when
    the clock is behind it (said on stderr: a breach that has happened stays counted)."""
    from store.clock_guard import behind, latest_seen

    if as_at is not None:
        return as_at
    seen = latest_seen(store.conn)
    if why := behind(clock.today(), seen):
        print(f"huddle: WARNING: {why}; counted as at {seen:%d/%m/%Y}", file=sys.stderr)
    return judged(clock.today(), seen)


def cmd_status(args: argparse.Namespace, clock: Clock) -> int:
    from store.queries import status_with_reconciliation

    asked = parse_date(args.as_at, "--as-at") if args.as_at else None
    store = _guarded_store(args, clock, writes=False)
    as_at = _as_at(store, clock, asked)
    summary, checks = status_with_reconciliation(store, as_at)
    if args.json:
        report = {**summary.model_dump(mode="json"), "reconciliation": checks.counts()}
        print(json.dumps(report, indent=2))
    else:
        lines = [*status_lines(summary), *reconciliation_lines(checks)]
        print("\n".join(printable(line) for line in lines))
    return 0


def status_lines(summary: StatusSummary) -> list[str]:
    waiting = summary.waiting
    lines = [
        f"{summary.service}{' (DEMO)' if summary.is_demo else ''} — as at {long_uk(summary.as_at)}",
        f"Waiting: {waiting.total}   breached: {waiting.breached}   "
        f"BREACHED WITHOUT ESCALATION: {waiting.breached_without_escalation}   "
        f"interim contacts overdue: {waiting.contact_overdue}",
    ]
    for number, tier in sorted(waiting.by_tier.items()):
        lines.append(
            f"  tier {number} {tier.name:<9} waiting {tier.waiting:>7}   "
            f"breached {tier.breached:>6}   contact overdue {tier.contact_overdue:>6}"
        )
    lines.append(f"Actions: {summary.actions.open} open, {summary.actions.overdue} overdue")
    if left := summary.owner_left.said():
        lines.append(f"OWNER LEFT: {left}, owned by people who have left; reassign them")
    if go_live := summary.go_live:
        rag = " · ".join(f"{name} {letter}" for name, letter in go_live.rag.items())
        reasons = go_live.blockers or go_live.conditions
        lines += [
            f"Go-live: {go_live.programme}: {go_live.countdown}",
            f"  readiness: {go_live.readiness}" + (f": {'; '.join(reasons)}" if reasons else ""),
            f"  RAG: {rag}",
        ]
    triggers = summary.triggers
    lines.append(
        f"Fired triggers: {len(triggers.fired)}   escalations open: "
        f"{triggers.escalations_open} ({triggers.escalations_overdue} overdue)"
    )
    for fired in triggers.fired:
        lines.append(
            f"  FIRED {fired.fired_on:%d/%m/%Y} {fired.rule}: escalation {fired.escalation_owner}"
            f" ({fired.rung}, due {fired.due:%d/%m/%Y}), on the agenda of {fired.agenda_series}"
            if fired.due
            else f"  FIRED {fired.fired_on:%d/%m/%Y} {fired.rule}"
        )
    outside = [m for m in summary.metrics if m.standing in ("above", "below")]
    lines.append(f"Metrics outside tolerance: {len(outside)} of {len(summary.metrics)}")
    for metric in outside:
        named = ", ".join(
            f"{s.name} {shown(s.value)} {s.standing.upper()}"
            for s in metric.segments
            if s.name in metric.segments_outside
        )
        lines.append(f"  {metric.standing.upper()} {metric.name}" + (f": {named}" if named else ""))
    lines.append(f"Metric reviews due: {len(summary.reviews_due)}")
    lines += [f"  {due.name}: {due.words}" for due in summary.reviews_due]
    lines.append(f"Commissioner queries not closed: {len(summary.queries)}")
    for query in summary.queries:
        lines.append(
            f"  {query.words} — {query.matter} (asked by {query.asked_by}, owner {query.owner})"
        )
    return lines


def reconciliation_lines(checks: Reconciliation) -> list[str]:
    missing = checks.no_outcome_after_closure
    return [
        "Reconciliation:",
        f"  duplicates across providers {checks.duplicates.count:>7}   "
        "people waiting with two or more providers",
        f"  no case owner               {checks.no_case_owner.count:>7}   waiting entries",
        f"  no outcome after closure    {missing:>7}   "
        f"closed without an outcome {checks.closed_without_outcome.count}, "
        f"no longer in the provider's extract {checks.not_in_extract.count}",
        f"  long-wait outliers          {checks.long_wait_outliers.count:>7}   "
        "waiting over twice the tier's maximum safe wait",
        f"  held from extracts          {checks.held_changes.count:>7}   "
        "changes a provider's extract asked for, waiting for a person",
    ]


def cmd_check(args: argparse.Namespace, _clock: Clock) -> int:
    from store.check import check_database

    # Inspect the file as it is: checking must not change it, not even by migrating.
    store = _existing_store(args, migrate=False)
    with progress("check", shown=is_large(store.path, LARGE_DATABASE)) as report_progress:
        report = check_database(store.conn, report_progress)
    print("\n".join(printable(line) for line in report.lines()))
    return 0 if report.ok else EXIT_FAULT


def cmd_backup(args: argparse.Namespace, _clock: Clock) -> int:
    from store.backup import backup

    store = _existing_store(args, migrate=False)
    destination = Path(args.dest)
    with progress("backup", shown=is_large(store.path, LARGE_DATABASE)) as report_progress:
        report = backup(store, destination, report_progress)
    if report.ok:
        print(f"backup written to {destination}")
    else:
        print(f"backup FAILED its check, so {destination} was not kept; run huddle check")
    print("\n".join(printable(line) for line in report.lines()))
    return 0 if report.ok else EXIT_FAULT


def cmd_restore(args: argparse.Namespace, clock: Clock) -> int:
    from store.backup import restore

    path = config.resolve_db(args.db)
    _warn_about_location(path)
    done = restore(Path(args.backup), path, f"{clock.now():%Y%m%d-%H%M%S}")
    if done.kept:
        print(f"the database it replaced is kept as {done.kept}")
    print(f"{args.backup} restored as {path}")
    print("\n".join(printable(line) for line in done.report.lines()))
    return 0 if done.report.ok else EXIT_FAULT


def cmd_demo(args: argparse.Namespace, clock: Clock) -> int:
    from fixtures.demo import seed_demo
    from fixtures.demo_file import fresh_demo_store
    from fixtures.people import DEMO_ACTOR
    from store.clock_guard import keep_to

    if args.size < 0:
        raise CommandError(f"--size {args.size} must be zero or more")
    path = Path(args.db).expanduser() if args.db else config.demo_db_path()
    if not args.db:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    config.given_user(args.user)  # a --user holding an escape is refused before any work
    store = fresh_demo_store(path, DEMO_ACTOR)
    store.via = "demo"
    keep_to(store, clock, making_demo=True)
    with progress("demo", shown=args.size >= LARGE_DEMO) as report:
        entries = partial(report, "waiting entries") if report else None
        seed_demo(store, clock.today(), size=args.size, progress=entries)
    print(f"demo service seeded in {path}", file=sys.stderr)
    store.close()
    # Opened again as whoever acts on it now, as `huddle --db` would (a --user that is
    # none of the demo's people is refused).
    store = _open_as(path, args, writes=False)
    if args.no_open:
        store.close()
        return 0
    return _run_app(store, clock)


def cmd_import(args: argparse.Namespace, clock: Clock) -> int:
    if args.what == "metrics":
        return _import_metrics(args, clock)
    from store.waiting_import import ImportRequest, import_file

    if args.skip_invalid and not args.rejects:
        raise CommandError(
            "--skip-invalid needs --rejects FILE, so that every row left out is kept "
            "with its reason"
        )
    store = _guarded_store(args, clock, writes=not args.dry_run, imports=True)
    rejects_path = Path(args.rejects) if args.rejects else None
    request = ImportRequest(
        Path(args.file),
        encoding=args.encoding,
        mapping=Path(args.mapping) if args.mapping else None,
        rejects=rejects_path,
        skip_invalid=args.skip_invalid,
        dry_run=args.dry_run,
    )
    with progress("import waiting-list", shown=is_large(request.path, LARGE_EXTRACT)) as told:
        steps = _import_steps(told, "changes written") if told else None
        result = import_file(store, request, _as_at(store, clock, None), steps)
    problems, report = import_report(result, rejects_path)
    for line in problems:
        print(printable(line), file=sys.stderr)
    print("\n".join(printable(line) for line in report))
    return EXIT_FAULT if result.blocked else 0


def _import_steps(told: Progress, written: str) -> Callable[[ImportProgress], None]:
    """An import's progress in words: the rows checked (while the length of the file is
    known only by how much of it has been read), then what is `written`."""

    def step(done: ImportProgress) -> None:
        if done.stage == "checking":
            told("rows checked", done.done, file_share=done.share)
        else:
            told(written, done.done, done.total)

    return step


REJECTS_SHOWN = 50


def import_report(result: ImportResult, rejects_path: Path | None) -> tuple[list[str], list[str]]:
    """What an import says: the rejected rows (at most 50) for stderr; for stdout one
    summary line, then what was (or was not) written and what the extract no longer lists."""
    problems = [f"line {row.line}: {row.reason}" for row in result.shown_rejects]
    problems = problems[:REJECTS_SHOWN]
    if result.invalid > len(problems):
        where = f"all are in {rejects_path}" if rejects_path else "give --rejects FILE for all"
        problems.append(f"... and {result.invalid - len(problems)} more rejected rows ({where})")
    report = [result.summary()]
    if result.blocked:
        report.append(
            f"nothing written: {result.invalid} of {result.rows_in} rows are invalid and the "
            "import is all-or-nothing; correct them, or give --skip-invalid --rejects FILE "
            "to import the rest"
        )
    if not result.blocked:
        report += result.report()
    if result.missing:
        report.append(f"not in this extract: {result.missing} entries, confirm at the huddle")
        report += [printable(f"  {entry.describe()}") for entry in result.shown_missing]
        if result.missing > len(result.shown_missing):
            report.append(
                f"  ... and {result.missing - len(result.shown_missing)} more "
                "(huddle export waiting-list gives each one's not_in_extract_since)"
            )
    if result.dry_run:
        report.append("dry run: nothing written")
    if rejects_path is not None:
        report.append(f"rejected rows: {rejects_path}")
    return problems, report


def _import_metrics(args: argparse.Namespace, clock: Clock) -> int:
    from huddle.metrics_csv import rejects_beside
    from store.metrics_import import MetricsImportRequest, import_metrics_file

    path = Path(args.file)
    rejects_path = Path(args.rejects) if args.rejects else None
    if rejects_path is None and args.skip_invalid and not args.dry_run:
        rejects_path = rejects_beside(path)
    store = _guarded_store(args, clock, writes=not args.dry_run, imports=True)
    request = MetricsImportRequest(
        path,
        encoding=args.encoding,
        rejects=rejects_path,
        skip_invalid=args.skip_invalid,
        dry_run=args.dry_run,
    )
    with progress("import metrics", shown=is_large(path, LARGE_EXTRACT)) as told:
        steps = _import_steps(told, "readings recorded") if told else None
        result = import_metrics_file(store, request, _as_at(store, clock, None), steps)
    problems, report = metrics_import_report(result)
    for line in problems:
        print(printable(line), file=sys.stderr)
    print("\n".join(printable(line) for line in report))
    return EXIT_FAULT if result.blocked else 0


def metrics_import_report(result: MetricsImportResult) -> tuple[list[str], list[str]]:
    """What a metrics import says: the rejected rows (at most 50) for stderr; for stdout
    the summary line, why nothing was written, the triggers fired and cleared, and where
    the rejects file is."""
    problems = [f"line {row.line}: {row.reason}" for row in result.shown_rejects]
    if result.invalid > len(problems):
        where = (
            f"all are in {result.rejects_path}"
            if result.rejects_path
            else "give --rejects FILE for all"
        )
        problems.append(f"... and {result.invalid - len(problems)} more rejected rows ({where})")
    report = [result.summary()]
    if result.blocked:
        report.append(
            f"nothing written: {result.invalid} of {result.rows_in} rows are invalid and the "
            "import is all-or-nothing; correct them, or give --skip-invalid to import the "
            "rest (the rejected rows go to the rejects file)"
        )
    fired = "would fire" if result.dry_run else "fired"
    if not result.blocked:
        report.append(f"triggers {fired}: {len(result.fired)}")
    for news in result.fired:
        report.append(printable(f"  {news.rule}: {news.firing.why}"))
        if news.firing.cleared_on is not None:
            report.append(printable(f"    already {news.firing.cleared_why}: no escalation"))
        elif result.dry_run:
            report.append(printable(f"    an escalation and an agenda item for {news.series}"))
        else:
            report.append(
                printable(
                    f"    escalation opened (action {news.firing.action_id}), on the agenda "
                    f"of the next {news.series}"
                )
            )
    cleared = [news for news in result.cleared if news not in result.fired]
    if cleared:
        report.append(f"triggers {'would clear' if result.dry_run else 'cleared'}: {len(cleared)}")
        report += [printable(f"  {news.rule}: {news.firing.cleared_why}") for news in cleared]
    if result.dry_run:
        report.append("dry run: nothing written")
    if result.rejects_path is not None:
        report.append(f"rejected rows: {result.rejects_path}")
    return problems, report


def cmd_export(args: argparse.Namespace, clock: Clock) -> int:
    if args.what == "minutes":
        return _export_minutes(args)
    asked = parse_date(args.as_at, "--as-at") if args.as_at else None
    store = _guarded_store(args, clock, writes=False)
    as_at = _as_at(store, clock, asked)
    if args.what == "actions":
        return _export_csv(args.out, _actions_export(args, store, as_at), "actions")
    from store.waiting_export import export_waiting_list

    return _export_csv(args.out, partial(export_waiting_list, store, as_at), "waiting entries")


def _actions_export(
    args: argparse.Namespace, store: Store, as_at: date
) -> Callable[[IO[str]], int]:
    """Every action, narrowed by --owner and --status (refused before any file is made)."""
    from huddle.action_query import ActionQuery, ActionView
    from huddle.models import ActionStatus
    from huddle.people import match_person
    from store.action_export import export_actions
    from store.people import everyone

    owner = (
        None
        if args.owner is None
        else match_person(everyone(store), args.owner, "--owner", include_left=True)
    )
    query = ActionQuery(
        as_at,
        view=ActionView.EVERY,
        owner_id=owner.id if owner else None,
        status=ActionStatus(args.status) if args.status else None,
    )
    return partial(export_actions, store, query)


def _meeting_id(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise CommandError(
            f"MEETING {text!r} is not a meeting id: give the meeting's number, e.g. 3"
        ) from None


def _export_minutes(args: argparse.Namespace) -> int:
    """One meeting's minutes as Markdown: as signed, with any addenda; or a draft."""
    from huddle.models import MeetingState
    from store.errors import NotFound
    from store.meeting_reads import meeting_row
    from store.minutes import minutes_for_export

    meeting_id = _meeting_id(args.meeting)
    store = _existing_store(args)
    try:
        meeting = meeting_row(store, meeting_id)
    except NotFound:
        low, high = store.conn.execute("SELECT min(id), max(id) FROM meeting").fetchone()
        held = f"meetings are numbered {low} to {high}" if low else "it holds no meetings yet"
        raise CommandError(
            f"MEETING {meeting_id}: no meeting with that id in {store.path} ({held})"
        ) from None
    text = minutes_for_export(store, meeting.id)
    what = f"{meeting.series}, {meeting.held_on:%d/%m/%Y}"
    if meeting.state != MeetingState.SIGNED_OFF:
        print(
            printable(
                f"meeting {meeting.id} ({what}) is {meeting.state}: these minutes are a DRAFT"
            ),
            file=sys.stderr,
        )

    def write(stream: IO[str]) -> int:
        stream.write(text)
        return len(text.splitlines())

    return _export(
        args.out,
        write,
        lambda _lines, path: f"minutes of meeting {meeting.id} ({what}) written to {path}",
    )


def _export_csv(out: str | None, write: Callable[[IO[str]], int], what: str) -> int:
    """Write a CSV export, saying on stderr how many rows the file holds."""
    return _export(out, write, lambda count, path: f"{count} {what} written to {path}")


def _export(
    out: str | None, write: Callable[[IO[str]], int], said: Callable[[int, Path], str]
) -> int:
    """Write an export to standard output, or to a new owner-only file (never one that
    exists, and none left half-written), saying on stderr what the file holds.

    On standard output nothing in a record may drive the terminal (minutes signed before
    fields were escaped for Markdown, or a record stored before its text was checked, can
    hold a raw escape): every piece is written through printable_lines. A file keeps the
    record as it is, as signed."""
    from huddle.private_files import write_private

    if not out:
        write(_Terminal(sys.stdout))
        return 0
    out_path = Path(out)
    try:
        count = write_private(out_path, write)
    except OSError as error:
        raise CommandError(str(error)) from None
    print(printable(said(count, out_path)), file=sys.stderr)
    return 0


class _Terminal(io.TextIOBase):
    """A stream for an export to standard output: what is written reaches it through
    printable_lines, line ends kept (csv.writer writes a row at a time)."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(printable_lines(text))
        return len(text)


def cmd_setup(args: argparse.Namespace, clock: Clock) -> int:
    if args.what == "export":
        return _export_setup(args, clock)
    if args.what == "import-people":
        return _import_people(args, clock)
    from huddle.service_file import parse_service_file

    source = Path(args.file)
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"{source}: cannot read it as a UTF-8 text file ({error})") from None
    setup = parse_service_file(text, source.name)
    path = config.resolve_db(args.db)
    _warn_about_location(path)
    if path.exists():
        plan = _plan_setup(path, args, setup, clock, text)
    else:
        # Planned against an empty database made for the purpose, so that a dry run, or a
        # plan not confirmed, leaves no file behind.
        with tempfile.TemporaryDirectory() as folder:
            plan = _plan_setup(Path(folder) / "plan.db", args, setup, clock, text)
    print("\n".join(printable(line) for line in plan.lines()))
    if plan.empty:
        return 0
    if not args.dry_run and (refusal := _setup_refusal(path, args, clock)):
        raise CommandError(f"nothing was saved: {refusal}")
    if not _confirmed(args):
        return 0 if args.dry_run else EXIT_FAULT
    from store.clock_guard import keep_to
    from store.setup import apply_plan, plan_setup

    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Planned again on the database itself (a new one gives the same plan as the empty
    # one above); each change carries the version it read, so a change made meanwhile by
    # someone else refuses the whole write instead of being overwritten.
    store = _open_as(path, args, writes=True)
    keep_to(store, clock)
    _ladder_climbed(store, clock)
    today = clock.today()
    steps = apply_plan(store, plan_setup(store, setup, today, plan.source, text), today)
    print(f"applied: {_changes(steps)} to {path}, audited as set-up from {plan.source}")
    return 0


def _changes(count: int) -> str:
    return f"{count} change{'' if count == 1 else 's'}"


def _confirmed(args: argparse.Namespace) -> bool:
    """Whether to write the plan just printed: never on a dry run; with --yes; else asked."""
    if args.dry_run:
        print("dry run: nothing written")
        return False
    if args.yes:
        return True
    if not sys.stdin.isatty():
        raise CommandError("not applied: give --yes to apply without a terminal to ask on")
    if input("Apply these changes? [y/N] ").strip().lower() in ("y", "yes"):
        return True
    print("not applied: nothing written")
    return False


def _import_people(args: argparse.Namespace, clock: Clock) -> int:
    from huddle.people_csv import read_people
    from huddle.waiting_csv import codec_for
    from store.people_import import plan_people_import
    from store.setup import apply_plan

    source = Path(args.file)
    try:
        text = source.read_text(encoding=codec_for(args.encoding))
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"{source}: cannot read it ({error})") from None
    store = _guarded_store(args, clock, writes=not args.dry_run)
    today = _as_at(store, clock, None)
    found = plan_people_import(store, read_people(text, source.name), today, source.name)
    for row in found.rejected:
        print(printable(f"line {row.line}: {row.reason}"), file=sys.stderr)
    print(printable(found.summary()))
    if found.rejected and not args.skip_invalid:
        print(
            f"nothing written: {len(found.rejected)} of {found.rows_in} rows are rejected and "
            "the list is all-or-nothing; correct them, or give --skip-invalid to apply the rest"
        )
        return EXIT_FAULT
    print("\n".join(printable(line) for line in found.plan.lines()))
    if found.plan.empty or not _confirmed(args):
        return 0 if found.plan.empty or args.dry_run else EXIT_FAULT
    steps = apply_plan(store, found.plan, today)
    print(f"applied: {_changes(steps)}, audited as set-up from {source.name}")
    return 0


def _plan_setup(
    path: Path, args: argparse.Namespace, setup: ServiceFile, clock: Clock, text: str
) -> SetupPlan:
    from store.clock_guard import latest_seen
    from store.setup import plan_setup

    store = _open_as(path, args, writes=False)
    try:
        today = judged(clock.today(), latest_seen(store.conn))
        return plan_setup(store, setup, today, Path(args.file).name, text)
    finally:
        store.close()


def _setup_refusal(path: Path, args: argparse.Namespace, clock: Clock) -> str | None:
    """Why a service file cannot be applied to `path` now, said before asking."""
    from store.clock_guard import keep_to, training_only, write_refusal

    if not path.exists():
        # A new database is a service's own: `huddle demo` is what makes a demo.
        return training_only(clock, is_demo=False)
    store = _open_as(path, args, writes=True)
    try:
        keep_to(store, clock)
        return write_refusal(store)
    finally:
        store.close()


def _export_setup(args: argparse.Namespace, clock: Clock) -> int:
    from huddle.service_file import to_toml
    from store.setup import current_setup

    store = _existing_store(args)
    text = to_toml(
        current_setup(store),
        f"huddle service file, exported from {store.path.name} on {clock.today():%d/%m/%Y}\n"
        "Apply with: huddle setup apply FILE.toml (docs/setup.md has every key)",
    )

    def write(stream: IO[str]) -> int:
        stream.write(text)
        return len(text.splitlines())

    return _export(args.out, write, lambda _lines, path: f"set-up written to {path}")


def cmd_serve(args: argparse.Namespace, _clock: Clock) -> int:
    from store.setup import needs_setting_up

    if not 0 < args.port < 65536:
        raise CommandError(f"--port {args.port}: give a port from 1 to 65535")
    if args.idle_minutes is not None and args.idle_minutes < 1:
        raise CommandError(f"--idle-minutes {args.idle_minutes}: give a number of minutes")
    imports = None
    if args.imports:
        imports = Path(args.imports).expanduser().resolve()
        if not imports.is_dir():
            raise CommandError(f"--imports {imports}: no such folder")
    # Opened (and brought up to date) once here, so the tabs never race to migrate it.
    store = _existing_store(args)
    try:
        if needs_setting_up(store):
            raise CommandError(
                f"{store.path} has no people to sign in yet: set the service up first "
                "(huddle setup apply FILE, or huddle --db PATH in a terminal)"
            )
        path = store.path.resolve()
    finally:
        store.close()
    from huddle.serve import serve

    refusal = serve(
        path,
        args.host,
        args.port,
        public_url=args.public_url,
        imports=imports,
        idle_minutes=args.idle_minutes,
    )
    if refusal:
        raise CommandError(refusal)
    return 0


def cmd_user(args: argparse.Namespace, clock: Clock) -> int:
    from huddle.identity import find
    from store.sign_in import SignInRefused, people, set_password

    store = _guarded_store(args, clock, writes=True)
    # Who it is for is checked before the password is asked for.
    if find(people(store), args.name) is None:
        raise CommandError(f"NAME {args.name!r} is nobody on the staff list: give a name or login")
    if args.stdin:
        password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    elif not sys.stdin.isatty():
        raise CommandError("no terminal to ask for the password on: give --stdin")
    else:
        password = getpass.getpass("New password: ")
        if getpass.getpass("The same again: ") != password:
            raise CommandError("the two passwords differ: nothing was set")
    try:
        person = set_password(store, args.name, password, clock.now())
    except SignInRefused as refusal:
        raise CommandError(f"nothing was set: {refusal}") from None
    print(f"password set for {person.name}; the audit trail says so, and that {store.actor} set it")
    return 0


def cmd_open(args: argparse.Namespace, clock: Clock) -> int:
    path = config.resolve_db(args.db)
    if path == config.default_db_path():
        # First run: the data folder is ours to make, readable by its owner only.
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    from huddle.session import IDLE_MINUTES, Session
    from store import open_store
    from store.clock_guard import keep_to, write_refusal
    from store.records import ensure_default_tiers
    from store.setup import needs_setting_up
    from store.startup import refuse_if_damaged

    _warn_about_location(path)
    session = Session(
        served=args.served,
        imports=Path(args.imports) if args.imports else None,
        idle_minutes=args.idle_minutes or IDLE_MINUTES,
    )
    # A browser tab: whoever the server runs as, and whatever its environment says, the
    # person at the browser signs in before anything is read.
    store = open_store(path, "") if args.served else _open_as(path, args, writes=False)
    # Someone acting who may not write is a display account (the meeting room's screen).
    session.read_only = bool(store.actor) and store.not_acting is not None
    refuse_if_damaged(store)
    keep_to(store, clock)
    # While nothing can be saved a new database opens without its tiers: the banner on
    # every screen says why, and the first start that can save adds them.
    if write_refusal(store) is None:
        ensure_default_tiers(store)
    return _run_app(store, clock, first_run=needs_setting_up(store), session=session)


def _run_app(
    store: Store, clock: Clock, *, first_run: bool = False, session: Session | None = None
) -> int:
    from huddle.app import make_app
    from huddle.user_config import config_path, read_config

    config = read_config(config_path())
    app = make_app(store, clock, first_run=first_run, session=session, config=config)
    app.run()
    # An unhandled error ends the app with a fatal return code: a script (or the meeting
    # room's launcher) must see it, not a clean exit.
    return app.return_code or 0


COMMANDS: dict[str | None, Callable[[argparse.Namespace, Clock], int]] = {
    None: cmd_open,
    "demo": cmd_demo,
    "status": cmd_status,
    "check": cmd_check,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "import": cmd_import,
    "export": cmd_export,
    "setup": cmd_setup,
    "serve": cmd_serve,
    "user": cmd_user,
}


def main(argv: Sequence[str] | None = None, clock: Clock | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        clock = clock or clock_from_env()
        return COMMANDS[args.command](args, clock)
    except (StoreError, CommandError, ClockError, ValueError) as error:
        print(printable(f"huddle: {error}"), file=sys.stderr)
        return EXIT_USAGE
    except driver.DatabaseError as error:
        # Met part-way through a command (the file was fine when opened): said, not a trace.
        advice = f"; {DAMAGED_ADVICE}" if is_damage(error) else ""
        print(f"huddle: the database could not be used ({error}){advice}", file=sys.stderr)
        return EXIT_FAULT
    except BrokenPipeError:
        # The reader (e.g. `| head`) stopped early; that is not a failure of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
