"""The Set-up screen's lists, a page at a time: providers, people (with type-to-find),
risk tiers, meeting series, the escalation ladder's owners, the programme's workstreams,
supervisors and the training cohort. Each line carries its row's id and version, so a form
opened on it can say which version it was opened on and be refused if another terminal has
saved the row since."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import date

from huddle.models import RUNG_WORKING_DAYS, EscalationRung, MeetingKind
from store.connection import Store
from store.provider_names import provider_names


@dataclass(frozen=True)
class SetupQuery:
    """What the lists show: `revision` is bumped after each change so they are read again."""

    revision: int = 0
    search: str = ""
    """People only: the start of a name or a role, in any case."""


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _count(store: Store, sql: str, *params: object) -> int:
    return store.conn.execute(sql, params).fetchone()[0]


# --- the service, the programme, and what the forms offer ---------------------------------


@dataclass(frozen=True)
class ProgrammeLine:
    id: int
    version: int
    name: str
    go_live: date


@dataclass(frozen=True)
class SetupFacts:
    """The service's name and version, its programme, how much is set up, and the names
    the forms offer (providers and supervisors still in use)."""

    service_id: int | None
    service_version: int
    service_name: str
    programme: ProgrammeLine | None
    providers: tuple[int, int] = (0, 0)
    """How many, and how many of them inactive."""
    people: tuple[int, int] = (0, 0)
    """How many, and how many of them have left."""
    tiers: int = 0
    series: tuple[int, int] = (0, 0)
    """How many, and how many of them inactive."""
    workstreams: int = 0
    supervisors: int = 0
    cohort: int = 0
    ladder_owned: int = 0
    """Rungs of the escalation ladder with an owner still here."""
    provider_names: tuple[str, ...] = field(default=())
    """Active providers, for a person's provider."""
    supervisor_names: tuple[str, ...] = field(default=())


def setup_facts(store: Store) -> SetupFacts:
    """Read inside `store.reading()` alongside the lists' counts, so they agree."""
    conn = store.conn
    service = conn.execute("SELECT id, version, name FROM service ORDER BY id LIMIT 1")
    service_row = service.fetchone() or (None, 0, "")
    programme = _programme(conn)

    def two(table: str) -> tuple[int, int]:
        total, gone = conn.execute(
            f"SELECT count(*), count(inactive_since) FROM [{table}]"
        ).fetchone()
        return total, gone

    return SetupFacts(
        service_id=service_row[0],
        service_version=service_row[1],
        service_name=service_row[2],
        programme=programme,
        providers=two("provider"),
        people=two("person"),
        tiers=_count(store, "SELECT count(*) FROM risk_tier"),
        series=two("series"),
        workstreams=_workstream_total(store, programme),
        supervisors=_count(store, "SELECT count(*) FROM supervisor"),
        cohort=_count(store, "SELECT count(*) FROM cohort_member"),
        ladder_owned=_count(
            store,
            "SELECT count(*) FROM ladder_rung AS l JOIN person AS p ON p.id = l.owner_id "
            "WHERE p.inactive_since IS NULL",
        ),
        provider_names=tuple(
            name
            for (name,) in conn.execute(
                "SELECT name FROM provider WHERE inactive_since IS NULL ORDER BY id"
            )
        ),
        supervisor_names=tuple(
            name
            for (name,) in conn.execute(
                "SELECT p.name FROM supervisor AS s JOIN person AS p ON p.id = s.person_id "
                "WHERE p.inactive_since IS NULL ORDER BY p.name"
            )
        ),
    )


def _programme(conn: sqlite3.Connection) -> ProgrammeLine | None:
    # The first programme, as everywhere else (store.mobilisation_reads.programme_of).
    found = conn.execute(
        "SELECT id, version, name, go_live FROM mobilisation_programme ORDER BY id LIMIT 1"
    ).fetchone()
    if found is None:
        return None
    return ProgrammeLine(found[0], found[1], found[2], date.fromisoformat(found[3]))


# --- providers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderLine:
    id: int
    version: int
    name: str
    kind: str
    inactive_since: date | None
    short_name: str | None
    """As set-up gave it; None: the waiting list shows `shown_as`, made from the name."""
    shown_as: str
    """What the waiting list's provider column shows for it (store.provider_names)."""


def count_providers(store: Store, query: SetupQuery) -> int:
    return _count(store, "SELECT count(*) FROM provider")


def page_of_providers(
    store: Store, query: SetupQuery, offset: int, limit: int
) -> list[ProviderLine]:
    """Those still in use first, then by name."""
    rows = store.conn.execute(
        "SELECT id, version, name, kind, inactive_since, short_name FROM provider "
        "ORDER BY inactive_since IS NOT NULL, name, id LIMIT ? OFFSET ?",
        (limit, offset),
    ).fetchall()
    shown = provider_names(store.conn)
    return [ProviderLine(r[0], r[1], r[2], r[3], _day(r[4]), r[5], shown[r[0]]) for r in rows]


