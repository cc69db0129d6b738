"""Safety properties found missing in review, each proved on a real database file."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from huddle.app import make_app
from huddle.cli import main
from huddle.clock import FixedClock
from huddle.models import (
    Action,
    ActionStatus,
    MobilisationProgramme,
    Person,
    Provider,
    ProviderKind,
    WaitingEntry,
)
from screens.today import Tile
from store import Store, open_store
from store.check import check_database
from store.queries import status_summary
from store.records import add, get, risk_tiers, update, update_risk_tier

TODAY = date(2026, 11, 22)


def provider_and_owner(store: Store) -> tuple[Provider, Person]:
    provider = add(store, Provider(name="Trust", kind=ProviderKind.PRIME), "set up")
    owner = add(
        store,
        Person(name="Ann Lead", role="Pathway coordinator", provider_id=provider.id),
        "set up",
    )
    return provider, owner


def audit_rows(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM audit").fetchone()[0]


def test_db_given_before_the_command_is_the_one_used(tmp_path: Path, capsys) -> None:
    broken = tmp_path / "broken.db"
    store = open_store(broken, "tester")
    provider_and_owner(store)
    store.close()
    with sqlite3.connect(broken) as conn:
        conn.execute("UPDATE provider SET name = 'Changed' WHERE id = 1")
    elsewhere = tmp_path / "other.db"
    open_store(elsewhere, "tester").close()
    assert main(["--db", str(broken), "check"]) == 1
    assert main(["--db", str(elsewhere), "check", "--db", str(broken)]) == 1
    assert "provider row 1" in capsys.readouterr().out


def test_a_refused_update_leaves_nothing_behind(store: Store, db_path: Path) -> None:
    _, owner = provider_and_owner(store)
    action = add(
        store,
        Action(title="Call back", owner_id=owner.id, due_date=TODAY, created_on=TODAY),
        "agreed",
    )
    before = audit_rows(db_path)
    with pytest.raises(ValueError, match="changes through store.actions"):
        update(store, action.model_copy(update={"status": ActionStatus.CLOSED}), "closing")
    assert get(store, Action, action.id).status == ActionStatus.OPEN
    assert get(store, Action, action.id).version == 1
    assert audit_rows(db_path) == before


def test_shortening_a_tiers_safe_wait_re_dates_its_entries(store: Store) -> None:
    provider, _ = provider_and_owner(store)
    add(
        store,
        WaitingEntry(
            local_id="L1",
            initials="AB",
            referral_date=date(2026, 11, 12),
            tier=2,
            provider_id=provider.id,
        ),
        "referral",
    )
    assert status_summary(store, TODAY).waiting.breached == 0  # 10 days of 14
    high = risk_tiers(store)[2]
    with pytest.raises(ValueError, match="update_risk_tier"):
        update(store, high.model_copy(update={"max_safe_wait_days": 7}), "shorter")
    saved, changed = update_risk_tier(
        store,
        high.model_copy(update={"max_safe_wait_days": 7}),
        "commissioner's new standard",
        TODAY,
    )
    assert (saved.max_safe_wait_days, changed) == (7, 1)
    assert status_summary(store, TODAY).waiting.breached == 1
    # Lengthening the safe wait again does not clear the breach that has now happened.
    update_risk_tier(store, saved.model_copy(update={"max_safe_wait_days": 28}), "undo", TODAY)
    assert status_summary(store, TODAY).waiting.breached == 1
    assert check_database(store.conn).ok


@pytest.mark.parametrize(
    ("tamper", "named"),
    [
        (
            "UPDATE waiting_entry SET breach_date = '2030-01-01' WHERE id = 1",
            "waiting_entry row 1: differs",
        ),
        ("DELETE FROM waiting_entry WHERE id = 1", "waiting_entry row 1: missing"),
        (
            "INSERT INTO provider (name, kind, version) VALUES ('Sneaky', 'prime', 1)",
            "provider row 2: not in the audit trail",
        ),
    ],
)
def test_check_finds_records_changed_outside_huddle(
    store: Store, db_path: Path, tamper: str, named: str, capsys
) -> None:
    provider, _ = provider_and_owner(store)
    add(
        store,
        WaitingEntry(
            local_id="L1",
            initials="AB",
            referral_date=date(2026, 10, 1),
            tier=3,
            provider_id=provider.id,
        ),
        "referral",
    )
    store.close()
    with sqlite3.connect(db_path) as conn:
        conn.execute(tamper)
    assert main(["check", "--db", str(db_path)]) == 1
    assert named in capsys.readouterr().out


async def test_names_with_brackets_are_shown_as_typed(store: Store) -> None:
    add(
        store,
        MobilisationProgramme(name="Phase [2] go-live [/]", go_live=date(2027, 1, 4)),
        "programme",
    )
    app = make_app(store, FixedClock(TODAY))
    async with app.run_test(size=(120, 36)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = app.screen.query_one("#go-live", Tile).render()
        assert "Phase [2] go-live [/]" in str(shown)


def test_first_run_creates_the_private_data_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("HUDDLE_DB", raising=False)
    from huddle import config

    folder = config.default_db_path().parent
    assert not folder.exists()
    opened: list[bool] = []
    monkeypatch.setattr(
        "huddle.cli._run_app",
        lambda store, clock, first_run, session: opened.append(first_run) or 0,
    )
    assert main([]) == 0
    assert opened == [True]  # a new database opens on "Set up your service"
    assert folder.is_dir() and (folder.stat().st_mode & 0o777) == 0o700
    assert config.default_db_path().exists()
