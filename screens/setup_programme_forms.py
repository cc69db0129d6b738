"""The Set-up screen's forms for mobilisation: the programme (its name and go-live date, or
starting it), a workstream and its lead, a supervisor, a member of the training cohort."""

from __future__ import annotations

from huddle.dates import parse_date
from huddle.setup_edits import put, put_programme
from screens.form import FormField
from screens.meeting_forms import person_field
from screens.setup_change import Change, SetupForm
from screens.setup_forms import Staff, leaver_title, opened_on, picked, whole, yes
from store.setup_reads import CohortLine, ProgrammeLine, SupervisorLine, WorkstreamSetupLine

# --- the mobilisation programme -----------------------------------------------------------


def programme_form(programme: ProgrammeLine | None, staff: Staff) -> SetupForm:
    def change(typed: dict[str, str]) -> Change:
        if not typed["go_live"].strip():
            raise ValueError("go-live date: required (dd/mm/yyyy)")
        go_live = parse_date(typed["go_live"], "go-live date")
        first = None
        if programme is None:
            first = (typed["workstream"], picked(staff, typed["lead"], "lead"))
        return Change(
            lambda document: put_programme(document, typed["name"], go_live, first),
            opened_on("mobilisation_programme", programme),
        )

    fields = [
        FormField("name", "Programme", value=programme.name if programme else ""),
        FormField(
            "go_live",
            "Go-live date",
            value=f"{programme.go_live:%d/%m/%Y}" if programme else "",
            placeholder="dd/mm/yyyy, today or later",
        ),
    ]
    if programme is None:
        fields += [
            FormField("workstream", "First workstream", placeholder="e.g. Pathway clarity"),
            person_field("lead", "Its lead", staff.people),
        ]
    return SetupForm(
        "The mobilisation programme" if programme else "Start the mobilisation programme",
        fields,
        change,
        note="The first workstream's lead owns the checks after go-live."
        if programme is None
        else "Moving go-live moves the countdown on Today and Mobilisation.",
        field_of={"checks_owner": "lead"},
    )


def workstream_form(line: WorkstreamSetupLine | None, staff: Staff) -> SetupForm:
    def change(typed: dict[str, str]) -> Change:
        values = {
            "name": typed["name"],
            "lead": picked(staff, typed["lead"], "lead", line.lead if line else ""),
        }
        was = line.name if line else None
        return Change(
            lambda document: put(document, "workstreams", values, was),
            opened_on("workstream", line),
        )

    return SetupForm(
        f"Workstream {line.name}" if line else "New workstream",
        [
            FormField("name", "Workstream", value=line.name if line else ""),
            person_field("lead", "Lead", staff.people, line.lead if line else ""),
        ],
        change,
        note=(
            f"Its lead, {line.lead}, has LEFT the service: name a lead still here. "
            if line and line.lead_left
            else ""
        )
        + "A new name renames it: its deliverables and RAG history stay with it.",
    )


# --- supervisors and the training cohort ----------------------------------------------------


def supervisor_form(line: SupervisorLine | None, staff: Staff) -> SetupForm:
    def change(typed: dict[str, str]) -> Change:
        person = line.person if line else picked(staff, typed["person"], "supervisor")
        values = {
            "person": person,
            "capacity": whole(typed["capacity"], "supervisees they can take", most=100),
            "frequency": typed["frequency"],
        }
        return Change(
            lambda document: put(document, "supervisors", values, line.person if line else None),
            opened_on("supervisor", line),
        )

    fields = [] if line else [person_field("person", "Supervisor", staff.people)]
    fields += [
        FormField(
            "capacity",
            "Supervisees they can take",
            value=str(line.capacity) if line else "",
            placeholder="e.g. 6",
        ),
        FormField(
            "frequency",
            "How often they meet",
            value=line.frequency if line else "",
            placeholder="e.g. monthly",
        ),
    ]
    return SetupForm(
        leaver_title(f"Supervisor {line.person}", line.person_left) if line else "New supervisor",
        fields,
        change,
    )


def cohort_form(line: CohortLine | None, staff: Staff) -> SetupForm:
    def change(typed: dict[str, str]) -> Change:
        person = line.person if line else picked(staff, typed["person"], "person")
        supervisor = None
        if typed["supervisor"].strip():
            supervisor = picked(
                staff, typed["supervisor"], "supervisor", line.supervisor if line else ""
            )
        values = {
            "person": person,
            "high_risk": yes(typed["high_risk"], "higher-risk work on their own (y/n)"),
            "supervisor": supervisor,
        }
        return Change(
            lambda document: put(document, "cohort", values, line.person if line else None),
            opened_on("cohort_member", line),
        )

    fields = [] if line else [person_field("person", "Person", staff.people)]
    fields += [
        FormField(
            "high_risk",
            "Higher-risk work on their own (y/n)",
            value=("y" if line.high_risk else "n") if line else "y",
            placeholder="y: every competency must be signed off before go-live",
        ),
        FormField(
            "supervisor",
            "Supervisor",
            value=line.supervisor if line else "",
            placeholder="one of the supervisors (blank: none yet)",
            suggestions=tuple(staff.supervisors),
        ),
    ]
    return SetupForm(
        leaver_title(f"Cohort member {line.person}", line.person_left)
        if line
        else "New cohort member",
        fields,
        change,
    )
