"""The service file: a service's set-up as a TOML document it keeps and reviews.

Pure: reads text, returns a validated `ServiceFile` or refuses with every problem, each
naming the key and, where the file has it on a line of its own, the line. The names in it
are matched exactly (after trimming); anything the file uses must be defined in it, so a
misspelt chair is refused rather than silently matching nobody. What applying a file does
to a database is in `store.setup`; the format is in docs/setup.md.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from huddle.dates import parse_date
from huddle.models import Competency, MeetingKind
from huddle.printable import unseen
from huddle.provider_names import SHORT_MOST

# Safe waits and cadences past ten years, or a timebox past a working day, are slips.
MOST_DAYS = 3650
MOST_TIMEBOX_MINUTES = 480
LATEST_GO_LIVE_YEAR = 2099

# The words a file uses for each kind of meeting; "mobilisation" is the short form.
SERIES_KINDS: dict[str, MeetingKind] = {
    "safety brief": MeetingKind.SAFETY_BRIEF,
    "waiting-list huddle": MeetingKind.WAITING_LIST_HUDDLE,
    "mobilisation": MeetingKind.MOBILISATION,
    "mobilisation meeting": MeetingKind.MOBILISATION,
    "interface meeting": MeetingKind.INTERFACE,
    "contract review": MeetingKind.CONTRACT_REVIEW,
}
FILE_KIND: dict[MeetingKind, str] = {
    MeetingKind.SAFETY_BRIEF: "safety brief",
    MeetingKind.WAITING_LIST_HUDDLE: "waiting-list huddle",
    MeetingKind.MOBILISATION: "mobilisation",
    MeetingKind.INTERFACE: "interface meeting",
    MeetingKind.CONTRACT_REVIEW: "contract review",
}


def _printable(text: str) -> str:
    """Control and format characters would drive a terminal or break the minutes (the
    same test as every form and extract: huddle.printable.unseen)."""
    if unseen(text) is not None:
        raise ValueError("remove the control characters (pasted from another program?)")
    return " ".join(text.split())


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=120),
    AfterValidator(_printable),
]
ShortName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=SHORT_MOST),
    AfterValidator(_printable),
]
Days = Annotated[int, Field(ge=0, le=MOST_DAYS)]

LOGIN_MOST = 32
# What an operating system takes as a user's login name (POSIX's portable set, as
# `useradd` does), so a person's login can be the name they sign in to the computer with.
# Explicit ASCII ranges: a letter such as the Kelvin sign lower-cases to "k".
_LOGIN = re.compile(rf"[A-Za-z][A-Za-z0-9._-]{{0,{LOGIN_MOST - 1}}}")


def login_name(text: str) -> str:
    """The login name as stored, lower-case; ValueError in words if it is not one."""
    if not is_login(text):
        raise ValueError(
            f"{_shown(text)} is not a login name: 1 to {LOGIN_MOST} lower-case letters, "
            "digits, '.', '_' or '-', starting with a letter"
        )
    return text.lower()


def is_login(text: str) -> bool:
    """Whether `text` would do as a login name (login_name says why not)."""
    return _LOGIN.fullmatch(text) is not None


Login = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(login_name)]

COMPETENCIES = tuple(c.value for c in Competency)


def competency_name(text: str) -> str:
    """A competency of the training matrix, by its whole name; ValueError naming them."""
    if text not in COMPETENCIES:
        raise ValueError(
            f"{_shown(text)} is not a competency of the training matrix: one of "
            f"{', '.join(repr(c) for c in COMPETENCIES)}"
        )
    return text


CompetencyName = Annotated[str, AfterValidator(competency_name)]


def _kind(text: str) -> str:
    if text not in SERIES_KINDS:
        raise ValueError(
            f"{text!r} is not a kind of meeting: one of {', '.join(FILE_KIND.values())}"
        )
    return FILE_KIND[SERIES_KINDS[text]]


class _Table(BaseModel):
    # Strict: a TOML file says its types, so "14" where a number belongs is a slip to
    # refuse, not a value to convert.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _holiday(value: object) -> object:
    """A TOML date (2026-06-19) as it is, or one written as text in UK or ISO order."""
    return parse_date(value, "extra bank holiday") if isinstance(value, str) else value


def _weekday(day: date) -> date:
    _plausible(day)
    if day.weekday() >= 5:
        raise ValueError(f"{day:%d/%m/%Y} is a {day:%A}, not a working day anyway: leave it out")
    return day


BankHoliday = Annotated[date, BeforeValidator(_holiday), AfterValidator(_weekday)]


class ServiceSection(_Table):
    name: Name
    import_account: Name | None = None
    """What a scheduled import names itself with `--user` (docs/setup.md)."""
    extra_bank_holidays: list[BankHoliday] = []
    """Days that are not working days besides England and Wales' bank holidays (which
    huddle knows): a one-off holiday, or a local one (huddle.working_days)."""


class ProviderSpec(_Table):
    name: Name
    kind: Literal["prime", "subcontractor", "vcse"]
    short_name: ShortName | None = None
    """How the waiting list names it; None: its whole name, or one made from it
    (huddle.provider_names)."""
    active: bool = True
    was: Name | None = None


class PersonSpec(_Table):
    name: Name
    role: Name
    provider: Name
    login: Login | None = None
    """The name they log in to the computer with, lower-case; unique across people. A
    leaver keeps theirs."""
    read_only: bool = False
    """A display account (the meeting room's wall screen): signs in, reads, writes nothing."""
    assesses: list[CompetencyName] = []
    """The competencies they may sign off for others (the training matrix's names)."""
    active: bool = True
    """False once they have left: kept for the record, offered nowhere."""
    was: Name | None = None


class TierSpec(_Table):
    number: Annotated[int, Field(ge=1, le=9)]
    name: Name
    max_safe_wait_days: Days
    interim_contact_days: Annotated[int, Field(ge=1, le=MOST_DAYS)] | None = None
    """None: must be seen, no interim contacts."""


class SeriesSpec(_Table):
    name: Name
    kind: Annotated[str, AfterValidator(_kind)]
    chair: Name
    invitees: list[Name] = []
    timebox_minutes: Annotated[int, Field(ge=1, le=MOST_TIMEBOX_MINUTES)] | None = None
    """None: the kind's usual timebox (five minutes for a safety brief)."""
    active: bool = True
    was: Name | None = None

    @property
    def meeting_kind(self) -> MeetingKind:
        return SERIES_KINDS[self.kind]


class WorkstreamSpec(_Table):
    name: Name
    lead: Name
    was: Name | None = None


def _plausible(day: date) -> date:
    # The checks after go-live are dated up to twelve weeks on; a date past 2099 is a slip.
    if day.year > LATEST_GO_LIVE_YEAR:
        raise ValueError(f"{day:%d/%m/%Y} is past {LATEST_GO_LIVE_YEAR}: check the year")
    return day


class ProgrammeSpec(_Table):
    name: Name
    go_live: Annotated[date, AfterValidator(_plausible)]
    checks_owner: Name | None = None
    """Who owns the checks after go-live (the 4-week audit and the rest); used when the
    programme is created. None: the first workstream's lead."""
    workstreams: list[WorkstreamSpec] = []


class SupervisorSpec(_Table):
    person: Name
    capacity: Annotated[int, Field(ge=0, le=100)]
    frequency: Name


class CohortSpec(_Table):
    person: Name
    high_risk: bool = True
    supervisor: Name | None = None


class LadderSpec(_Table):
    """Who owns each rung of the escalation ladder: an escalation that climbs to a rung is
    given to its owner. A rung left out keeps the escalation with whoever had it."""

    operational: Name | None = None
    clinical: Name | None = None
    contractual: Name | None = None

    def owners(self) -> dict[str, str]:
        return {rung: name for rung, name in self.model_dump().items() if name is not None}


class ServiceFile(_Table):
    service: ServiceSection
    providers: list[ProviderSpec] = []
    people: list[PersonSpec] = []
    tiers: Annotated[list[TierSpec], Field(min_length=1)] | None = None
    """None: the tiers are left as they are. Given: the whole set (at least one)."""
    series: list[SeriesSpec] = []
    programme: ProgrammeSpec | None = None
    supervisors: list[SupervisorSpec] = []
    cohort: list[CohortSpec] = []
    ladder: LadderSpec | None = None
    """None: the ladder's owners are left as they are."""


Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    loc: Loc
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}, " if self.line else ""
        return f"{where}{key_path(self.loc)}: {self.message}"


