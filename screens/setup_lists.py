"""The Set-up screen's lists, each paged from SQLite. A person who has left says LEFT in
words wherever they are named (a chair, a lead, a supervisor); a provider or series no
longer in use says INACTIVE. The dimming only repeats the word."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from rich.style import Style

from huddle.service_file import FILE_KIND
from screens.paged_list import Cells, PagedList, fitted
from store.setup_reads import (
    CohortLine,
    PersonLine,
    ProviderLine,
    RungLine,
    SeriesSetupLine,
    SetupQuery,
    SupervisorLine,
    TierLine,
    WorkstreamSetupLine,
    page_of_cohort,
    page_of_ladder,
    page_of_people,
    page_of_providers,
    page_of_series,
    page_of_supervisors,
    page_of_tiers,
    page_of_workstreams,
)

if TYPE_CHECKING:
    from store import Store

PLAIN = Style()
GONE = Style(dim=True)
LOUD = Style(bold=True)


def named(name: str, left: bool) -> str:
    """LEFT first, so a narrow column never cuts the word off."""
    return f"LEFT {name}" if left else name


def inactive(since: date | None) -> str:
    return f"INACTIVE {since:%d/%m/%Y}" if since else "in use"


class ProviderList(PagedList[SetupQuery, ProviderLine]):
    COLUMNS = (("Provider", 28), ("Short name", 14), ("Kind", 13), ("Status", 19))

    def read_page(
        self, store: Store, query: SetupQuery, offset: int, limit: int
    ) -> list[ProviderLine]:
        return page_of_providers(store, query, offset, limit)

    def cells(self, line: ProviderLine) -> Cells:
        values = (line.name, line.short_name or "", line.kind, inactive(line.inactive_since))
        return fitted(values, self.COLUMNS, GONE if line.inactive_since else PLAIN)


class PeopleList(PagedList[SetupQuery, PersonLine]):
    COLUMNS = (("Name", 20), ("Role", 17), ("Provider", 14), ("Login", 9), ("Status", 15))

    def read_page(
        self, store: Store, query: SetupQuery, offset: int, limit: int
    ) -> list[PersonLine]:
        return page_of_people(store, query, offset, limit)

    def cells(self, line: PersonLine) -> Cells:
        gone = line.inactive_since
        # A display account is marked in words, not by colour alone.
        status = f"LEFT {gone:%d/%m/%Y}" if gone else "here · display" if line.read_only else "here"
        values = (line.name, line.role, line.provider, line.login or "", status)
        return fitted(values, self.COLUMNS, GONE if gone else PLAIN)


def cadence(days: int | None) -> str:
    return f"every {days} days" if days else "none: must be seen"


class TierList(PagedList[SetupQuery, TierLine]):
    COLUMNS = (("Tier", 4), ("Name", 16), ("Maximum safe wait", 18), ("Interim contact", 20))

    def read_page(self, store: Store, query: SetupQuery, offset: int, limit: int) -> list[TierLine]:
        return page_of_tiers(store, query, offset, limit)

    def cells(self, line: TierLine) -> Cells:
        values = (
            str(line.number),
            line.name,
            f"{line.max_safe_wait_days} days",
            cadence(line.interim_contact_days),
        )
        return fitted(values, self.COLUMNS, PLAIN)


NO_OWNER = "none: stays with its holder"
"""A rung without an owner: an escalation that climbs to it stays with whoever has it."""


def working_days(days: int) -> str:
    return f"{days} working day" if days == 1 else f"{days} working days"


def rung_owner(line: RungLine) -> str:
    if line.owner is None:
        return NO_OWNER
    # A leaver is kept on the rung but passed over when an escalation climbs.
    return f"LEFT {line.owner}: stays with its holder" if line.owner_left else line.owner


class LadderList(PagedList[SetupQuery, RungLine]):
    COLUMNS = (("Rung", 12), ("Acts within", 20), ("Owner", 30))

    def read_page(self, store: Store, query: SetupQuery, offset: int, limit: int) -> list[RungLine]:
        return page_of_ladder(store, query, offset, limit)

    def cells(self, line: RungLine) -> Cells:
        values = (line.rung.capitalize(), working_days(line.working_days), rung_owner(line))
        cells = fitted(values, self.COLUMNS, PLAIN)
        if line.owner is None or line.owner_left:
            cells[2] = (cells[2][0], LOUD)
        return cells


class SeriesSetupList(PagedList[SetupQuery, SeriesSetupLine]):
    COLUMNS = (("Series", 22), ("Kind", 19), ("Chair", 15), ("Invited", 11), ("Mins", 5))

    def read_page(
        self, store: Store, query: SetupQuery, offset: int, limit: int
    ) -> list[SeriesSetupLine]:
        return page_of_series(store, query, offset, limit)

    def cells(self, line: SeriesSetupLine) -> Cells:
        invited = str(len(line.invitees))
        if line.invitees_left:
            invited += f" ({len(line.invitees_left)} LEFT)"
        values = (
            f"INACTIVE {line.name}" if line.inactive_since else line.name,
            FILE_KIND[line.kind],
            named(line.chair, line.chair_left) or "none",
            invited,
            str(line.timebox_minutes) if line.timebox_minutes else "usual",
        )
        cells = fitted(values, self.COLUMNS, GONE if line.inactive_since else PLAIN)
        if line.chair_left:
            cells[2] = (cells[2][0], LOUD)
        return cells


class WorkstreamSetupList(PagedList[SetupQuery, WorkstreamSetupLine]):
    COLUMNS = (("Workstream", 40), ("Lead", 34))

    def read_page(
        self, store: Store, query: SetupQuery, offset: int, limit: int
    ) -> list[WorkstreamSetupLine]:
        return page_of_workstreams(store, query, offset, limit)

    def cells(self, line: WorkstreamSetupLine) -> Cells:
        cells = fitted((line.name, named(line.lead, line.lead_left)), self.COLUMNS, PLAIN)
        if line.lead_left:
            cells[1] = (cells[1][0], LOUD)
        return cells


class SupervisorList(PagedList[SetupQuery, SupervisorLine]):
    COLUMNS = (("Supervisor", 26), ("Supervising", 16), ("How often", 30))

    def read_page(
        self, store: Store, query: SetupQuery, offset: int, limit: int
    ) -> list[SupervisorLine]:
        return page_of_supervisors(store, query, offset, limit)

    def cells(self, line: SupervisorLine) -> Cells:
        load = f"{line.supervising} of {line.capacity}"
        if line.supervising > line.capacity:
            load += " OVER"
        values = (named(line.person, line.person_left), load, line.frequency)
        cells = fitted(values, self.COLUMNS, GONE if line.person_left else PLAIN)
        if line.supervising > line.capacity:
            cells[1] = (cells[1][0], LOUD)
        return cells


class CohortList(PagedList[SetupQuery, CohortLine]):
    COLUMNS = (("Person", 26), ("Higher-risk work", 16), ("Supervisor", 30))

    def read_page(
        self, store: Store, query: SetupQuery, offset: int, limit: int
    ) -> list[CohortLine]:
        return page_of_cohort(store, query, offset, limit)

    def cells(self, line: CohortLine) -> Cells:
        supervisor = named(line.supervisor, line.supervisor_left) if line.supervisor else "none"
        values = (
            named(line.person, line.person_left),
            "yes" if line.high_risk else "no",
            supervisor,
        )
        cells = fitted(values, self.COLUMNS, GONE if line.person_left else PLAIN)
        if line.supervisor_left or not line.supervisor:
            cells[2] = (cells[2][0], LOUD)
        return cells


def described(line: object) -> str:
    """The highlighted row in full, in words (a list's columns cut long names)."""
    match line:
        case ProviderLine():
            status = (
                f"INACTIVE since {line.inactive_since:%d/%m/%Y}"
                if line.inactive_since
                else "in use"
            )
            shown = (
                f"short name {line.short_name}"
                if line.short_name
                else f"no short name: the waiting list shows {line.shown_as!r}"
            )
            return f"{line.name} · {line.kind} · {status} · {shown}"
        case PersonLine():
            status = f"LEFT on {line.inactive_since:%d/%m/%Y}" if line.inactive_since else "here"
            login = f"login {line.login}" if line.login else "no login"
            extra = " · display account (read-only)" if line.read_only else ""
            if line.assesses:
                extra += f" · assesses {', '.join(line.assesses)}"
            return f"{line.name} · {line.role} · {line.provider} · {login}{extra} · {status}"
        case TierLine():
            return (
                f"Tier {line.number} {line.name}: maximum safe wait {line.max_safe_wait_days} "
                f"days; interim contact {cadence(line.interim_contact_days)}"
            )
        case RungLine():
            owner = (
                f"goes to {line.owner}"
                if line.owner and not line.owner_left
                else f"stays with whoever has it ({rung_owner(line)}); e names an owner"
            )
            return (
                f"{line.rung.capitalize()} rung: an escalation here has "
                f"{working_days(line.working_days)} before it climbs; one that climbs to it {owner}"
            )
        case SeriesSetupLine():
            status = (
                f"INACTIVE since {line.inactive_since:%d/%m/%Y} · " if line.inactive_since else ""
            )
            timebox = f"{line.timebox_minutes} min" if line.timebox_minutes else "the kind's usual"
            invited = [named(name, name in line.invitees_left) for name in line.invitees]
            return (
                f"{status}{line.name} · {FILE_KIND[line.kind]} · chair "
                f"{named(line.chair, line.chair_left) or 'none'} · timebox {timebox} · invited: "
                f"{', '.join(invited) or 'nobody'}"
            )
        case WorkstreamSetupLine():
            return f"{line.name} · lead {named(line.lead, line.lead_left)}"
        case SupervisorLine():
            return (
                f"{named(line.person, line.person_left)} · supervising {line.supervising} of "
                f"{line.capacity} they can take · meets {line.frequency}"
            )
        case CohortLine():
            who = named(line.supervisor, line.supervisor_left) if line.supervisor else "nobody yet"
            work = "higher-risk work on their own" if line.high_risk else "no higher-risk work"
            return f"{named(line.person, line.person_left)} · {work} · supervised by {who}"
    return ""
