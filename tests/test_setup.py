"""`huddle setup apply` and `export` on real SQLite files in tmp_path, at a fixed date: a
new service set up from its file, a plan that says what will change before anything is
written, nothing written twice, a bad file refused whole, and leavers kept for the record.
Parsing alone is in tests/test_service_file.py."""

from __future__ import annotations

import io
import json
import re
import stat
from datetime import date, timedelta
from itertools import islice
from pathlib import Path

import pytest

from fixtures.demo import seed_demo
from fixtures.extracts import valid_nhs_numbers
from huddle.cli import main
from huddle.clock import FixedClock
from huddle.models import Person
from huddle.service_file import (
    PersonSpec,
    SeriesSpec,
    ServiceFile,
    ServiceFileError,
    TierSpec,
    key_path,
    parse_service_file,
    to_toml,
)
from store import Store, open_store, records
from store.actions import add_action
from store.setup import current_setup, plan_setup

SERVICE = """\
[service]
name = "Eastfield Community Nursing"

[[providers]]
name = "Eastfield NHS Trust"
kind = "prime"

[[providers]]
name = "Eastfield Links"
kind = "vcse"

[[people]]
name = "Ada Lovell"
role = "Shift lead"
provider = "Eastfield NHS Trust"

[[people]]
name = "Ben Carter"
role = "Community nurse"
provider = "Eastfield NHS Trust"

[[people]]
name = "Cara Doyle"
role = "Outreach worker"
provider = "Eastfield Links"

[[tiers]]
number = 1
name = "Urgent"
max_safe_wait_days = 2

[[tiers]]
number = 2
name = "Routine"
max_safe_wait_days = 90
interim_contact_days = 28

[[series]]
name = "Morning brief"
kind = "safety brief"
chair = "Ada Lovell"
invitees = ["Ada Lovell", "Ben Carter", "Cara Doyle"]

[programme]
name = "Eastfield go-live"
go_live = 2027-02-01

[[programme.workstreams]]
name = "Workforce readiness"
lead = "Ada Lovell"

[[supervisors]]
person = "Ada Lovell"
capacity = 3
frequency = "fortnightly"

[[cohort]]
person = "Ben Carter"
supervisor = "Ada Lovell"
"""

NEW_PERSON = """
[[people]]
name = "Eve Fox"
role = "Community nurse"
provider = "Eastfield NHS Trust"
"""


Capture = pytest.CaptureFixture[str]