class ServiceFileError(ValueError):
    """Every problem found, so one round of corrections mends the whole file."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(
            f"{source}: refused, nothing written ({len(problems)} "
            f"problem{'s' if len(problems) != 1 else ''}):\n"
            + "\n".join(f"  {p}" for p in problems)
        )


def key_path(loc: Loc) -> str:
    """("people", 2, "provider") -> "people[3].provider" (counted from 1, as people do)."""
    out = ""
    for part in loc:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def parse_service_file(text: str, source: str = "the service file") -> ServiceFile:
    """The file's set-up, or ServiceFileError naming each problem, its key and line."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ServiceFileError(
            source, [Problem(("file",), f"not TOML: {error}; check quotes and brackets there")]
        ) from None
    return validated(document, source, text)


def validated(document: object, source: str, text: str = "") -> ServiceFile:
    """A set-up from plain data (a parsed file, or a form's edit of the current set-up)."""
    try:
        setup = ServiceFile.model_validate(document)
    except ValidationError as error:
        raise ServiceFileError(source, _located(_from_pydantic(error, document), text)) from None
    problems = list(cross_checked(setup))
    if problems:
        raise ServiceFileError(source, _located(problems, text))
    return setup


def _in_document(document: object, loc: tuple) -> Loc:
    """The path as the document has it: a union's or a validator's failure adds the name
    of the type it tried (e.g. "function-after[...]") to pydantic's path, which no file
    has; a required key the document lacks is kept, as the key to add."""
    found: list[str | int] = []
    here = document
    for part in loc:
        within = isinstance(here, dict) and part in here
        if within or (isinstance(here, list) and isinstance(part, int) and part < len(here)):
            found.append(part)
            here = here[part]  # type: ignore[index]
        elif isinstance(here, dict) and isinstance(part, str):
            found.append(part)
            here = None
    return tuple(found)


