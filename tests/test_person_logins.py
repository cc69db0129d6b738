"""A person's login name from set-up: through the service file, the plan, the database,
`huddle setup export` and a people list from HR. (The Set-up form: test_setup_screen.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from huddle.people_csv import read_people
from huddle.service_file import LOGIN_MOST, ServiceFileError, parse_service_file, to_toml
from store import Store, open_store
from store.check import check_database
from store.people_import import plan_people_import
from store.setup import current_setup, plan_setup
from tests.setup_steps import ON, applied, audited, exported_round_trip, refusal

SERVICE = """\
[service]
name = "Northbrook"

[[providers]]
name = "Northbrook Community Links"
kind = "vcse"

[[people]]
name = "Jess Armitage"
role = "Shift lead"
provider = "Northbrook Community Links"
login = "jarmitage"

[[people]]
name = "Tom Ellis"
role = "Nurse"
provider = "Northbrook Community Links"
"""


def logins(store: Store) -> dict[str, str | None]:
    return dict(store.conn.execute("SELECT name, login FROM person ORDER BY id").fetchall())


# --- the service file ---------------------------------------------------------------------


def test_a_login_is_read_lower_case_and_written_back_as_read() -> None:
    setup = parse_service_file(SERVICE.replace('"jarmitage"', '" J.Armitage_2-b "'))
    assert [p.login for p in setup.people] == ["j.armitage_2-b", None]
    assert parse_service_file(to_toml(setup)) == setup


@pytest.mark.parametrize(
    ("login", "said"),
    [
        ('"Jess A"', "line 12, people[1].login: 'Jess A' is not a login name: 1 to 32"),
        ('""', "people[1].login: '' is not a login name"),
        ('"2jess"', "people[1].login: '2jess' is not a login name"),
        ('"-jess"', "people[1].login: '-jess' is not a login name"),
        (f'"{"j" * (LOGIN_MOST + 1)}"', "people[1].login: 'jjjjjj"),
        ('"jéss"', "people[1].login: 'jéss' is not a login name"),
        # The Kelvin sign lower-cases to "k": not a letter a login may have.
        ('"\u212aofi"', "is not a login name"),
        ('"jess\\u200b"', "people[1].login: 'jess\\u200b' is not a login name"),
        ('"jess@nhs.net"', "people[1].login: 'jess@nhs.net' is not a login name"),
        ("3", "people[1].login: 3 is the wrong type"),
    ],
    ids=[
        "a space",
        "empty",
        "a digit first",
        "a dash first",
        "too long",
        "an accent",
        "kelvin sign",
        "unseen character",
        "an email address",
        "a number",
    ],
)
def test_a_bad_login_is_refused_naming_the_key(login: str, said: str) -> None:
    assert said in refusal(SERVICE.replace('"jarmitage"', login))


def test_a_login_of_the_most_length_is_taken() -> None:
    longest = "j" * LOGIN_MOST
    setup = parse_service_file(SERVICE.replace('"jarmitage"', f'"{longest}"'))
    assert setup.people[0].login == longest


def test_a_login_two_people_share_in_any_case_is_refused_at_each_naming_both() -> None:
    text = SERVICE.replace('role = "Nurse"', 'role = "Nurse"\nlogin = "JArmitage"')
    said = (
        "'jarmitage' is the login of both 'Jess Armitage' and 'Tom Ellis': give each person "
        "a login of their own"
    )
    assert f"line 12, people[1].login: {said}" in refusal(text)
    assert f"line 17, people[2].login: {said}" in refusal(text)


# --- applied, exported and applied again ---------------------------------------------------


def test_a_login_is_applied_exported_and_applied_again_as_no_change(
    store: Store, tmp_path: Path
) -> None:
    steps = applied(store, SERVICE)
    assert (
        "add person 'Jess Armitage' (Shift lead, Northbrook Community Links, login "
        "'jarmitage')" in steps
    )
    assert logins(store) == {"Jess Armitage": "jarmitage", "Tom Ellis": None}

    exported = exported_round_trip(store, tmp_path, logins)
    assert 'login = "jarmitage"' in exported
    assert exported.count("login") == 1  # none written for a person without one


def test_a_login_changed_taken_away_and_kept_by_a_leaver_is_one_audited_change_each(
    store: Store,
) -> None:
    applied(store, SERVICE)
    changed = SERVICE.replace('"jarmitage"', '"jessa"')
    assert applied(store, changed) == [
        "change person 'Jess Armitage': login 'jarmitage' -> 'jessa'"
    ]
    gone = changed.replace('login = "jessa"', 'login = "jessa"\nactive = false')
    assert applied(store, gone) == [
        "deactivate person 'Jess Armitage': active -> inactive since 22/11/2026"
    ]
    assert logins(store)["Jess Armitage"] == "jessa"
    assert 'login = "jessa"' in to_toml(current_setup(store))
    removed = gone.replace('login = "jessa"\n', "")
    assert applied(store, removed) == ["change person 'Jess Armitage': login 'jessa' -> none"]
    last = store.conn.execute(
        "SELECT table_name, reason FROM audit ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert last == ("person", "set-up from northbrook.toml")
    assert check_database(store.conn).ok


def test_a_login_held_by_a_person_the_file_leaves_out_is_refused(store: Store) -> None:
    applied(store, SERVICE)
    before = audited(store)
    other = """\
