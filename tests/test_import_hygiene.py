"""Dependencies point one way: the domain and the store never pull in textual, the pure
domain never pulls in SQLite, and commands that do not open the app start without textual.

Each check runs in a fresh interpreter so that nothing imported by other tests can hide
an import."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Every module of the domain and the store, found on disk so that a new one is checked
# without anyone remembering to list it; only the app itself and its entry point show
# screens.
NO_TEXTUAL = sorted(
    f"{package}.{path.stem}" if path.stem != "__init__" else package
    for package in ("huddle", "store")
    for path in (ROOT / package).glob("*.py")
    if f"{package}.{path.stem}" not in {"huddle.app", "huddle.__main__"}
)

PURE = [
    "huddle.models",
    "huddle.rules",
    "huddle.nhs_number",
    "huddle.dates",
    "huddle.waiting_query",
    "huddle.waiting_csv",
    "huddle.csv_safety",
    "huddle.action_query",
    "huddle.links",
    "huddle.people",
    "huddle.reconciliation",
    "huddle.oversight",
    "huddle.metrics_csv",
    "huddle.setup_edits",
    "huddle.service_file",
    "huddle.people_csv",
    "huddle.markdown_text",
    "huddle.working_days",
    "huddle.query_flow",
    "huddle.review_cycle",
]


def loaded_after(code: str, watch: list[str]) -> dict[str, bool]:
    """Run `code` in a fresh interpreter; which of `watch` ended up in sys.modules."""
    script = textwrap.dedent(code) + textwrap.dedent(
        f"""
        import json as _json, sys as _sys
        print(_json.dumps({{name: name in _sys.modules for name in {watch!r}}}))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_domain_and_store_never_import_textual() -> None:
    imports = "\n".join(f"import {name}" for name in NO_TEXTUAL)
    loaded = loaded_after(imports, ["textual", *NO_TEXTUAL])
    assert all(loaded[name] for name in NO_TEXTUAL)
    assert loaded["textual"] is False


@pytest.mark.parametrize("module", PURE)
def test_pure_domain_modules_never_import_sqlite(module: str) -> None:
    loaded = loaded_after(f"import {module}", ["sqlite3", "_sqlite3", "sqlite_utils", "textual"])
    assert loaded == {"sqlite3": False, "_sqlite3": False, "sqlite_utils": False, "textual": False}


def test_the_command_line_starts_without_textual() -> None:
    loaded = loaded_after(
        """
        import huddle.cli
        huddle.cli.build_parser().parse_args(["status", "--json"])
        """,
        ["textual", "huddle.app"],
    )
    assert loaded == {"textual": False, "huddle.app": False}


def test_status_and_check_run_without_textual(tmp_path) -> None:
    db = tmp_path / "huddle.db"
    loaded = loaded_after(
        f"""
        from huddle.cli import main
        from huddle.clock import FixedClock
        from datetime import date
        from store import open_store
        from store.records import ensure_default_tiers
        store = open_store({str(db)!r}, "tester")
        ensure_default_tiers(store)
        store.close()
        assert main(["status", "--db", {str(db)!r}], FixedClock(date(2026, 11, 22))) == 0
        assert main(["check", "--db", {str(db)!r}]) == 0
        """,
        ["textual", "huddle.app"],
    )
    assert loaded == {"textual": False, "huddle.app": False}