# --- people ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonLine:
    id: int
    version: int
    name: str
    role: str
    provider: str
    inactive_since: date | None
    """When they left; None while they are here."""
    login: str | None
    """The name they log in to the computer with; None: none set."""
    read_only: bool = False
    """A display account: signs in, reads, writes nothing."""
    assesses: tuple[str, ...] = ()
    """The competencies they may sign off for others, in the matrix's order."""


def _like(search: str) -> str:
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%"


# The start of a name or of a role, any case: each side of the OR is a range of its own
# NOCASE index (schema m017), so the count and the page read only the people matched.
_FOUND = "(name LIKE :like ESCAPE '\\' OR role LIKE :like ESCAPE '\\')"


def count_people(store: Store, query: SetupQuery) -> int:
    search = " ".join(query.search.split())
    if not search:
        return _count(store, "SELECT count(*) FROM person")
    return store.conn.execute(
        f"SELECT count(*) FROM person WHERE {_FOUND}", {"like": _like(search)}
    ).fetchone()[0]


def page_of_people(store: Store, query: SetupQuery, offset: int, limit: int) -> list[PersonLine]:
    """By name (any case); the page's ids first, walking the name index, then their rows."""
    search = " ".join(query.search.split())
    where = f"WHERE {_FOUND}" if search else ""
    rows = store.conn.execute(
        f"""
        WITH page AS (
            SELECT id FROM person {where}
            ORDER BY name COLLATE NOCASE, id LIMIT :limit OFFSET :offset
        )
        SELECT p.id, p.version, p.name, p.role, coalesce(v.name, ''), p.inactive_since, p.login,
            p.read_only, p.assesses
        FROM page JOIN person AS p ON p.id = page.id
        LEFT JOIN provider AS v ON v.id = p.provider_id
        ORDER BY p.name COLLATE NOCASE, p.id
        """,
        {"like": _like(search), "limit": limit, "offset": offset},
    ).fetchall()
    return [
        PersonLine(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            _day(r[5]),
            r[6],
            bool(r[7]),
            tuple(json.loads(r[8] or "[]")),
        )
        for r in rows
    ]


# --- risk tiers --------------------------------------------------------------------------


@dataclass(frozen=True)
class TierLine:
    id: int
    version: int
    number: int
    name: str
    max_safe_wait_days: int
    interim_contact_days: int | None
    """None: must be seen, no interim contacts."""


def count_tiers(store: Store, query: SetupQuery) -> int:
    return _count(store, "SELECT count(*) FROM risk_tier")


def page_of_tiers(store: Store, query: SetupQuery, offset: int, limit: int) -> list[TierLine]:
    rows = store.conn.execute(
        "SELECT id, version, number, name, max_safe_wait_days, interim_contact_days "
        "FROM risk_tier ORDER BY number LIMIT ? OFFSET ?",
        (limit, offset),
    ).fetchall()
    return [TierLine(*row) for row in rows]


# --- the escalation ladder ---------------------------------------------------------------


@dataclass(frozen=True)
class RungLine:
    """A rung of the escalation ladder, with or without an owner (`id` None: no row yet)."""

    id: int | None
    version: int | None
    rung: EscalationRung
    working_days: int
    """How long the rung has to act before an escalation climbs past it."""
    owner: str | None
    owner_left: bool


def count_ladder(store: Store, query: SetupQuery) -> int:
    return len(EscalationRung)


def page_of_ladder(store: Store, query: SetupQuery, offset: int, limit: int) -> list[RungLine]:
    """Every rung, lowest first, whether or not set-up has named its owner."""
    owned = {
        rung: (row_id, version, name, gone is not None)
        for row_id, version, rung, name, gone in store.conn.execute(
            "SELECT l.id, l.version, l.rung, p.name, p.inactive_since "
            "FROM ladder_rung AS l JOIN person AS p ON p.id = l.owner_id"
        )
    }
    lines = []
    for rung in list(EscalationRung)[offset : offset + limit]:
        row_id, version, name, left = owned.get(rung, (None, None, None, False))
        lines.append(RungLine(row_id, version, rung, RUNG_WORKING_DAYS[rung], name, left))
    return lines


# --- meeting series ----------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesSetupLine:
    id: int
    version: int
    name: str
    kind: MeetingKind
    chair: str
    chair_left: bool
    invitees: tuple[str, ...]
    """In the order listed; a leaver among them still named."""
    invitees_left: tuple[str, ...]
    """Those of them who have left."""
    timebox_minutes: int | None
    """None: the kind's usual timebox."""
    inactive_since: date | None


def count_series(store: Store, query: SetupQuery) -> int:
    return _count(store, "SELECT count(*) FROM series")


