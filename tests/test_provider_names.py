"""How the waiting list names providers: a short name from set-up, else the whole name if
it fits, else one made from it; never two alike. The short name through the service file,
the plan, the database and `huddle setup export`."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.widgets import Static

from huddle.app import make_app
from huddle.clock import FixedClock
from huddle.provider_names import (
    PROVIDER_WIDTH,
    SHORT_MOST,
    ProviderName,
    short_form,
    shown_names,
)
from huddle.service_file import ServiceFileError, parse_service_file, to_toml
from screens.entry_list import COLUMNS, EntryList
from screens.waiting_list import WaitingListScreen
from store import Store, open_store
from store.check import check_database
from store.provider_names import provider_names
from store.setup import plan_setup
from tests.conftest import settle
from tests.setup_steps import ON, applied, audited, exported_round_trip, refusal

# --- the short form -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("Northbrook Community Health NHS Trust", "NCH NHS Trust"),
        ("Northbrook Community Links", "NC Links"),
        ("Brookvale Rapid Response Ltd", "BRR Ltd"),
        # Joining words and punctuation give no initial; an acronym stays whole.
        ("The Friends of Eastfield & District Hospice CIC", "FEDH CIC"),
        ("Eastfield Home Care and Support Services", "EHCS Services"),
        # Initials alone longer than the most are cut.
        ("A B C D E F G H I J K L M N O P Q", "ABCDEFGHIJKLMN"),
        ("", ""),
    ],
)
def test_a_short_form_is_initials_then_whole_words_from_the_end(name: str, short: str) -> None:
    assert short_form(name) == short
    assert len(short_form(name)) <= SHORT_MOST


def test_the_demo_s_two_northbrook_providers_are_told_apart() -> None:
    """Cut to the column they were both "Northbrook Commun"; now they differ."""
    shown = shown_names(
        [
            ProviderName(1, "Northbrook Community Health NHS Trust", None),
            ProviderName(2, "Brookvale Rapid Response Ltd", None),
            ProviderName(3, "Northbrook Community Links", None),
            ProviderName(4, "Brookside Carers", None),  # fits the column whole
        ]
    )
    assert shown == {1: "NCH NHS Trust", 2: "BRR Ltd", 3: "NC Links", 4: "Brookside Carers"}


def test_a_short_name_from_set_up_is_shown_as_it_is() -> None:
    shown = shown_names(
        [ProviderName(1, "Northbrook Community Links", "Links"), ProviderName(2, "Short", "S")]
    )
    assert shown == {1: "Links", 2: "S"}


def test_names_still_alike_are_told_apart_by_their_ids() -> None:
    many = shown_names(
        [ProviderName(123456, "Eastfield Links", "ELinks"), ProviderName(7, "ELINKS", None)]
    )
    assert many == {123456: "ELinks #123456", 7: "ELINKS #7"}
    cut = shown_names(
        [
            ProviderName(1234567, "Eastfield Links", "Eastfield Link"),
            ProviderName(2, "Eastfield Link", None),
        ]
    )
    assert cut == {1234567: "Eastfiel #1234567", 2: "Eastfield Link #2"}
    shown = shown_names(
        [
            ProviderName(3, "Northbrook Community Links", None),
            ProviderName(7, "Newfield Community Links", None),
            ProviderName(9, "nc links", None),  # a whole name alike in another case
            ProviderName(11, "Eastfield Trust", "NC LINKS #3"),  # and one made to collide
        ]
    )
    assert shown == {
        3: "NC Links #3",
        7: "NC Links #7",
        9: "nc links #9",
        11: "NC LINKS #3 #11",
    }


names = st.text(st.sampled_from("NC LinksHealth NHS Trust&#3 "), max_size=45)
providers = st.lists(
    st.tuples(names, st.none() | st.text(st.sampled_from("NCL #3"), min_size=1, max_size=8)),
    max_size=8,
)


@given(providers)
def test_no_two_providers_are_ever_shown_alike(found: list[tuple[str, str | None]]) -> None:
    listed = [ProviderName(n, name, short) for n, (name, short) in enumerate(found, 1)]
    shown = shown_names(listed)
    assert sorted(shown) == [p.id for p in listed]
    assert len({label.casefold() for label in shown.values()}) == len(listed)
    # Cut to the column, as the list draws them, they still differ.
    assert len({label[:PROVIDER_WIDTH].casefold() for label in shown.values()}) == len(listed)
    assert shown_names(listed) == shown  # the same every time


# --- the service file ---------------------------------------------------------------------

SERVICE = """\
[service]
name = "Northbrook"