[service]
name = "Northbrook"

[[providers]]
name = "Northbrook Community Links"
kind = "vcse"

[[people]]
name = "Tom Ellis"
role = "Nurse"
provider = "Northbrook Community Links"
login = "jarmitage"
"""
    with pytest.raises(ServiceFileError) as caught:
        plan_setup(store, parse_service_file(other), ON, "other.toml", other)
    assert (
        "line 12, people[1].login: 'jarmitage' is already the login of 'Jess Armitage', whom this "
        "file leaves as they are: give this person a login of their own"
    ) in str(caught.value)
    assert audited(store) == before


def test_a_person_from_before_logins_still_checks_after_the_upgrade(tmp_path: Path) -> None:
    """m023 adds the column NULL, so a person audited without it still matches their row."""
    path = tmp_path / "before.db"
    before = open_store(path, "tester")
    before.conn.execute("ALTER TABLE person DROP COLUMN login")
    before.conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm023_person_login'")
    with before.write("set up before logins") as txn:
        provider = txn.insert("provider", {"name": "Northbrook Community Links", "kind": "vcse"})
        txn.insert("person", {"name": "Tom Ellis", "role": "Nurse", "provider_id": provider})
    before.close()

    upgraded = open_store(path, "tester")
    try:
        assert logins(upgraded) == {"Tom Ellis": None}
        assert check_database(upgraded.conn).ok
    finally:
        upgraded.close()


# --- a people list from HR ----------------------------------------------------------------


def imported(store: Store, text: str) -> tuple[list[str], list[str], str]:
    found = plan_people_import(store, read_people(text, "people.csv"), ON, "people.csv")
    rejected = [f"line {r.line}: {r.reason}" for r in found.rejected]
    return [f"{s.verb} {s.text}" for s in found.plan.steps], rejected, found.summary()


def test_a_people_list_gives_logins_and_never_takes_one_away(store: Store) -> None:
    applied(store, SERVICE)
    links = "Northbrook Community Links"
    steps, rejected, summary = imported(
        store,
        "name,role,provider,login\n"
        f"Jess Armitage,Shift lead,{links},\n"  # blank: keeps hers
        f"Tom Ellis,Nurse,{links},TEllis\n"
        f"New Starter,Nurse,{links},Jarmitage\n"  # Jess's
        f"Other Starter,Nurse,{links},o starter\n",
    )
    assert steps == ["change person 'Tom Ellis': login none -> 'tellis'"]
    assert rejected == [
        "line 4: login: 'jarmitage' is already the login of 'Jess Armitage': give each person "
        "a login of their own",
        "line 5: login: 'o starter' is not a login name: 1 to 32 lower-case letters, digits, "
        "'.', '_' or '-', starting with a letter",
    ]
    assert summary == "rows in: 4; added: 0; changed: 1; unchanged: 1; rejected: 2"

    # A list without the column leaves every login as it is.
    steps, rejected, _ = imported(store, f"name,role,provider\nJess Armitage,Lead,{links}\n")
    assert steps == ["change person 'Jess Armitage': role 'Shift lead' -> 'Lead'"]
    assert rejected == []