def _from_pydantic(error: ValidationError, document: object) -> list[Problem]:
    problems = []
    for found in error.errors():
        loc = _in_document(document, tuple(found["loc"]))
        kind, said = found["type"], found["msg"]
        if kind == "extra_forbidden":
            said = "not a key huddle knows: check its spelling (docs/setup.md lists them)"
        elif kind == "missing":
            said = "required: add it"
        elif kind == "string_too_short":
            said = "required: fill it in"
        elif kind == "string_too_long":
            most = found["ctx"]["max_length"]
            said = f"{_shown(found.get('input'))} is too long: at most {most} characters"
        elif kind == "too_short":
            said = "give at least one, or leave it out"
        elif kind == "literal_error":
            said = f"{_shown(found.get('input'))} is not one of {found['ctx']['expected']}"
        elif kind in ("less_than_equal", "greater_than_equal"):
            limit = found["ctx"].get("le", found["ctx"].get("ge"))
            most = "at most" if kind == "less_than_equal" else "at least"
            said = f"{_shown(found.get('input'))} is out of range: {most} {limit}"
        elif kind.endswith("_type"):
            said = f"{_shown(found.get('input'))} is the wrong type: {said.lower()}"
        else:
            said = said.removeprefix("Value error, ")
        problems.append(Problem(loc, said))
    return problems


def _shown(value: object) -> str:
    said = repr(value)
    return said if len(said) <= 40 else said[:37] + "..."