[[providers]]
name = "Northbrook Community Health NHS Trust"
kind = "prime"
short_name = "Northbrook NHS"

[[providers]]
name = "Northbrook Community Links"
kind = "vcse"

[[people]]
name = "Megan Price"
role = "Pathway coordinator"
provider = "Northbrook Community Health NHS Trust"
"""


def test_a_file_gives_a_provider_a_short_name() -> None:
    setup = parse_service_file(SERVICE.replace('"Northbrook NHS"', '"  Northbrook NHS "'))
    assert [p.short_name for p in setup.providers] == ["Northbrook NHS", None]
    assert parse_service_file(to_toml(setup)) == setup


@pytest.mark.parametrize(
    ("short_name", "said"),
    [
        (
            '"Northbrook Trust NHS"',
            "line 7, providers[1].short_name: 'Northbrook Trust NHS' is "
            f"too long: at most {SHORT_MOST} characters",
        ),
        ('""', "line 7, providers[1].short_name: required: fill it in"),
        ('"NB\\u200bNHS"', "providers[1].short_name: remove the control characters"),
        ("3", "providers[1].short_name: 3 is the wrong type"),
        (
            '"northbrook community links"',
            "providers[1].short_name: 'northbrook community links' is too long",
        ),
    ],
    ids=["too long", "empty", "unseen character", "a number", "too long, another's name"],
)
def test_a_bad_short_name_is_refused_naming_the_key(short_name: str, said: str) -> None:
    assert said in refusal(SERVICE.replace('"Northbrook NHS"', short_name))


def test_a_short_name_two_providers_share_is_refused_naming_the_second() -> None:
    text = SERVICE.replace('kind = "vcse"', 'kind = "vcse"\nshort_name = "northbrook nhs"')
    assert (
        "line 12, providers[2].short_name: 'northbrook nhs' is already the short name of "
        "provider 'Northbrook Community Health NHS Trust': give each provider a short name of "
        "its own"
    ) in refusal(text)


def test_a_short_name_that_is_another_provider_s_name_is_refused() -> None:
    text = SERVICE.replace('"Northbrook NHS"', '"Trust"').replace(
        'name = "Northbrook Community Links"', 'name = "Trust"'
    )
    assert ("providers[1].short_name: 'Trust' is already the name of provider 'Trust'") in refusal(
        text
    )


# --- applied, exported and applied again ---------------------------------------------------


def test_a_short_name_is_applied_exported_and_applied_again_as_no_change(
    store: Store, tmp_path: Path
) -> None:
    steps = applied(store, SERVICE)
    assert (
        "add provider 'Northbrook Community Health NHS Trust' (prime, shown as "
        "'Northbrook NHS')" in steps
    )
    assert provider_names(store.conn) == {1: "Northbrook NHS", 2: "NC Links"}

    exported = exported_round_trip(store, tmp_path, lambda s: provider_names(s.conn))
    assert 'short_name = "Northbrook NHS"' in exported
    assert exported.count("short_name") == 1  # none written for a provider without one


def test_a_short_name_changed_and_taken_away_is_one_audited_change_each(store: Store) -> None:
    applied(store, SERVICE)
    changed = SERVICE.replace('"Northbrook NHS"', '"NCHT"')
    assert applied(store, changed) == [
        "change provider 'Northbrook Community Health NHS Trust': short name "
        "'Northbrook NHS' -> 'NCHT'"
    ]
    removed = SERVICE.replace('short_name = "Northbrook NHS"\n', "")
    assert applied(store, removed) == [
        "change provider 'Northbrook Community Health NHS Trust': short name 'NCHT' -> none"
    ]
    assert provider_names(store.conn)[1] == "NCH NHS Trust"
    last = store.conn.execute(
        "SELECT table_name, reason FROM audit ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert last == ("provider", "set-up from northbrook.toml")
    assert check_database(store.conn).ok


def test_a_short_name_held_by_a_provider_the_file_leaves_out_is_refused(store: Store) -> None:
    applied(store, SERVICE)
    before = audited(store)
    other = """\
