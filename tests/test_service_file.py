"""The service file as text: a good one parses, a bad one is refused with every problem,
each naming its key and, where the file has it on a line of its own, that line. Pure: no
database here (applying a file is tests/test_setup.py)."""

from __future__ import annotations

import json
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huddle.models import MeetingKind
from huddle.service_file import (
    ServiceFile,
    ServiceFileError,
    key_path,
    parse_service_file,
    to_toml,
    validated,
)
from store import open_store
from store.check import check_database
from store.setup import apply_plan, plan_setup

# Dan Ellis is named nowhere else, so changing his name breaks no reference.
VALID = """\
# Eastfield's set-up, reviewed at the governance meeting.
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

[[people]]
name = "Dan Ellis"
role = "Community nurse"
provider = "Eastfield NHS Trust"
active = false

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
invitees = ["Ben Carter", "Cara Doyle"]
timebox_minutes = 10

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

# Each bad line ends in this comment, so the line a problem should name is found by eye.
HERE = "  # <- here"


def refused(text: str) -> ServiceFileError:
    with pytest.raises(ServiceFileError) as caught:
        parse_service_file(text, "eastfield.toml")
    return caught.value


def line_marked(text: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.endswith(HERE))


def test_a_valid_file_parses_into_its_set_up() -> None:
    setup = parse_service_file(VALID)
    assert setup.service.name == "Eastfield Community Nursing"
    assert [(p.name, p.kind) for p in setup.providers] == [
        ("Eastfield NHS Trust", "prime"),
        ("Eastfield Links", "vcse"),
    ]
    assert [p.name for p in setup.people if not p.active] == ["Dan Ellis"]
    assert [(t.number, t.max_safe_wait_days, t.interim_contact_days) for t in setup.tiers] == [
        (1, 2, None),
        (2, 90, 28),
    ]
    (brief,) = setup.series
    assert brief.meeting_kind == MeetingKind.SAFETY_BRIEF
    assert (brief.chair, brief.invitees, brief.timebox_minutes) == (
        "Ada Lovell",
        ["Ben Carter", "Cara Doyle"],
        10,
    )
    assert setup.programme.go_live == date(2027, 2, 1)
    assert [(w.name, w.lead) for w in setup.programme.workstreams] == [
        ("Workforce readiness", "Ada Lovell")
    ]
    assert setup.cohort[0].supervisor == "Ada Lovell"


def test_names_are_trimmed_and_inner_spaces_collapsed_before_they_are_matched() -> None:
    text = VALID.replace('chair = "Ada Lovell"', 'chair = "  Ada   Lovell "')
    assert parse_service_file(text).series[0].chair == "Ada Lovell"


def test_a_file_that_leaves_out_the_tiers_leaves_them_alone() -> None:
    start, end = VALID.index("[[tiers]]"), VALID.index("[[series]]")
    assert parse_service_file(VALID[:start] + VALID[end:]).tiers is None


# (what is wrong, the line as the file has it, the line instead, the key named, words said)
BAD_LINES = [
    (
        "an unknown key",
        "capacity = 3",
        "capacity = 3\ncapcity = 4",
        "supervisors[1].capcity",
        "not a key huddle knows",
    ),
    (
        "text where a number belongs",
        "max_safe_wait_days = 90",
        'max_safe_wait_days = "14"',
        "tiers[2].max_safe_wait_days",
        "'14' is the wrong type",
    ),
    (
        "a text date",
        "go_live = 2027-02-01",
        'go_live = "2027-02-01"',
        "programme.go_live",
        "wrong type",
    ),
    (
        "an unknown provider kind",
        'kind = "vcse"',
        'kind = "charity"',
        "providers[2].kind",
        "'charity' is not one of 'prime', 'subcontractor' or 'vcse'",
    ),
    (
        "an unknown series kind",
        'kind = "safety brief"',
        'kind = "stand-up"',
        "series[1].kind",
        "'stand-up' is not a kind of meeting",
    ),
    ("tier number 0", "number = 1", "number = 0", "tiers[1].number", "at least 1"),
    ("tier number 10", "number = 2", "number = 10", "tiers[2].number", "at most 9"),
    (
        "a negative safe wait",
        "max_safe_wait_days = 90",
        "max_safe_wait_days = -1",
        "tiers[2].max_safe_wait_days",
        "-1 is out of range: at least 0",
    ),
    (
        "an absurd safe wait",
        "max_safe_wait_days = 90",
        "max_safe_wait_days = 99999",
        "tiers[2].max_safe_wait_days",
        "99999 is out of range: at most 3650",
    ),
    (
        "a chair who is not a person",
        'chair = "Ada Lovell"',
        'chair = "Ada Lovel"',
        "series[1].chair",
        "'Ada Lovel' is not a person of this file",
    ),
    (
        "an invitee who is not a person",
        'invitees = ["Ben Carter", "Cara Doyle"]',
        'invitees = ["Ben Carter", "Cara Doyel"]',
        "series[1].invitees[2]",
        "'Cara Doyel' is not a person of this file",
    ),
    (
        "a person's provider not defined",
        'provider = "Eastfield Links"',
        'provider = "Eastfield Link"',
        "people[3].provider",
        "'Eastfield Link' is not a provider of this file",
    ),
    (
        "a cohort supervisor who is not a supervisor",
        'supervisor = "Ada Lovell"',
        'supervisor = "Cara Doyle"',
        "cohort[1].supervisor",
        "'Cara Doyle' is not one of the file's [[supervisors]]",
    ),
    (
        "an escape sequence in a name",
        'name = "Dan Ellis"',
        'name = "Dan\\u001b[2JEllis"',
        "people[4].name",
        "control characters",
    ),
    (
        "a right-to-left override in a name",
        'name = "Dan Ellis"',
        'name = "Dan \\u202eEllis"',
        "people[4].name",
        "control characters",
    ),
    (
        "text where true or false belongs",
        "active = false",
        'active = "no"',
        "people[4].active",
        "wrong type",
    ),
]


@pytest.mark.parametrize(
    ("line", "bad", "key", "said"),
    [case[1:] for case in BAD_LINES],
    ids=[case[0] for case in BAD_LINES],
)
def test_a_bad_line_is_refused_naming_its_key_and_line(
    line: str, bad: str, key: str, said: str
) -> None:
    assert VALID.count(line) >= 1
    text = VALID.replace(line, bad + HERE, 1)
    error = refused(text)
    (problem,) = error.problems
    assert key_path(problem.loc) == key
    assert problem.line == line_marked(text)
    assert said in problem.message
    assert f"line {problem.line}, {key}: " in str(error)
    assert "eastfield.toml: refused, nothing written" in str(error)


def test_a_file_that_is_not_toml_is_refused_naming_the_line() -> None:
    text = VALID.replace('name = "Eastfield Links"', 'name = "Eastfield Links' + HERE)
    (problem,) = refused(text).problems
    assert problem.loc == ("file",)
    assert problem.message.startswith("not TOML")
    assert f"line {line_marked(text)}," in problem.message


def test_an_unknown_table_is_refused_naming_it() -> None:
    (problem,) = refused(VALID + '\n[[rotas]]\nname = "Nights"\n').problems
    assert key_path(problem.loc) == "rotas"
    assert "not a key huddle knows" in problem.message


def test_an_unknown_table_is_refused_naming_its_line() -> None:
    text = VALID + "\n[[rotas]]" + HERE + '\nname = "Nights"\n'
    (problem,) = refused(text).problems
    assert problem.line == line_marked(text)


def test_an_unknown_quoted_key_with_a_bracket_is_named() -> None:
    (problem,) = refused(VALID.replace("[service]\n", '[service]\n"name[2]" = "x"\n')).problems
    assert key_path(problem.loc) == "service.name[2]"


def test_a_person_given_twice_is_refused_naming_the_second_and_the_first() -> None:
    text = VALID.replace('name = "Dan Ellis"', 'name = "Ben Carter"' + HERE)
    (problem,) = refused(text).problems
    assert (key_path(problem.loc), problem.line) == ("people[4].name", line_marked(text))
    assert "'Ben Carter' is given twice in [[people]]" in problem.message
    assert "people[2]" in problem.message


def test_every_problem_is_named_at_once_in_the_order_of_the_file() -> None:
    text = VALID.replace('kind = "vcse"', 'kind = "charity"').replace(
        "capacity = 3", "capacity = 0.5"
    )
    problems = refused(text).problems
    assert [key_path(p.loc) for p in problems] == [
        "providers[2].kind",
        "supervisors[1].capacity",
    ]


def test_a_missing_service_name_is_required() -> None:
    (problem,) = refused(VALID.replace('name = "Eastfield Community Nursing"', "")).problems
    assert key_path(problem.loc) == "service.name"
    assert problem.message == "required: add it"


def test_a_file_printed_by_to_toml_parses_back_to_the_same_set_up() -> None:
    setup = parse_service_file(VALID)
    text = to_toml(setup, "exported on 22/11/2026\nfor the review")
    assert text.startswith("# exported on 22/11/2026\n# for the review\n")
    assert parse_service_file(text) == setup


def test_names_with_quotes_backslashes_and_accents_survive_the_round_trip() -> None:
    awkward = 'Siân O\'Brien "the \\ Links" — Ōkubo 😀'
    quoted = json.dumps(awkward, ensure_ascii=False)
    setup = parse_service_file(VALID.replace('"Eastfield Links"', quoted))
    assert setup.providers[1].name == awkward
    assert parse_service_file(to_toml(setup)) == setup


def test_an_empty_tier_list_is_refused_naming_its_line() -> None:
    (problem,) = refused('tiers = []\n[service]\nname = "Eastfield"\n').problems
    assert (key_path(problem.loc), problem.line) == ("tiers", 1)
    assert problem.message == "give at least one, or leave it out"


# --- generated documents ------------------------------------------------------------------

# A few names each part can use, so that references sometimes resolve and sometimes dangle.
PEOPLE = ["Ada Lovell", "Ben Carter", "Cara Doyle"]
PROVIDERS = ["Eastfield NHS Trust", "Eastfield Links"]

wrong_value = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(),
    st.lists(st.integers(), max_size=2),
)
text = st.one_of(st.text(max_size=30), st.text(alphabet="\x00\x1b\t\u202e\u200b ab", max_size=6))


def mostly(good: st.SearchStrategy, bad: st.SearchStrategy) -> st.SearchStrategy:
    """Eleven in twelve from `good`: with thirty-odd values in a file, most files still hold
    something wrong, yet enough get through to test what is parsed too."""
    return st.integers(0, 11).flatmap(lambda n: bad if n == 0 else good)


def names(pool: list[str]) -> st.SearchStrategy:
    return mostly(st.sampled_from(pool), st.one_of(text, wrong_value))


def number(low: int, high: int) -> st.SearchStrategy:
    return mostly(st.integers(min_value=low, max_value=high), st.one_of(wrong_value, text))


flag = mostly(st.booleans(), st.one_of(wrong_value, text))
unknown_key = st.dictionaries(
    st.from_regex(r"[a-z_]{1,10}", fullmatch=True), wrong_value, min_size=1, max_size=1
)


def table(required: dict, optional: dict) -> st.SearchStrategy[dict]:
    """A table with its keys, now and then one more that huddle does not know."""
    return st.builds(
        lambda known, more: {**more, **known},
        st.fixed_dictionaries(required, optional=optional),
        mostly(st.just({}), unknown_key),
    )


def several(item: st.SearchStrategy[dict], key: str, most: int) -> st.SearchStrategy[list]:
    """Mostly each `key` once, now and then one given twice."""
    return mostly(
        st.lists(item, max_size=most, unique_by=lambda one: repr(one.get(key))),
        st.lists(item, max_size=most),
    )


providers = table(
    {"name": names(PROVIDERS), "kind": st.sampled_from(["prime", "vcse", "subcontractor", "x"])},
    # Short names sometimes another provider's, or its name: refused, or applied whole.
    {"active": flag, "was": names(PROVIDERS), "short_name": names(["EL", "ENT", *PROVIDERS])},
)
people = table(
    {"name": names(PEOPLE), "role": names(["Nurse"]), "provider": names(PROVIDERS)},
    # Logins sometimes shared, in another case, or not a login name: refused, or applied whole.
    {"active": flag, "was": names(PEOPLE), "login": names(["jess", "JESS", "tom", "Jess A"])},
)
tiers = table(
    {"number": number(0, 10), "name": names(["Urgent"]), "max_safe_wait_days": number(-1, 3651)},
    {"interim_contact_days": number(0, 3651)},
)
series = table(
    {
        "name": names(["Brief", "Huddle"]),
        "kind": st.sampled_from(["safety brief", "mobilisation meeting", "huddle"]),
        "chair": names(PEOPLE),
    },
    {
        "invitees": mostly(st.lists(names(PEOPLE), max_size=3), wrong_value),
        "timebox_minutes": number(0, 481),
        "active": flag,
    },
)
workstreams = table({"name": names(["Pathway"]), "lead": names(PEOPLE)}, {"was": names(["W"])})
programme = table(
    {"name": names(["Go-live"]), "go_live": mostly(st.dates(), st.one_of(wrong_value, text))},
    {"checks_owner": names(PEOPLE), "workstreams": st.lists(workstreams, max_size=2)},
)
supervisors = table(
    {"person": names(PEOPLE), "capacity": number(-1, 101), "frequency": names(["weekly"])}, {}
)
cohort = table({"person": names(PEOPLE)}, {"high_risk": flag, "supervisor": names(PEOPLE)})

documents = table(
    {"service": table({"name": names(["Eastfield"])}, {})},
    {
        "providers": several(providers, "name", 2),
        "people": several(people, "name", 3),
        # `tiers = []` is left out: it is refused (test_an_empty_tier_list_is_refused...).
        "tiers": st.lists(tiers, min_size=1, max_size=3, unique_by=lambda t: repr(t["number"])),
        "series": several(series, "name", 2),
        "programme": programme,
        "supervisors": several(supervisors, "person", 2),
        "cohort": several(cohort, "person", 2),
    },
)


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return toml_string(str(value))


def toml_string(text: str) -> str:
    """A TOML basic string: every control character escaped, the rest as it is, so that
    what reaches huddle is the text, not a file TOML itself refuses."""
    return '"' + "".join(_toml_char(c) for c in text) + '"'


def _toml_char(c: str) -> str:
    if c in '"\\':
        return "\\" + c
    return f"\\u{ord(c):04x}" if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F else c


def toml_text(document: dict) -> str:
    """The document written as docs/setup.md lays a file out: every table under a header
    of its own, every key on its own line."""
    lines = [f"{key} = {toml_value(v)}" for key, v in document.items() if not _tables(v)]
    for key, value in document.items():
        for one in _tables(value):
            many = isinstance(value, list)
            lines.append(f"[[{key}]]" if many else f"[{key}]")
            nested = {k: v for k, v in one.items() if _tables(v) and isinstance(v, list)}
            lines += [f"{k} = {toml_value(v)}" for k, v in one.items() if k not in nested]
            for inner, items in nested.items():
                for item in items:
                    lines.append(f"[[{key}.{inner}]]")
                    lines += [f"{k} = {toml_value(v)}" for k, v in item.items()]
    return "\n".join(lines) + "\n"


def _tables(value: object) -> list[dict]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return value
    return []


def parsed_or_refused(text: str) -> ServiceFile | None:
    try:
        return parse_service_file(text, "generated.toml")
    except ServiceFileError as error:
        assert error.problems
        assert all(str(problem) for problem in error.problems)
        return None


@given(documents)
def test_a_generated_file_is_parsed_or_refused_and_never_breaks(document: dict) -> None:
    setup = parsed_or_refused(toml_text(document))
    if setup is not None:
        assert parse_service_file(to_toml(setup)) == setup


@given(st.one_of(documents, st.dictionaries(st.text(max_size=8), wrong_value), wrong_value))
def test_generated_plain_data_is_validated_or_refused_and_never_breaks(document: object) -> None:
    try:
        setup = validated(document, "the Set-up form")
    except ServiceFileError as error:
        assert error.problems
        return
    assert parse_service_file(to_toml(setup)) == setup


# --- generated files applied to a database --------------------------------------------------

ON = date(2026, 11, 22)


@given(documents)
def test_a_generated_file_is_applied_whole_or_not_at_all(document: dict) -> None:
    """Onto a database holding VALID's set-up (so files rename, deactivate, re-tier and
    remove as well as add): refused with nothing written, or applied so that planning the
    same file again finds nothing to do, and the audit trail and records check clean."""
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder) / "eastfield.db", "tester")
        try:
            apply_plan(store, plan_setup(store, parse_service_file(VALID), ON, "base"), ON)
            before = store.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
            text = toml_text(document)
            try:
                setup = parse_service_file(text)
                plan = plan_setup(store, setup, ON, "generated.toml", text)
            except ServiceFileError:
                assert store.conn.execute("SELECT count(*) FROM audit").fetchone()[0] == before
                return
            apply_plan(store, plan, ON)
            assert plan_setup(store, setup, ON, "generated.toml", text).empty
            assert check_database(store.conn).ok
        finally:
            store.close()


def test_a_go_live_date_past_2099_is_refused_as_a_slip() -> None:
    (problem,) = refused(VALID.replace("go_live = 2027-02-01", "go_live = 9999-12-30")).problems
    assert key_path(problem.loc) == "programme.go_live"
    assert "check the year" in problem.message