def cross_checked(setup: ServiceFile) -> Iterable[Problem]:
    """What a schema cannot say: names defined once, and every name used defined."""
    providers = {p.name for p in setup.providers}
    people = {p.name for p in setup.people}
    supervisors = {s.person for s in setup.supervisors}
    sections: list[tuple[str, Sequence[BaseModel], str]] = [
        ("providers", setup.providers, "name"),
        ("people", setup.people, "name"),
        ("series", setup.series, "name"),
        ("supervisors", setup.supervisors, "person"),
        ("cohort", setup.cohort, "person"),
        ("tiers", setup.tiers or (), "number"),
    ]
    for section, items, key in sections:
        first: dict[object, int] = {}
        for n, item in enumerate(items):
            value = getattr(item, key)
            if value in first:
                yield Problem(
                    (section, n, key),
                    f"{value!r} is given twice in [[{section}]] (first as {section}"
                    f"[{first[value] + 1}]): give each once",
                )
            first.setdefault(value, n)

    def person(loc: Loc, name: str | None, what: str) -> Iterable[Problem]:
        if name is not None and name not in people:
            yield Problem(
                loc,
                f"{name!r} is not a person of this file: add them under [[people]] "
                f"(name, role, provider) or correct the {what}",
            )

    holidays = setup.service.extra_bank_holidays
    for n, day in enumerate(holidays):
        if day in holidays[:n]:
            yield Problem(
                ("service", "extra_bank_holidays", n),
                f"{day:%d/%m/%Y} is given twice in extra_bank_holidays: give each once",
            )
    yield from _short_names_apart(setup.providers)
    yield from _logins_apart(setup.people)
    for n, p in enumerate(setup.people):
        if p.provider not in providers:
            yield Problem(
                ("people", n, "provider"),
                f"{p.provider!r} is not a provider of this file: add it under [[providers]] "
                "or correct the name",
            )
        if p.read_only and p.assesses:
            # A display account writes nothing, so it could never sign a competency off.
            yield Problem(
                ("people", n, "assesses"),
                f"{p.name!r} is a display account (read_only) and writes nothing: name a "
                "person who signs in as themselves to assess, or take read_only away",
            )
        for i, competency in enumerate(p.assesses):
            if competency in p.assesses[:i]:
                yield Problem(
                    ("people", n, "assesses", i),
                    f"{competency!r} is given twice in {p.name!r}'s assesses: give each once",
                )
    for n, s in enumerate(setup.series):
        yield from person(("series", n, "chair"), s.chair, "chair")
        for i, invitee in enumerate(s.invitees):
            yield from person(("series", n, "invitees", i), invitee, "invitee")
    if setup.programme is not None:
        programme = setup.programme
        yield from person(("programme", "checks_owner"), programme.checks_owner, "owner")
        seen: set[str] = set()
        for n, w in enumerate(programme.workstreams):
            yield from person(("programme", "workstreams", n, "lead"), w.lead, "lead")
            if w.name in seen:
                yield Problem(
                    ("programme", "workstreams", n, "name"),
                    f"{w.name!r} is given twice in [[programme.workstreams]]: give each once",
                )
            seen.add(w.name)
        if programme.checks_owner is None and not programme.workstreams:
            yield Problem(
                ("programme", "checks_owner"),
                "name who owns the checks after go-live, or add a workstream with a lead",
            )
    if setup.ladder is not None:
        for rung, name in setup.ladder.owners().items():
            yield from person(("ladder", rung), name, "owner")
    for n, s in enumerate(setup.supervisors):
        yield from person(("supervisors", n, "person"), s.person, "name")
    for n, c in enumerate(setup.cohort):
        yield from person(("cohort", n, "person"), c.person, "name")
        if c.supervisor is not None and c.supervisor not in supervisors:
            yield Problem(
                ("cohort", n, "supervisor"),
                f"{c.supervisor!r} is not one of the file's [[supervisors]]: add them there "
                "(person, capacity, frequency) or correct the name",
            )
        if c.supervisor == c.person:
            yield Problem(("cohort", n, "supervisor"), "nobody supervises themselves")


def _short_names_apart(providers: Sequence[ProviderSpec]) -> Iterable[Problem]:
    """A short name is there to tell providers apart on a narrow list: none may be
    another's short name or whole name, in any case."""
    taken: dict[str, str] = {}
    for spec in providers:
        taken.setdefault(spec.name.casefold(), f"the name of provider {spec.name!r}")
    for n, spec in enumerate(providers):
        if spec.short_name is None:
            continue
        key = spec.short_name.casefold()
        holder = taken.get(key)
        if holder is not None and key != spec.name.casefold():
            yield Problem(
                ("providers", n, "short_name"),
                f"{spec.short_name!r} is already {holder}: give each provider a short name "
                "of its own",
            )
        taken.setdefault(key, f"the short name of provider {spec.name!r}")