def page_of_series(
    store: Store, query: SetupQuery, offset: int, limit: int
) -> list[SeriesSetupLine]:
    """Those still run first, then by name."""
    rows = store.conn.execute(
        """
        SELECT s.id, s.version, s.name, s.kind, coalesce(c.name, ''),
               c.inactive_since IS NOT NULL,
               (SELECT json_group_array(json_array(name, gone)) FROM (
                    SELECT q.name, q.inactive_since IS NOT NULL AS gone
                    FROM json_each(s.invitees) AS j JOIN person AS q ON q.id = j.value
                    ORDER BY j.key)),
               s.timebox_minutes, s.inactive_since
        FROM series AS s LEFT JOIN person AS c ON c.id = s.chair_id
        ORDER BY s.inactive_since IS NOT NULL, s.name LIMIT ? OFFSET ?
        """,
        (limit, offset),
    ).fetchall()
    return [
        SeriesSetupLine(
            id=r[0],
            version=r[1],
            name=r[2],
            kind=MeetingKind(r[3]),
            chair=r[4],
            chair_left=bool(r[5]),
            invitees=tuple(name for name, _ in _invited(r[6])),
            invitees_left=tuple(name for name, gone in _invited(r[6]) if gone),
            timebox_minutes=r[7],
            inactive_since=_day(r[8]),
        )
        for r in rows
    ]


def _invited(json_pairs: str | None) -> list[tuple[str, bool]]:
    return [(name, bool(gone)) for name, gone in json.loads(json_pairs or "[]")]


# --- the programme's workstreams ---------------------------------------------------------


@dataclass(frozen=True)
class WorkstreamSetupLine:
    id: int
    version: int
    name: str
    lead: str
    lead_left: bool


def _workstream_total(store: Store, programme: ProgrammeLine | None) -> int:
    if programme is None:
        return 0
    return _count(store, "SELECT count(*) FROM workstream WHERE programme_id = ?", programme.id)


def count_workstreams(store: Store, query: SetupQuery) -> int:
    return _workstream_total(store, _programme(store.conn))


def page_of_workstreams(
    store: Store, query: SetupQuery, offset: int, limit: int
) -> list[WorkstreamSetupLine]:
    rows = store.conn.execute(
        """
        SELECT w.id, w.version, w.name, coalesce(p.name, ''), p.inactive_since IS NOT NULL
        FROM workstream AS w LEFT JOIN person AS p ON p.id = w.lead_id
        WHERE w.programme_id = (SELECT id FROM mobilisation_programme ORDER BY id LIMIT 1)
        ORDER BY w.position, w.id LIMIT ? OFFSET ?
        """,
        (limit, offset),
    ).fetchall()
    return [WorkstreamSetupLine(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows]


# --- supervisors and the training cohort -------------------------------------------------


@dataclass(frozen=True)
class SupervisorLine:
    id: int
    version: int
    person: str
    person_left: bool
    capacity: int
    """How many supervisees they can take."""
    frequency: str
    supervising: int
    """How many of the cohort name them as supervisor."""


def count_supervisors(store: Store, query: SetupQuery) -> int:
    return _count(store, "SELECT count(*) FROM supervisor")


def page_of_supervisors(
    store: Store, query: SetupQuery, offset: int, limit: int
) -> list[SupervisorLine]:
    rows = store.conn.execute(
        """
        SELECT s.id, s.version, p.name, p.inactive_since IS NOT NULL, s.capacity, s.frequency,
               (SELECT count(*) FROM cohort_member AS c WHERE c.supervisor_id = s.person_id)
        FROM supervisor AS s JOIN person AS p ON p.id = s.person_id
        ORDER BY p.name, s.id LIMIT ? OFFSET ?
        """,
        (limit, offset),
    ).fetchall()
    return [SupervisorLine(r[0], r[1], r[2], bool(r[3]), r[4], r[5], r[6]) for r in rows]


@dataclass(frozen=True)
class CohortLine:
    id: int
    version: int
    person: str
    person_left: bool
    high_risk: bool
    """Will manage higher-risk cases on their own: every competency must be signed off."""
    supervisor: str
    """'' when nobody supervises them yet."""
    supervisor_left: bool


def count_cohort(store: Store, query: SetupQuery) -> int:
    return _count(store, "SELECT count(*) FROM cohort_member")


def page_of_cohort(store: Store, query: SetupQuery, offset: int, limit: int) -> list[CohortLine]:
    rows = store.conn.execute(
        """
        SELECT c.id, c.version, p.name, p.inactive_since IS NOT NULL, c.high_risk,
               coalesce(s.name, ''), s.inactive_since IS NOT NULL
        FROM cohort_member AS c JOIN person AS p ON p.id = c.person_id
        LEFT JOIN person AS s ON s.id = c.supervisor_id
        ORDER BY p.name, c.id LIMIT ? OFFSET ?
        """,
        (limit, offset),
    ).fetchall()
    return [CohortLine(r[0], r[1], r[2], bool(r[3]), bool(r[4]), r[5], bool(r[6])) for r in rows]
