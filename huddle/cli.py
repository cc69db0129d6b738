"""The `huddle` command. Wiring only: parse, open the store, call the store, print.

Commands that do not open the terminal app never import textual, so they start fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from huddle import config
from huddle.clock import Clock, ClockError, clock_from_env
from huddle.dates import long_uk, parse_date
from huddle.summary import StatusSummary
from store import Store, StoreError, open_store
from store.records import ensure_default_tiers

EXIT_FAULT = 1
EXIT_USAGE = 2


class CommandError(Exception):
    """A one-line message for the user; no traceback."""


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="database file (default: $HUDDLE_DB, else the user data folder)",
    )
    parser.add_argument(
        "--user", metavar="NAME", help="who is making changes (default: $HUDDLE_USER, else login)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="huddle",
        description="Governance huddles for NHS community services. "
        "With no command, opens the terminal app on the database.",
        epilog="HUDDLE_TODAY=YYYY-MM-DD fixes today's date for demos and training.",
    )
    _common(parser)
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
        help="counts by tier, breaches, contacts overdue, actions",
        description="Counts by tier, breaches, breaches without escalation, contacts "
        "overdue, actions open and overdue, go-live countdown.",
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
    return parser


def _existing_store(args: argparse.Namespace) -> Store:
    path = config.resolve_db(args.db)
    if not path.exists():
        raise CommandError(
            f"no database at {path}: run `huddle` to start one, or `huddle demo` for a demo"
        )
    return open_store(path, config.resolve_user(args.user))


def cmd_status(args: argparse.Namespace, clock: Clock) -> int:
    from store.queries import status_summary

    as_at = parse_date(args.as_at, "--as-at") if args.as_at else clock.today()
    store = _existing_store(args)
    summary = status_summary(store, as_at)
    if args.json:
        print(json.dumps(summary.model_dump(mode="json"), indent=2))
    else:
        print("\n".join(status_lines(summary)))
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
    if summary.go_live:
        lines.append(f"Go-live: {summary.go_live.programme} in {summary.go_live.days_to_go} days")
    return lines


def cmd_check(args: argparse.Namespace, _clock: Clock) -> int:
    from store.check import check_database

    store = _existing_store(args)
    report = check_database(store.conn)
    print("\n".join(report.lines()))
    return 0 if report.ok else EXIT_FAULT


def cmd_backup(args: argparse.Namespace, _clock: Clock) -> int:
    from store.backup import backup

    store = _existing_store(args)
    destination = Path(args.dest)
    report = backup(store, destination)
    print(f"backup written to {destination}")
    print("\n".join(report.lines()))
    return 0 if report.ok else EXIT_FAULT


def cmd_demo(args: argparse.Namespace, clock: Clock) -> int:
    from fixtures.demo import seed_demo
    from fixtures.demo_file import fresh_demo_store

    if args.size < 0:
        raise CommandError(f"--size {args.size} must be zero or more")
    path = Path(args.db).expanduser() if args.db else config.demo_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    store = fresh_demo_store(path, config.resolve_user(args.user))
    seed_demo(store, clock.today(), size=args.size, progress=_print_progress(args.size))
    print(f"demo service seeded in {path}", file=sys.stderr)
    if args.no_open:
        return 0
    return _run_app(store, clock)


def _print_progress(total: int) -> Callable[[int, int], None] | None:
    if total < 100_000:
        return None

    def report(done: int, of: int) -> None:
        print(f"\rwaiting-list entries: {done:,} of {of:,}", end="", file=sys.stderr)
        if done == of:
            print(file=sys.stderr)

    return report


def cmd_open(args: argparse.Namespace, clock: Clock) -> int:
    store = open_store(config.resolve_db(args.db), config.resolve_user(args.user))
    ensure_default_tiers(store)
    return _run_app(store, clock)


def _run_app(store: Store, clock: Clock) -> int:
    from huddle.app import make_app

    make_app(store, clock).run()
    return 0


COMMANDS: dict[str | None, Callable[[argparse.Namespace, Clock], int]] = {
    None: cmd_open,
    "demo": cmd_demo,
    "status": cmd_status,
    "check": cmd_check,
    "backup": cmd_backup,
}


def main(argv: Sequence[str] | None = None, clock: Clock | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        clock = clock or clock_from_env()
        return COMMANDS[args.command](args, clock)
    except (StoreError, CommandError, ClockError, ValueError) as error:
        print(f"huddle: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader (e.g. `| head`) stopped early; that is not a failure of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