[service]
name = "Northbrook"

[[providers]]
name = "Northbrook Community Links"
kind = "vcse"
short_name = "Northbrook NHS"
"""
    with pytest.raises(ServiceFileError) as caught:
        plan_setup(store, parse_service_file(other), ON, "links.toml", other)
    assert (
        "line 7, providers[1].short_name: 'Northbrook NHS' is already the short name of "
        "provider 'Northbrook Community Health NHS Trust', which this file leaves as it is"
    ) in str(caught.value)
    assert audited(store) == before


def test_a_provider_from_before_short_names_still_checks_after_the_upgrade(
    tmp_path: Path,
) -> None:
    """m022 adds the column NULL, so a provider audited without it still matches its row."""
    path = tmp_path / "before.db"
    before = open_store(path, "tester")
    before.conn.execute("ALTER TABLE provider DROP COLUMN short_name")
    before.conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm022_provider_short_name'")
    with before.write("set up before short names") as txn:
        txn.insert("provider", {"name": "Northbrook Community Links", "kind": "vcse"})
    before.close()

    upgraded = open_store(path, "tester")
    try:
        assert upgraded.conn.execute("SELECT short_name FROM provider").fetchall() == [(None,)]
        assert check_database(upgraded.conn).ok
        assert provider_names(upgraded.conn) == {1: "NC Links"}
    finally:
        upgraded.close()


# --- on the waiting list ------------------------------------------------------------------

WIDE = (160, 50)


async def test_at_160_columns_the_list_tells_providers_apart_and_filters_name_them(
    demo: Store,
) -> None:
    """The demo's two Northbrook providers, both "Northbrook Commun" when cut to the
    column, are drawn as "Northbrook NHS" (its short name) and "NC Links" (made from the
    name); `p` and `o` name the provider and the case owner they filter on."""
    app = make_app(demo, FixedClock(ON))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("2")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, WaitingListScreen)
        entries = screen.query_one(EntryList)
        visible = entries.scrollable_content_region.width
        assert COLUMNS[-1] == ("Provider", PROVIDER_WIDTH)
        start = sum(width + 1 for _, width in COLUMNS[:-1])
        assert start + PROVIDER_WIDTH <= visible  # the whole column is on screen
        drawn: dict[str, set[str]] = {}
        rows = entries.loaded()[: entries.scrollable_content_region.height]
        for y, line in enumerate(rows):
            text = entries.render_line(y).text[:visible]
            drawn.setdefault(line.provider, set()).add(text[start:].strip())
        assert drawn["Northbrook Community Health NHS Trust"] == {"Northbrook NHS"}
        assert drawn["Northbrook Community Links"] == {"NC Links"}
        assert all(len(labels) == 1 for labels in drawn.values())
        assert len({label for labels in drawn.values() for label in labels}) == len(drawn)

        def showing() -> str:
            return str(screen.query_one("#showing", Static).render())

        links = next(n for n, line in enumerate(rows) if line.provider_short == "NC Links")
        await pilot.press(*["down"] * links, "p")
        await settle(app, pilot)
        assert "provider NC Links (Northbrook Community Links)" in showing()
        assert {line.provider for line in entries.loaded()} == {"Northbrook Community Links"}

        await pilot.press("p", "home")
        await settle(app, pilot)
        first = entries.current()
        assert first is not None and first.case_owner is not None
        await pilot.press("o")
        await settle(app, pilot)
        assert f"case owner {first.case_owner} —" in showing()
        assert {line.case_owner for line in entries.loaded()} == {first.case_owner}
        await pilot.press("p")
        await settle(app, pilot)
        # Every demo provider's name is too long for the column: both names are given.
        both = f"provider {first.provider_short} ({first.provider})"
        assert f"case owner {first.case_owner}, {both} —" in showing()
