"""The escalation ladder, owned and live: set-up names each rung's owner ([ladder]); an
escalation that climbs is given to the owner of the rung it reaches, its title says that
rung, and each climb is recorded. The app climbs while it runs (a terminal left open all
day), and `huddle status` reports the climbed rung without writing."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from huddle.app import make_app
from huddle.cli import main
from huddle.clock import FixedClock
from huddle.models import EscalationRung
from huddle.oversight import title_on_rung
from store import Store, actions, open_store
from store.check import check_database
from store.oversight import climb_escalations, raise_escalation
from store.queries import status_summary
from tests.setup_steps import applied, exported_round_trip, refusal
from tests.test_meeting_room import MovingClock, until

EXAMPLE = (Path(__file__).resolve().parents[1] / "docs" / "service.example.toml").read_text()
MONDAY = date(2026, 11, 23)
OPERATIONAL, CLINICAL, CONTRACTUAL = EscalationRung


@pytest.fixture
def service(tmp_path: Path) -> Store:
    """The example service (whose [ladder] gives operational and contractual to Sam Okafor,
    the service manager, and clinical to Omar Haddad), acted on by its shift lead."""
    store = open_store(tmp_path / "huddle.db", "Jess Armitage")
    applied(store, EXAMPLE, "service.example.toml")
    yield store
    store.close()


def person(store: Store, name: str) -> int:
    return store.conn.execute("SELECT id FROM person WHERE name = ?", (name,)).fetchone()[0]


def escalation(store: Store, opened_on: date, title: str = "Bay 3 short of staff") -> int:
    """Raised by hand on the operational rung by the shift lead, owned by her: due the
    next working day."""
    action = raise_escalation(
        store,
        title=title,
        owner_id=person(store, "Jess Armitage"),
        rung=OPERATIONAL,
        today=opened_on,
    )
    assert action.id is not None
    return action.id


def stored(store: Store, action_id: int) -> dict:
    return next(iter(store.db.query("SELECT * FROM action WHERE id = ?", (action_id,))))


def test_the_title_says_the_rung() -> None:
    assert title_on_rung("Escalation (operational) for NB-1", OPERATIONAL, CLINICAL) == (
        "Escalation (clinical) for NB-1"
    )
    assert title_on_rung("Escalate breach: NB-2 (tier 4) — clinical", CLINICAL, CONTRACTUAL) == (
        "Escalate breach: NB-2 (tier 4) — contractual"
    )
    once = title_on_rung("Bay 3 short", OPERATIONAL, CLINICAL)
    assert once == "Clinical rung: Bay 3 short"
    assert title_on_rung(once, CLINICAL, CONTRACTUAL) == "Contractual rung: Bay 3 short"


def test_the_ladder_is_set_up_exported_and_refused_for_nobody(
    service: Store, tmp_path: Path
) -> None:
    owners = dict(
        service.conn.execute(
            "SELECT l.rung, p.name FROM ladder_rung AS l JOIN person AS p ON p.id = l.owner_id"
        ).fetchall()
    )
    assert owners == {
        "operational": "Sam Okafor",
        "clinical": "Omar Haddad",
        "contractual": "Sam Okafor",
    }
    exported = exported_round_trip(
        service,
        tmp_path,
        lambda s: sorted(s.conn.execute("SELECT rung, owner_id FROM ladder_rung").fetchall()),
    )
    assert '[ladder]\noperational = "Sam Okafor"\nclinical = "Omar Haddad"' in exported
    assert "ladder.clinical: 'Dr Nobody' is not a person of this file" in refusal(
        EXAMPLE.replace('clinical = "Omar Haddad"', 'clinical = "Dr Nobody"')
    )


def test_a_climb_gives_the_escalation_to_the_rung_owner_and_says_the_rung(
    service: Store,
) -> None:
    action_id = escalation(service, MONDAY)  # due Tuesday 24
    assert climb_escalations(service, date(2026, 11, 24)) == 0  # due today: not yet
    assert climb_escalations(service, date(2026, 11, 25)) == 1
    climbed = stored(service, action_id)
    assert (climbed["rung"], climbed["owner_id"], climbed["title"]) == (
        "clinical",
        person(service, "Omar Haddad"),
        "Clinical rung: Bay 3 short of staff",
    )
    assert climbed["due_date"] == "2026-11-26"  # two working days from Tuesday
    climb = next(iter(service.db.query("SELECT * FROM escalation_climb")))
    assert (climb["owner_before"], climb["owner_after"]) == (
        person(service, "Jess Armitage"),
        person(service, "Omar Haddad"),
    )
    reason = service.conn.execute(
        "SELECT reason FROM audit WHERE table_name = 'action' ORDER BY id DESC LIMIT 1"
    ).fetchone()[0]
    assert reason.endswith("given to the clinical rung's owner")
    # Two more working days on, contractual: the service manager's.
    climb_escalations(service, date(2026, 11, 27))
    climbed = stored(service, action_id)
    assert (climbed["rung"], climbed["owner_id"], climbed["title"]) == (
        "contractual",
        person(service, "Sam Okafor"),
        "Contractual rung: Bay 3 short of staff",
    )
    assert check_database(service.conn).ok


def test_status_reports_the_climbed_rung_without_writing(service: Store) -> None:
    escalation(service, MONDAY)
    before = service.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    on_time = status_summary(service, date(2026, 11, 24)).triggers
    assert on_time.escalations_overdue == 0
    # Left a day past its due date: as the app would show it, clinical and not overdue.
    late = status_summary(service, date(2026, 11, 25)).triggers
    assert (late.escalations_open, late.escalations_overdue) == (1, 0)
    # On the top rung past its due date it stays overdue.
    assert status_summary(service, date(2026, 12, 4)).triggers.escalations_overdue == 1
    assert service.conn.execute("SELECT count(*) FROM audit").fetchone()[0] == before


async def test_the_ladder_climbs_while_the_app_is_open(service: Store) -> None:
    """Opened on Tuesday morning with the escalation due that day; left open, the clock
    passes midnight: it climbs, and changes owner and title, with no restart."""
    action_id = escalation(service, MONDAY)
    clock = MovingClock(datetime.combine(date(2026, 11, 24), time(8, 0)), overridden=False)
    app = make_app(service, clock)
    app.catch_up_seconds = 0.2
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        assert stored(service, action_id)["rung"] == "operational"
        clock.advance(hours=17)  # 01:00 on Wednesday
        await until(
            app,
            pilot,
            lambda: stored(service, action_id)["rung"] == "clinical",
            "the escalation to climb",
            timeout=10,
        )
    climbed = stored(service, action_id)
    assert climbed["owner_id"] == person(service, "Omar Haddad")
    assert climbed["title"] == "Clinical rung: Bay 3 short of staff"


def test_a_command_that_writes_climbs_the_ladder_first(
    service: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    """No app open all week: the weekly import climbs Monday's escalation, due Tuesday,
    before it writes on Wednesday, as the app would have; on Tuesday it does not."""
    monday = date(2026, 12, 7)
    action_id = escalation(service, monday)
    extract = str(Path(__file__).resolve().parents[1] / "docs" / "extract.example.csv")
    argv = ["import", "waiting-list", extract, "--db", str(service.path), "--user", "jarmitage"]
    assert main(argv, clock=FixedClock(monday + timedelta(days=1))) == 0
    assert stored(service, action_id)["rung"] == "operational"
    assert main(argv, clock=FixedClock(monday + timedelta(days=2))) == 0
    assert "1 escalations climbed a rung first" in capsys.readouterr().err
    climbed = stored(service, action_id)
    assert (climbed["rung"], climbed["owner_id"]) == ("clinical", person(service, "Omar Haddad"))


def test_an_escalation_marked_in_progress_climbs_only_once_its_due_date_passes(
    service: Store,
) -> None:
    """Someone working on it is no reason to climb, nor to stop climbing: it climbs when
    its due date has passed, as any other escalation does."""
    action_id = escalation(service, MONDAY)
    actions.start(service, action_id, stored(service, action_id)["version"])
    assert stored(service, action_id)["status"] == "in progress"
    assert climb_escalations(service, date(2026, 11, 24)) == 0  # due today: it stays
    assert stored(service, action_id)["rung"] == "operational"
    assert climb_escalations(service, date(2026, 11, 25)) == 1
    climbed = stored(service, action_id)
    assert (climbed["rung"], climbed["status"]) == ("clinical", "in progress")