@pytest.fixture(autouse=True)
def a_coordinator_runs_the_commands(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """A coordinator of the service, a person of its set-up, runs the commands here (the
    demo's or Eastfield's): once a service has people, whoever writes is one of them."""
    demo = "small_demo" in request.fixturenames
    monkeypatch.setenv("HUDDLE_USER", "Helen Marsden" if demo else "Ada Lovell")


def huddle(capsys: Capture, clock: FixedClock, *argv: str) -> tuple[int, str, str]:
    """`huddle ARGV` in this process: (exit code, stdout, stderr), never a traceback."""
    code = main(list(argv), clock)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out, captured.err


def apply(
    capsys: Capture, clock: FixedClock, db: Path, service_file: Path, *options: str
) -> tuple[int, str, str]:
    return huddle(capsys, clock, "setup", "apply", str(service_file), "--db", str(db), *options)


def rows(db: Path, sql: str, *params: object) -> list[tuple]:
    store = open_store(db, "reader", migrate=False)
    try:
        return store.conn.execute(sql, params).fetchall()
    finally:
        store.close()


def audit_rows(db: Path) -> int:
    return rows(db, "SELECT count(*) FROM audit")[0][0]


def person_id(db: Path, name: str) -> int:
    (found,) = rows(db, "SELECT id FROM person WHERE name = ?", name)
    return found[0]


def written(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def with_person(setup: ServiceFile, who: str, **changes: object) -> ServiceFile:
    people = [p.model_copy(update=changes) if p.name == who else p for p in setup.people]
    return setup.model_copy(update={"people": people})


def with_tiers(setup: ServiceFile, tiers: list[TierSpec]) -> ServiceFile:
    return setup.model_copy(update={"tiers": tiers})


@pytest.fixture
def service_file(tmp_path: Path) -> Path:
    return written(tmp_path / "eastfield.toml", SERVICE)


@pytest.fixture
def eastfield(tmp_path: Path, service_file: Path, capsys: Capture, clock: FixedClock) -> Path:
    """A database set up from SERVICE and nothing else."""
    db = tmp_path / "eastfield.db"
    assert apply(capsys, clock, db, service_file, "--yes")[0] == 0
    return db


@pytest.fixture
def small_demo(tmp_path: Path, today: date) -> Path:
    """The demo service with 60 waiting entries, closed so the command line can open it."""
    store = open_store(tmp_path / "demo.db", "Helen Marsden")
    seed_demo(store, today, size=60)
    store.close()
    return tmp_path / "demo.db"


@pytest.fixture
def demo_setup(small_demo: Path) -> ServiceFile:
    store = open_store(small_demo, "Helen Marsden")
    try:
        return current_setup(store)
    finally:
        store.close()


def status(capsys: Capture, clock: FixedClock, db: Path) -> dict:
    code, out, err = huddle(capsys, clock, "status", "--json", "--db", str(db))
    assert code == 0, err
    return json.loads(out)


# --- a new service ------------------------------------------------------------------------


def test_apply_onto_a_new_path_creates_a_private_migrated_database_that_checks(
    tmp_path: Path, service_file: Path, capsys: Capture, clock: FixedClock, db_path: Path
) -> None:
    db = tmp_path / "new folder" / "eastfield.db"
    code, out, err = apply(capsys, clock, db, service_file, "--yes")
    assert code == 0, err
    assert "applied: " in out and "set-up from eastfield.toml" in out
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    # The same migrations as a database huddle itself opened afresh.
    open_store(db_path, "tester").close()
    migrations = "SELECT name FROM _sqlite_migrations ORDER BY id"
    assert rows(db, migrations) == rows(db_path, migrations)
    assert rows(db, "SELECT name FROM service") == [("Eastfield Community Nursing",)]
    assert rows(db, "SELECT number, max_safe_wait_days FROM risk_tier ORDER BY number") == [
        (1, 2),
        (2, 90),
    ]
    code, out, err = huddle(capsys, clock, "check", "--db", str(db))
    assert code == 0, out + err
    assert "audit chain: ok" in out


def test_a_service_set_up_from_its_file_takes_a_waiting_list_import(
    tmp_path: Path, eastfield: Path, capsys: Capture, clock: FixedClock
) -> None:
    numbers = list(islice(valid_nhs_numbers(), 2))
    extract = written(
        tmp_path / "week-47.csv",
        "nhs_number,initials,referral_date,risk_tier,provider,case_owner\n"
        f"{numbers[0]},AB,01/11/2026,2,Eastfield NHS Trust,Ben Carter\n"
        f"{numbers[1]},CD,2026-11-10,1,Eastfield Links,Cara Doyle\n",
    )
    code, out, err = huddle(
        capsys, clock, "import", "waiting-list", str(extract), "--db", str(eastfield)
    )
    assert code == 0, err
    found = rows(
        eastfield,
        "SELECT nhs_number, tier, provider.name, person.name FROM waiting_entry "
        "JOIN provider ON provider.id = waiting_entry.provider_id "
        "JOIN person ON person.id = waiting_entry.case_owner_id "
        "ORDER BY nhs_number",
    )
    assert found == sorted(
        [
            (numbers[0], 2, "Eastfield NHS Trust", "Ben Carter"),
            (numbers[1], 1, "Eastfield Links", "Cara Doyle"),
        ]
    )


def test_the_same_file_applied_again_says_no_changes_and_writes_nothing(
    eastfield: Path, service_file: Path, capsys: Capture, clock: FixedClock
) -> None:
    before = audit_rows(eastfield)
    code, out, err = apply(capsys, clock, eastfield, service_file, "--yes")
    assert code == 0, err
    assert "eastfield.toml: no changes" in out
    assert audit_rows(eastfield) == before


def test_a_dry_run_on_a_new_path_creates_no_file(
    tmp_path: Path, service_file: Path, capsys: Capture, clock: FixedClock
) -> None:
    db = tmp_path / "not yet" / "eastfield.db"
    code, out, err = apply(capsys, clock, db, service_file, "--dry-run")
    assert code == 0, err
    assert "add        person 'Ada Lovell'" in out
    assert "dry run: nothing written" in out
    assert not db.parent.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["eastfield.toml"]


def test_a_dry_run_on_a_database_prints_the_plan_and_writes_nothing(
    eastfield: Path, service_file: Path, capsys: Capture, clock: FixedClock
) -> None:
    before = audit_rows(eastfield)
    written(service_file, SERVICE.replace("max_safe_wait_days = 90", "max_safe_wait_days = 60"))
    code, out, err = apply(capsys, clock, eastfield, service_file, "--dry-run")
    assert code == 0, err
    assert "change     tier 2: max safe wait days 90 -> 60" in out
    assert "dry run: nothing written" in out
    assert audit_rows(eastfield) == before
    assert rows(eastfield, "SELECT max_safe_wait_days FROM risk_tier WHERE number = 2") == [(90,)]


@pytest.mark.parametrize("onto", ["a new path", "a database"])
def test_without_yes_and_no_terminal_to_ask_on_nothing_is_written(
    onto: str,
    tmp_path: Path,
    service_file: Path,
    capsys: Capture,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = tmp_path / "eastfield.db"
    if onto == "a database":
        assert apply(capsys, clock, db, service_file, "--yes")[0] == 0
        written(service_file, SERVICE + NEW_PERSON)
        before = audit_rows(db)
    # Piped in, a "y" is not a person at a terminal agreeing to the plan.
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    code, out, err = apply(capsys, clock, db, service_file)
    assert code == 2
    assert "--yes" in err
    if onto == "a new path":
        assert not db.exists()
    else:
        assert audit_rows(db) == before
        assert rows(db, "SELECT id FROM person WHERE name = 'Eve Fox'") == []


# --- export ---------------------------------------------------------------------------------


def test_the_demo_exported_and_applied_to_a_copy_changes_nothing(
    tmp_path: Path, small_demo: Path, capsys: Capture, clock: FixedClock, today: date
) -> None:
    exported = tmp_path / "northbrook.toml"
    code, _, err = huddle(
        capsys, clock, "setup", "export", "--db", str(small_demo), "--out", str(exported)
    )
    assert code == 0, err
    assert stat.S_IMODE(exported.stat().st_mode) == 0o600
    copy = tmp_path / "copy.db"
    assert huddle(capsys, clock, "backup", str(copy), "--db", str(small_demo))[0] == 0
    text = exported.read_text(encoding="utf-8")
    store = open_store(copy, "Helen Marsden")
    try:
        assert to_toml(current_setup(store)) in text
        plan = plan_setup(store, parse_service_file(text), today, exported.name, text)
    finally:
        store.close()
    assert plan.empty, plan.lines()
    before = audit_rows(copy)
    code, out, err = apply(capsys, clock, copy, exported, "--yes", "--user", "Helen Marsden")
    assert code == 0, err
    assert "northbrook.toml: no changes" in out
    assert audit_rows(copy) == before


# --- refused whole --------------------------------------------------------------------------

LAST_TABLE_BAD = NEW_PERSON + '\n[[cohort]]\nperson = "Cara Doyle"\nsupervisor = "Ben Carter"\n'
WORKSTREAM_NAMING_NOBODY = (
    NEW_PERSON + '\n[[programme.workstreams]]\nname = "Data"\nlead = "Ben Carter"\nwas = "Dta"\n'
)
LEAVER_LEADS = NEW_PERSON.replace("Eve Fox", "Fay Gill") + (
    'active = false\n\n[[programme.workstreams]]\nname = "Data"\nlead = "Fay Gill"\n'
)


@pytest.mark.parametrize(
    ("added", "said"),
    [
        (LAST_TABLE_BAD, ["cohort[2].supervisor", "'Ben Carter' is not one of the file's"]),
        (WORKSTREAM_NAMING_NOBODY, ["programme.workstreams[2].was", "nothing named 'Dta'"]),
        (LEAVER_LEADS, ["'Fay Gill' has left (active = false)"]),
    ],
    ids=["a problem in the last table", "a rename of nothing", "a leaver made a lead"],
)
def test_a_bad_file_is_refused_whole_and_nothing_is_written(
    added: str,
    said: list[str],
    eastfield: Path,
    service_file: Path,
    capsys: Capture,
    clock: FixedClock,
) -> None:
    before = audit_rows(eastfield)
    written(service_file, SERVICE + added)
    code, out, err = apply(capsys, clock, eastfield, service_file, "--yes")
    assert code == 2
    assert err.startswith("huddle: ")
    for words in said:
        assert words in err
    assert audit_rows(eastfield) == before
    assert rows(eastfield, "SELECT name FROM person WHERE name IN ('Eve Fox', 'Fay Gill')") == []


def test_a_refusal_names_the_line_of_the_bad_key(
    eastfield: Path, service_file: Path, capsys: Capture, clock: FixedClock
) -> None:
    text = written(service_file, SERVICE + LAST_TABLE_BAD).read_text(encoding="utf-8")
    line = text.splitlines().index('supervisor = "Ben Carter"') + 1
    _, _, err = apply(capsys, clock, eastfield, service_file, "--yes")
    assert f"line {line}, cohort[2].supervisor: " in err


# --- people who are renamed or leave ----------------------------------------------------------


def test_a_rename_with_was_keeps_the_person_their_id_and_their_records(
    tmp_path: Path, small_demo: Path, demo_setup: ServiceFile, capsys: Capture, clock: FixedClock
) -> None:
    kofi = person_id(small_demo, "Kofi Mensah")
    owned = "SELECT id FROM action WHERE owner_id = ? ORDER BY id"
    chaired = "SELECT name FROM series WHERE chair_id = ? ORDER BY name"
    actions, series = rows(small_demo, owned, kofi), rows(small_demo, chaired, kofi)
    assert actions and series
    # Every use of the name in the file changes with it: the chair, the invitee lists.
    text = to_toml(demo_setup).replace('"Kofi Mensah"', '"Kofi Mensah-Boateng"')
    text = text.replace(
        'name = "Kofi Mensah-Boateng"\n', 'name = "Kofi Mensah-Boateng"\nwas = "Kofi Mensah"\n'
    )
    renamed = written(tmp_path / "rename.toml", text)
    code, out, err = apply(capsys, clock, small_demo, renamed, "--yes", "--user", "Helen Marsden")
    assert code == 0, err
    assert re.findall(r"^  (\w+) ", out, re.MULTILINE) == ["rename"]
    assert "rename     person 'Kofi Mensah': name 'Kofi Mensah' -> 'Kofi Mensah-Boateng'" in out
    assert rows(small_demo, "SELECT name FROM person WHERE id = ?", kofi) == [
        ("Kofi Mensah-Boateng",)
    ]
    assert rows(small_demo, owned, kofi) == actions
    assert rows(small_demo, chaired, kofi) == series
    # The file still says `was`; applied again, the rename is already done.
    code, out, _ = apply(capsys, clock, small_demo, renamed, "--yes", "--user", "Helen Marsden")
    assert (code, "no changes" in out) == (0, True)


def test_a_rename_whose_was_names_nobody_is_refused(
    tmp_path: Path, small_demo: Path, demo_setup: ServiceFile, capsys: Capture, clock: FixedClock
) -> None:
    before = audit_rows(small_demo)
    text = to_toml(with_person(demo_setup, "Beth Lomax", name="Beth Lomax-Hart", was="Beth Lomx"))
    typo = written(tmp_path / "rename.toml", text)
    code, _, err = apply(capsys, clock, small_demo, typo, "--yes", "--user", "Helen Marsden")
    assert code == 2
    line = text.splitlines().index('was = "Beth Lomx"') + 1
    assert f"line {line}, people[" in err
    assert "nothing named 'Beth Lomx' to rename" in err
    assert audit_rows(small_demo) == before
    assert rows(small_demo, "SELECT id FROM person WHERE name = 'Beth Lomax-Hart'") == []


def test_a_leaver_still_owning_open_items_is_shown_in_the_plan_and_in_status(
    tmp_path: Path,
    small_demo: Path,
    demo_setup: ServiceFile,
    capsys: Capture,
    clock: FixedClock,
    today: date,
) -> None:
    jess = person_id(small_demo, "Jess Armitage")
    (open_actions,) = rows(
        small_demo, "SELECT count(*) FROM action WHERE owner_id = ? AND status != 'closed'", jess
    )[0]
    assert open_actions > 0
    assert any(s.chair == "Jess Armitage" for s in demo_setup.series)
    before = status(capsys, clock, small_demo)["owner_left"]
    leaving = with_person(demo_setup, "Jess Armitage", active=False)
    store = open_store(small_demo, "Helen Marsden")
    try:
        plan = plan_setup(store, leaving, today, "leavers.toml")
    finally:
        store.close()
    assert [step.verb for step in plan.steps] == ["deactivate"]
    assert plan.leavers == [f"Jess Armitage: {open_actions} open actions, 1 series chaired"]

    code, _, err = apply(
        capsys,
        clock,
        small_demo,
        written(tmp_path / "leavers.toml", to_toml(leaving)),
        "--yes",
        "--user",
        "Helen Marsden",
    )
    assert code == 0, err
    after = status(capsys, clock, small_demo)["owner_left"]
    assert after == plan.owner_left.model_dump()
    assert after["actions"] - before["actions"] == open_actions
    assert after["series"] - before["series"] == 1

    store = open_store(small_demo, "Helen Marsden")
    try:
        audited = audit_rows(small_demo)
        with pytest.raises(ValueError, match="owner: Jess Armitage has left the service"):
            add_action(
                store,
                title="Cover the early shift rota",
                owner_id=jess,
                due_date=today + timedelta(days=7),
                today=today,
            )
        assert audit_rows(small_demo) == audited
    finally:
        store.close()


def test_renaming_a_provider_is_one_change(eastfield: Path, today: date) -> None:
    text = SERVICE.replace(
        'name = "Eastfield Links"', 'name = "Eastfield Community Links"\nwas = "Eastfield Links"'
    ).replace('provider = "Eastfield Links"', 'provider = "Eastfield Community Links"')
    store = open_store(eastfield, "Ada Lovell")
    try:
        plan = plan_setup(store, parse_service_file(text), today, "renamed.toml", text)
    finally:
        store.close()
    assert [step.verb for step in plan.steps] == ["rename"], plan.lines()


def test_a_leaver_cannot_be_made_the_chair_of_a_new_series(eastfield: Path, today: date) -> None:
    setup = with_person(parse_service_file(SERVICE), "Cara Doyle", active=False)
    new = SeriesSpec(name="Outreach review", kind="contract review", chair="Cara Doyle")
    store = open_store(eastfield, "Ada Lovell")
    try:
        with pytest.raises((ServiceFileError, ValueError), match="Cara Doyle"):
            plan_setup(store, setup.model_copy(update={"series": [*setup.series, new]}), today, "x")
    finally:
        store.close()


def test_two_people_sharing_a_name_are_told_apart_until_one_is_renamed(
    eastfield: Path, tmp_path: Path, capsys: Capture, clock: FixedClock
) -> None:
    (links,) = rows(eastfield, "SELECT id FROM provider WHERE name = 'Eastfield Links'")[0]
    store = open_store(eastfield, "Ada Lovell")
    try:
        with store.write("a second Ben Carter, at the VCSE partner") as txn:
            second = records.insert(
                txn, Person(name="Ben Carter", role="Outreach worker", provider_id=links)
            )
    finally:
        store.close()
    code, out, err = huddle(capsys, clock, "setup", "export", "--db", str(eastfield))
    assert code == 0, err
    assert f'name = "Ben Carter (#{second.id})"' in out
    exported = written(tmp_path / "exported.toml", out)
    before = audit_rows(eastfield)
    code, said, err = apply(capsys, clock, eastfield, exported, "--yes")
    assert (code, audit_rows(eastfield)) == (0, before), err
    assert "no changes" in said
    renamed = out.replace(
        f'name = "Ben Carter (#{second.id})"',
        f'name = "Ben Carter-Okoye"\nwas = "Ben Carter (#{second.id})"',
    )
    code, said, err = apply(capsys, clock, eastfield, written(exported, renamed), "--yes")
    assert code == 0, err
    assert rows(eastfield, f"SELECT name FROM person WHERE id = {second.id}") == [
        ("Ben Carter-Okoye",)
    ]


# --- tiers ----------------------------------------------------------------------------------


def test_a_shorter_safe_wait_is_previewed_as_the_breaches_status_then_shows(
    tmp_path: Path,
    small_demo: Path,
    demo_setup: ServiceFile,
    capsys: Capture,
    clock: FixedClock,
    today: date,
) -> None:
    shorter = with_tiers(
        demo_setup,
        [
            t.model_copy(update={"max_safe_wait_days": t.max_safe_wait_days // 2})
            if t.number == 3
            else t
            for t in demo_setup.tiers
        ],
    )
    store = open_store(small_demo, "Helen Marsden")
    try:
        plan = plan_setup(store, shorter, today, "shorter.toml")
    finally:
        store.close()
    (effect,) = plan.tier_effects
    assert effect.number == 3
    before = status(capsys, clock, small_demo)["waiting"]["by_tier"]["3"]
    file = written(tmp_path / "shorter.toml", to_toml(shorter))
    code, out, err = apply(capsys, clock, small_demo, file, "--yes", "--user", "Helen Marsden")
    assert code == 0, err
    after = status(capsys, clock, small_demo)["waiting"]["by_tier"]["3"]
    assert effect.breached == after["breached"] - before["breached"] > 0
    assert (
        effect.without_escalation
        == after["breached_without_escalation"] - before["breached_without_escalation"]
    )
    assert f"{effect.breached} more entries breached" in out


def test_a_tier_with_waiting_entries_cannot_be_left_out(
    tmp_path: Path, small_demo: Path, demo_setup: ServiceFile, capsys: Capture, clock: FixedClock
) -> None:
    before = audit_rows(small_demo)
    (filed,) = rows(small_demo, "SELECT count(*) FROM waiting_entry WHERE tier = 4")[0]
    assert filed > 0
    without = with_tiers(demo_setup, [t for t in demo_setup.tiers if t.number != 4])
    file = written(tmp_path / "three-tiers.toml", to_toml(without))
    code, _, err = apply(capsys, clock, small_demo, file, "--yes", "--user", "Helen Marsden")
    assert code == 2
    assert f"tiers: tier 4 (Routine) is left out, but {filed} entries are filed under it" in err
    assert audit_rows(small_demo) == before
    assert rows(small_demo, "SELECT count(*) FROM risk_tier WHERE number = 4") == [(1,)]


def test_a_tier_no_entry_was_filed_under_is_removed_when_left_out(
    eastfield: Path, service_file: Path, capsys: Capture, clock: FixedClock
) -> None:
    spare = '\n[[tiers]]\nnumber = 3\nname = "Spare"\nmax_safe_wait_days = 200\n'
    written(service_file, SERVICE + spare)
    assert apply(capsys, clock, eastfield, service_file, "--yes")[0] == 0
    assert rows(eastfield, "SELECT count(*) FROM risk_tier") == [(3,)]
    written(service_file, SERVICE)
    code, out, err = apply(capsys, clock, eastfield, service_file, "--yes")
    assert code == 0, err
    assert "remove     tier 3 'Spare'" in out
    assert rows(eastfield, "SELECT number FROM risk_tier ORDER BY number") == [(1,), (2,)]


# --- the programme --------------------------------------------------------------------------


def test_a_new_programme_going_live_in_the_past_is_refused(store: Store, today: date) -> None:
    go_live = f"go_live = {today - timedelta(days=1)}"
    yesterday = SERVICE.replace("go_live = 2027-02-01", go_live)
    with pytest.raises(ServiceFileError) as caught:
        plan_setup(store, parse_service_file(yesterday), today, "eastfield.toml", yesterday)
    (problem,) = caught.value.problems
    assert key_path(problem.loc) == "programme.go_live"
    assert problem.line == yesterday.splitlines().index(go_live) + 1
    assert "is in the past" in problem.message
    going_live_today = SERVICE.replace("go_live = 2027-02-01", f"go_live = {today}")
    assert not plan_setup(store, parse_service_file(going_live_today), today, "x").empty


# --- the audit trail ------------------------------------------------------------------------


def test_every_audit_row_an_apply_writes_names_the_file(
    tmp_path: Path, small_demo: Path, demo_setup: ServiceFile, capsys: Capture, clock: FixedClock
) -> None:
    changed = with_tiers(
        with_person(demo_setup, "Jess Armitage", active=False),
        [
            t.model_copy(update={"max_safe_wait_days": 20}) if t.number == 3 else t
            for t in demo_setup.tiers
        ],
    )
    changed = changed.model_copy(
        update={
            "people": [
                *changed.people,
                PersonSpec(
                    name="Eve Fox",
                    role="Shift lead",
                    provider="Brookvale Rapid Response Ltd",
                ),
            ],
            "series": [
                *changed.series,
                SeriesSpec(name="Late shift brief", kind="safety brief", chair="Eve Fox"),
            ],
        }
    )
    file = written(tmp_path / "governance-2026-11.toml", to_toml(changed))
    (last,) = rows(small_demo, "SELECT max(id) FROM audit")[0]
    code, _, err = apply(capsys, clock, small_demo, file, "--yes", "--user", "Helen Marsden")
    assert code == 0, err
    new = rows(small_demo, "SELECT table_name, reason FROM audit WHERE id > ?", last)
    assert {"person", "risk_tier", "waiting_entry", "series"} <= {table for table, _ in new}
    assert [r for _, r in new if "governance-2026-11.toml" not in (r or "")] == []