def _logins_apart(people: Sequence[PersonSpec]) -> Iterable[Problem]:
    """A login names one person: the one whose terminal it is acts as them. Refused at
    each person given it, in the same words, so a form changing either shows it."""
    holders: dict[str, list[tuple[int, str]]] = {}
    for n, spec in enumerate(people):
        if spec.login is not None:
            holders.setdefault(spec.login, []).append((n, spec.name))
    for login, given in holders.items():
        if len(given) < 2:
            continue
        names = [repr(name) for _, name in given]
        each = "both" if len(given) == 2 else "each of"
        said = (
            f"{login!r} is the login of {each} {', '.join(names[:-1])} and {names[-1]}: give "
            "each person a login of their own"
        )
        for n, _ in given:
            yield Problem(("people", n, "login"), said)


def _located(problems: list[Problem], text: str) -> list[Problem]:
    found = [Problem(p.loc, p.message, line_of(text, p.loc)) for p in problems]
    return sorted(found, key=lambda p: p.line or 0)


_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\s]+?)\s*\]\]?\s*(#.*)?$")


_TABLES = frozenset(
    {
        "service",
        "providers",
        "people",
        "tiers",
        "series",
        "programme",
        "programme.workstreams",
        "supervisors",
        "cohort",
        "ladder",
    }
)


def line_of(text: str, loc: Loc) -> int | None:
    """The line of the file holding `loc`, when the file writes it as a table of its own
    with the key on its own line (as docs/setup.md does); None when it cannot tell."""
    table, index, key = "", 0, None
    for part in loc:
        if isinstance(part, int):
            if key is None:
                index = part
            continue
        longer = f"{table}.{part}" if table else part
        if key is None and (longer in _TABLES or _has_header(text, longer)):
            table, index = longer, 0
        elif key is None:
            key = part
    if not text:
        return None
    lines = text.splitlines()
    headers = [n for n, line in enumerate(lines) if _header(line) == table]
    if not headers:
        # A key at the top, before any table (`tiers = []`, or a misspelt one).
        top = key if not table else table.split(".")[0]
        for number, line in enumerate(lines, 1):
            if _header(line) is not None:
                break
            if top and re.match(rf"""^\s*["']?{re.escape(top)}["']?\s*=""", line):
                return number
        return None
    if index >= len(headers):
        return None
    start = headers[index]
    if key is None:
        return start + 1
    assignment = re.compile(rf"""^\s*["']?{re.escape(key)}["']?\s*=""")
    for number in range(start + 1, len(lines)):
        if _header(lines[number]) is not None:
            break
        if assignment.match(lines[number]):
            return number + 1
    return start + 1


def _has_header(text: str, table: str) -> bool:
    return any(_header(line) == table for line in text.splitlines())


def _header(line: str) -> str | None:
    found = _HEADER.match(line)
    return ".".join(part.strip() for part in found.group(1).split(".")) if found else None


def to_toml(setup: ServiceFile, heading: str = "") -> str:
    """The set-up as a service file in the layout docs/setup.md uses: one table per
    provider, person, tier and series, each key on its own line, defaults left out."""
    document = setup.model_dump(exclude_defaults=True)
    lines = [f"# {line}" if line else "#" for line in heading.splitlines()]
    lines += _table("service", document["service"])
    for section in ("providers", "people", "tiers", "series"):
        for item in document.get(section) or ():
            lines += _table(section, item, many=True)
    if programme := document.get("programme"):
        workstreams = programme.pop("workstreams", ())
        lines += _table("programme", programme)
        for item in workstreams:
            lines += _table("programme.workstreams", item, many=True)
    for section in ("supervisors", "cohort"):
        for item in document.get(section) or ():
            lines += _table(section, item, many=True)
    if ladder := document.get("ladder"):
        lines += _table("ladder", ladder)
    return "\n".join(lines).lstrip("\n") + "\n"


def _table(name: str, values: dict, many: bool = False) -> list[str]:
    header = f"[[{name}]]" if many else f"[{name}]"
    return ["", header, *(f"{key} = {_value(value)}" for key, value in values.items())]


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | date):
        return str(value) if isinstance(value, int) else value.isoformat()
    if isinstance(value, str):
        # JSON's string escapes are a subset of TOML's basic strings.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    raise TypeError(f"no TOML for {value!r}")
