"""The Set-up screen's keys and sections: what each section lists and how it is read, the
messages its workers post, and the words over each section."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.message import Message

from huddle.commands import Command
from huddle.models import EscalationRung
from screens.markup import escape
from screens.paged_list import PagedList
from screens.setup_forms import Staff
from screens.setup_lists import (
    CohortList,
    LadderList,
    PeopleList,
    ProviderList,
    SeriesSetupList,
    SupervisorList,
    TierList,
    WorkstreamSetupList,
)
from store.connection import Store
from store.setup_reads import (
    SetupFacts,
    SetupQuery,
    count_cohort,
    count_ladder,
    count_people,
    count_providers,
    count_series,
    count_supervisors,
    count_tiers,
    count_workstreams,
    page_of_cohort,
    page_of_ladder,
    page_of_people,
    page_of_providers,
    page_of_series,
    page_of_supervisors,
    page_of_tiers,
    page_of_workstreams,
)

SETUP_COMMANDS = (
    Command("setup-next", "tab", "tab", "next_section(1)", "Next", "The next section"),
    Command(
        "setup-previous", "shift+tab", "⇧tab", "next_section(-1)", "Back", "The previous section"
    ),
    Command(
        "setup-add",
        "n",
        "n",
        "add",
        "Add",
        "Add a provider, person, series, workstream, supervisor or cohort member",
    ),
    Command(
        "setup-edit",
        "e",
        "e",
        "edit",
        "Edit",
        "Change the highlighted row (a new name renames it), a rung's owner, or the service's"
        " name; a tier change shows its effect on breaches before anything is saved",
    ),
    Command(
        "setup-in-use",
        "x",
        "x",
        "in_use",
        "Leaves/returns",
        "The highlighted person leaves (LEFT: kept, offered nowhere) or returns; a provider"
        " or series stops or starts again. Nothing is deleted",
    ),
    Command(
        "setup-find", "slash", "/", "find", "Find", "Find people by the start of a name or role"
    ),
    Command(
        "setup-programme",
        "p",
        "p",
        "programme",
        "Programme",
        "The mobilisation programme's name and go-live date, or start one",
    ),
    Command("setup-refresh", "f5", "F5", "refresh", "Refresh", "Read the set-up again"),
)


RUNGS = len(EscalationRung)

SECTIONS = (
    ("service", "Service"),
    ("providers", "Providers"),
    ("people", "People"),
    ("tiers", "Tiers"),
    ("series", "Series"),
    ("ladder", "Ladder"),
    ("programme", "Programme"),
    ("supervisors", "Supervisors"),
    ("cohort", "Cohort"),
)


@dataclass(frozen=True)
class Listed:
    """A section's list: its widget, how many rows it has, and a page of them."""

    widget: type[PagedList]
    count: Callable[[Store, SetupQuery], int]
    page: Callable[[Store, SetupQuery, int, int], list]


LISTS = {
    "providers": Listed(ProviderList, count_providers, page_of_providers),
    "people": Listed(PeopleList, count_people, page_of_people),
    "tiers": Listed(TierList, count_tiers, page_of_tiers),
    "series": Listed(SeriesSetupList, count_series, page_of_series),
    "ladder": Listed(LadderList, count_ladder, page_of_ladder),
    "programme": Listed(WorkstreamSetupList, count_workstreams, page_of_workstreams),
    "supervisors": Listed(SupervisorList, count_supervisors, page_of_supervisors),
    "cohort": Listed(CohortList, count_cohort, page_of_cohort),
}
ADDS = frozenset({"providers", "people", "series", "programme", "supervisors", "cohort"})
IN_USE_OR_NOT = {"providers": "provider", "people": "person", "series": "series"}
"""What `x` takes out of use and back (section -> table): nothing is deleted."""


@dataclass
class SetupLoaded(Message):
    facts: SetupFacts
    totals: dict[str, int]
    staff: Staff
    query: SetupQuery
    """The people list's."""


@dataclass
class Highlighted(Message):
    """The row at a list's cursor, read by its position (not waiting for the list's page)."""

    section: str
    query: SetupQuery
    position: int
    line: object | None


@dataclass
class PeopleFound(Message):
    query: SetupQuery
    total: int


def sections_bar(current: str) -> str:
    """The sections, the one shown marked by a ▶ and reverse video as well as by colour."""
    return "".join(
        f"[reverse b]▶{title} [/]" if key == current else f" {title} " for key, title in SECTIONS
    )


def head_words(section: str, facts: SetupFacts, found: int, search: str) -> str:
    """The line over a section: how many, and how many LEFT or INACTIVE."""
    if section == "service":
        return "Set-up: what the service is made of. tab moves through the sections."
    if section == "providers":
        return f"Providers: {facts.providers[0]} ({facts.providers[1]} INACTIVE)."
    if section == "people":
        starting = f" Starting {search!r}: {found}." if search else ""
        return f"People: {facts.people[0]} ({facts.people[1]} LEFT).{starting}"
    if section == "tiers":
        return "Risk tiers: a change shows what it does to breaches before it is saved."
    if section == "series":
        return f"Meeting series: {facts.series[0]} ({facts.series[1]} INACTIVE)."
    if section == "ladder":
        return (
            f"Escalation ladder: {facts.ladder_owned} of {RUNGS} rungs owned. An escalation that "
            "climbs to a rung is given to its owner; e names one."
        )
    if section == "programme":
        programme = facts.programme
        if programme is None:
            return "No mobilisation programme: p starts one (name, go-live, a workstream)."
        return (
            f"Programme {programme.name}: go-live {programme.go_live:%d/%m/%Y}, "
            f"{facts.workstreams} workstreams. p changes its name or go-live."
        )
    if section == "supervisors":
        return f"Supervisors: {facts.supervisors}. Supervising: cohort members naming them."
    return f"Training cohort: {facts.cohort}."


def summary(facts: SetupFacts) -> str:
    """The Service section: the name, and how much of each part is set up."""
    programme = facts.programme
    rows = [
        ("Service", f"{facts.service_name or '(no name yet)'}  (e renames it)"),
        ("Providers", f"{facts.providers[0]} ({facts.providers[1]} INACTIVE)"),
        ("People", f"{facts.people[0]} ({facts.people[1]} LEFT)"),
        ("Risk tiers", str(facts.tiers)),
        ("Meeting series", f"{facts.series[0]} ({facts.series[1]} INACTIVE)"),
        ("Ladder", f"{facts.ladder_owned} of {RUNGS} rungs owned"),
        (
            "Programme",
            f"{programme.name}, go-live {programme.go_live:%d/%m/%Y}, "
            f"{facts.workstreams} workstreams"
            if programme
            else "none yet",
        ),
        ("Supervisors", f"{facts.supervisors}; training cohort {facts.cohort}"),
    ]
    lines = [f"[b]{title:<15}[/b] {escape(value)}" for title, value in rows]
    lines += [
        "",
        "tab moves through the sections. Every change is checked, planned and written with "
        "its audit row, as a service file is: huddle setup export writes the set-up as one "
        "(docs/setup.md).",
    ]
    return "\n".join(lines)
