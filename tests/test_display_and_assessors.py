"""Two keys of a person in set-up (issue 20): `read_only = true`, a display account (the
meeting room's wall screen, which signs in and writes nothing), and `assesses`, the
competencies they may sign off for others. Through the service file, the plan, the
database, `huddle setup export` and a people list from HR. (The Set-up form:
test_setup_screen.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from huddle.people_csv import read_people
from huddle.service_file import parse_service_file, to_toml
from store import Store
from store.check import check_database
from store.people_import import plan_people_import
from store.setup import apply_plan
from store.setup_reads import SetupQuery, page_of_people
from tests.setup_steps import ON, applied, exported_round_trip, refusal

SERVICE = """\
[service]
name = "Northbrook"

[[providers]]
name = "Northbrook Community Links"
kind = "vcse"

[[people]]
name = "Meeting room screen"
role = "Display"
provider = "Northbrook Community Links"
read_only = true

[[people]]
name = "Nadia Bello"
role = "Therapy team lead"
provider = "Northbrook Community Links"
assesses = ["triage (pathway skill)", "safeguarding"]

[[people]]
name = "Tom Ellis"
role = "Nurse"
provider = "Northbrook Community Links"
"""
LINKS = "Northbrook Community Links"


def stored(store: Store) -> dict[str, tuple]:
    rows = store.conn.execute("SELECT name, read_only, assesses FROM person ORDER BY id")
    return {name: (read_only, assesses) for name, read_only, assesses in rows}


# --- the service file ---------------------------------------------------------------------


def test_the_keys_are_read_and_written_back_as_read() -> None:
    setup = parse_service_file(SERVICE)
    assert [p.read_only for p in setup.people] == [True, False, False]
    assert setup.people[1].assesses == ["triage (pathway skill)", "safeguarding"]
    assert parse_service_file(to_toml(setup)) == setup


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (
            ("read_only = true", 'read_only = "yes"'),
            "line 12, people[1].read_only: 'yes' is the wrong type",
        ),
        (
            ('"safeguarding"]', '"safe guarding"]'),
            "line 18, people[2].assesses[2]: 'safe guarding' is not a competency of the "
            "training matrix: one of 'safeguarding', 'risk assessment', 'escalation', "
            "'record standards', 'triage (pathway skill)'",
        ),
        (
            ('"safeguarding"]', '"triage (pathway skill)"]'),
            "line 18, people[2].assesses[2]: 'triage (pathway skill)' is given twice in 'Nadia "
            "Bello''s assesses: give each once",
        ),
        (
            ("assesses = [", "read_only = true\nassesses = ["),
            "people[2].assesses: 'Nadia Bello' is a display account (read_only) and writes "
            "nothing: name a person who signs in as themselves to assess, or take read_only "
            "away",
        ),
        (("assesses = [", 'assesses = "safeguarding" #['), "people[2].assesses: "),
    ],
    ids=["not a boolean", "not a competency", "given twice", "a display account", "not a list"],
)
def test_a_bad_key_is_refused_naming_it(change: tuple[str, str], said: str) -> None:
    assert said in refusal(SERVICE.replace(*change))


# --- applied, exported and applied again ---------------------------------------------------


def test_they_are_applied_exported_and_applied_again_as_no_change(
    store: Store, tmp_path: Path
) -> None:
    steps = applied(store, SERVICE)
    assert (
        "add person 'Meeting room screen' (Display, Northbrook Community Links, display "
        "account (read-only))" in steps
    )
    assert (
        "add person 'Nadia Bello' (Therapy team lead, Northbrook Community Links, assesses "
        "triage (pathway skill), safeguarding)" in steps
    )
    # Not read-only and assessing nothing are stored as NULL, as for the people before.
    assert stored(store) == {
        "Meeting room screen": (1, None),
        "Nadia Bello": (None, '["safeguarding", "triage (pathway skill)"]'),
        "Tom Ellis": (None, None),
    }

    exported = exported_round_trip(store, tmp_path, stored)
    assert "read_only = true" in exported and exported.count("read_only") == 1
    assert 'assesses = ["safeguarding", "triage (pathway skill)"]' in exported
    assert exported.count("assesses") == 1


def test_each_change_is_one_audited_change_in_words(store: Store) -> None:
    applied(store, SERVICE)
    changed = SERVICE.replace("read_only = true\n", "").replace(
        'assesses = ["triage (pathway skill)", "safeguarding"]', 'assesses = ["escalation"]'
    )
    changed = changed.replace('role = "Nurse"', 'role = "Nurse"\nread_only = true')
    assert applied(store, changed) == [
        "change person 'Meeting room screen': display account (read-only) yes -> no",
        "change person 'Nadia Bello': assesses safeguarding, triage (pathway skill) -> escalation",
        "change person 'Tom Ellis': display account (read-only) no -> yes",
    ]
    removed = changed.replace('assesses = ["escalation"]\n', "")
    assert applied(store, removed) == ["change person 'Nadia Bello': assesses escalation -> none"]
    assert stored(store)["Nadia Bello"] == (None, None)
    assert check_database(store.conn).ok


def test_the_people_list_shows_a_display_account_and_what_someone_assesses(
    store: Store,
) -> None:
    applied(store, SERVICE)
    lines = {line.name: line for line in page_of_people(store, SetupQuery(), 0, 10)}
    assert lines["Meeting room screen"].read_only and not lines["Tom Ellis"].read_only
    assert lines["Nadia Bello"].assesses == ("safeguarding", "triage (pathway skill)")
    assert lines["Tom Ellis"].assesses == ()


def test_a_people_list_from_hr_leaves_both_as_set_up_holds_them(store: Store) -> None:
    applied(store, SERVICE)
    found = plan_people_import(
        store,
        read_people(
            f"name,role,provider\nMeeting room screen,Wall display,{LINKS}\n"
            f"Nadia Bello,Therapy team lead,{LINKS}\n",
            "people.csv",
        ),
        ON,
        "people.csv",
    )
    assert [f"{s.verb} {s.text}" for s in found.plan.steps] == [
        "change person 'Meeting room screen': role 'Display' -> 'Wall display'"
    ]
    apply_plan(store, found.plan, ON)
    assert stored(store)["Meeting room screen"] == (1, None)
    assert stored(store)["Nadia Bello"][1] == '["safeguarding", "triage (pathway skill)"]'
