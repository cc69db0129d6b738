"""The Set-up screen's forms: the service's name, a provider, a person, a risk tier, a
meeting series (those of mobilisation are in screens.setup_programme_forms). Each builds a
`Change` of the current set-up from what was typed; `SetupForm` checks, plans and applies
it, and keeps what was typed when it is refused."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from huddle.models import Person, ProviderKind
from huddle.people import match_person
from huddle.provider_names import SHORT_MOST
from huddle.service_file import (
    COMPETENCIES,
    FILE_KIND,
    LOGIN_MOST,
    MOST_DAYS,
    MOST_TIMEBOX_MINUTES,
)
from huddle.setup_edits import (
    put,
    put_ladder_owner,
    put_tier,
    rename_service,
)
from screens.form import FormField
from screens.meeting_forms import person_field
from screens.setup_change import SOURCE, Change, SetupForm
from store.setup_reads import (
    PersonLine,
    ProviderLine,
    RungLine,
    SeriesSetupLine,
    SetupFacts,
    TierLine,
)

PROVIDER_KINDS = tuple(kind.value for kind in ProviderKind)
SERIES_KINDS = tuple(dict.fromkeys(FILE_KIND.values()))


@dataclass(frozen=True)
class Staff:
    """Who and what the forms offer: people (those still here are suggested), providers
    and supervisors in use."""

    people: Sequence[Person]
    providers: Sequence[str]
    supervisors: Sequence[str]


def whole(typed: str, label: str, *, most: int, blank_is_none: bool = False) -> int | None:
    words = typed.strip()
    if not words and blank_is_none:
        return None
    # ASCII digits only (int() takes '²' and '١'), and few of them: the file's own range
    # check then says what the limit is.
    if not (words.isascii() and words.isdigit()) or len(words) > len(str(most)) + 1:
        raise ValueError(f"{label}: give a whole number, e.g. 14")
    return int(words)


def _reason(typed: str) -> str:
    words = " ".join(typed.split())
    if not words:
        raise ValueError("reason: required; it goes into the audit trail with the change")
    # An unseen character is refused by the form itself (FormScreen.values), as in every form.
    return words


def yes(typed: str, label: str) -> bool:
    words = typed.strip().lower()
    if words in ("y", "yes"):
        return True
    if words in ("n", "no"):
        return False
    raise ValueError(f"{label}: answer y or n")


def picked(staff: Staff, typed: str, label: str, already: str = "") -> str:
    """The whole name of the person typed (part of a name will do); a person already in
    the place (a chair who has since left) may stay, anyone new must still be here."""
    if already and " ".join(typed.split()) == already:
        return already
    return match_person(staff.people, typed, label).name


def opened_on(table: str, line: object | None) -> dict[tuple[str, int], int]:
    """The version of the row the form was opened on (none for a new row)."""
    if line is None:
        return {}
    return {(table, line.id): line.version}  # type: ignore[attr-defined]


def leaver_title(name: str, has_left: bool) -> str:
    """A form's title names a leaver as LEFT."""
    return f"{name} (LEFT)" if has_left else name


# --- the service and its providers and people ---------------------------------------------


def service_form(facts: SetupFacts) -> SetupForm:
    expected = {("service", facts.service_id): facts.service_version} if facts.service_id else {}

    def change(typed: dict[str, str]) -> Change:
        return Change(lambda document: rename_service(document, typed["name"]), expected)

    return SetupForm(
        "The service's name",
        [FormField("name", "Service name", value=facts.service_name)],
        change,
        note="Shown in the header of every screen and at the top of the minutes.",
    )


def provider_form(line: ProviderLine | None) -> SetupForm:
    def change(typed: dict[str, str]) -> Change:
        values = {
            "name": typed["name"],
            "kind": typed["kind"],
            "short_name": " ".join(typed["short_name"].split()) or None,
        }
        was = line.name if line else None
        return Change(
            lambda document: put(document, "providers", values, was),
            opened_on("provider", line),
        )

    return SetupForm(
        f"Provider {line.name}" if line else "New provider",
        [
            FormField("name", "Name", value=line.name if line else ""),
            FormField(
                "kind", "Kind", "choice", value=line.kind if line else "", choices=PROVIDER_KINDS
            ),
            FormField(
                "short_name",
                "Short name",
                value=(line.short_name or "") if line else "",
                placeholder=f"optional, up to {SHORT_MOST} characters, e.g. NCL",
            ),
        ],
        change,
        note="A new name renames the provider: its people and waiting entries stay with it. "
        "The waiting list shows the short name; left blank, the whole name if it fits, "
        "else one made from its initials.",
    )


def person_form(line: PersonLine | None, staff: Staff) -> SetupForm:
    providers = tuple(staff.providers)
    if line is not None and line.provider and line.provider not in providers:
        providers += (line.provider,)  # their provider has stopped; they keep it until moved
    if not providers:
        providers = ("(add a provider first)",)

    def change(typed: dict[str, str]) -> Change:
        values = {
            "name": typed["name"],
            "role": typed["role"],
            "provider": typed["provider"],
            # Blank is none; the file's rule (huddle.service_file.login_name) refuses the rest.
            "login": typed["login"].strip() or None,
            "read_only": typed["read_only"] == "yes",
            "assesses": competencies(typed["assesses"]),
        }
        was = line.name if line else None
        return Change(
            lambda document: put(document, "people", values, was),
            opened_on("person", line),
        )

    note = "A new name renames them: what they own and recorded stays theirs."
    if line is not None and line.inactive_since is not None:
        note = f"LEFT on {line.inactive_since:%d/%m/%Y}: x on the list brings them back. " + note
    return SetupForm(
        leaver_title(f"Person {line.name}", line.inactive_since is not None)
        if line
        else "New person",
        [
            FormField("name", "Name", value=line.name if line else "", placeholder="full name"),
            FormField(
                "role", "Role", value=line.role if line else "", placeholder="e.g. Shift lead"
            ),
            FormField(
                "provider",
                "Provider",
                "choice",
                value=line.provider if line else "",
                choices=providers,
            ),
            FormField(
                "login",
                "Login",
                value=(line.login or "") if line else "",
                placeholder=f"optional, up to {LOGIN_MOST} characters, e.g. jprice",
            ),
            FormField(
                "read_only",
                "Display account (read-only: signs in, writes nothing)",
                "choice",
                value="yes" if line and line.read_only else "no",
                choices=("no", "yes"),
            ),
            FormField(
                "assesses",
                "Assesses (may sign off these competencies for others)",
                value=", ".join(line.assesses) if line else "",
                placeholder="optional, e.g. safeguarding, triage",
            ),
        ],
        change,
        note=note,
    )


def competencies(typed: str) -> list[str]:
    """The competencies typed, comma-separated, each by the start of its name in any case
    ("triage" is "triage (pathway skill)"), in the matrix's order; refused naming them."""
    found: list[str] = []
    for part in (" ".join(word.split()) for word in typed.split(",")):
        if not part:
            continue
        matches = [c for c in COMPETENCIES if c.lower().startswith(part.lower())]
        if len(matches) != 1:
            raise ValueError(
                f"assesses: {part!r} is not one competency: type the start of one of "
                f"{', '.join(COMPETENCIES)}, separated by commas"
            )
        found.append(matches[0])
    return [c for c in COMPETENCIES if c in found]


# --- risk tiers ---------------------------------------------------------------------------


def tier_form(line: TierLine) -> SetupForm:
    """A tier's safe wait and interim contact cadence, with a reason; saving shows what it
    does to breaches first, and applies only when confirmed."""

    def change(typed: dict[str, str]) -> Change:
        wait = whole(typed["max_safe_wait_days"], "maximum safe wait (days)", most=MOST_DAYS)
        cadence = whole(
            typed["interim_contact_days"],
            "interim contact every (days)",
            most=MOST_DAYS,
            blank_is_none=True,
        )
        reason = _reason(typed["reason"])
        assert wait is not None
        return Change(
            lambda document: put_tier(document, line.number, wait, cadence),
            opened_on("risk_tier", line),
            source=f"{SOURCE}: {reason}",
            confirm=True,
        )

    cadence = str(line.interim_contact_days) if line.interim_contact_days else ""
    return SetupForm(
        f"Tier {line.number} {line.name}",
        [
            FormField(
                "max_safe_wait_days",
                "Maximum safe wait (days)",
                value=str(line.max_safe_wait_days),
            ),
            FormField(
                "interim_contact_days",
                "Interim contact every (days)",
                value=cadence,
                placeholder="blank: must be seen, no interim contacts",
            ),
            FormField("reason", "Reason", placeholder="why (required; it is audited)"),
        ],
        change,
        note="The entries waiting in the tier are re-dated from their referral dates (the "
        "clock never restarts). Saving first shows how many more entries that breaches "
        "today, and how many of those have no escalation; nothing is written until you "
        "say y.",
    )


# --- meeting series -----------------------------------------------------------------------


def _invitees(typed: str, staff: Staff, already: Sequence[str]) -> list[str]:
    names = []
    for part in typed.split(","):
        if part.strip():
            name = picked(staff, part, "invitees", part.strip() if part.strip() in already else "")
            if name not in names:
                names.append(name)
    return names


def ladder_form(line: RungLine, staff: Staff) -> SetupForm:
    """Who owns a rung of the escalation ladder: an escalation that climbs to it becomes
    theirs (one already on the rung keeps its owner)."""

    def change(typed: dict[str, str]) -> Change:
        owner = picked(staff, typed["owner"], "owner", line.owner or "")
        return Change(
            lambda document: put_ladder_owner(document, line.rung.value, owner),
            opened_on("ladder_rung", line if line.id is not None else None),
        )

    return SetupForm(
        f"{line.rung.capitalize()} rung of the escalation ladder",
        [person_field("owner", "Owner", staff.people, line.owner or "")],
        change,
        note="An escalation that climbs to this rung is given to its owner, its previous "
        "owner kept in its history. Those already on the rung keep theirs.",
        field_of={line.rung.value: "owner"},
    )


def series_form(line: SeriesSetupLine | None, staff: Staff) -> SetupForm:
    already = line.invitees if line else ()

    def change(typed: dict[str, str]) -> Change:
        values = {
            "name": typed["name"],
            "kind": typed["kind"],
            "chair": picked(staff, typed["chair"], "chair", line.chair if line else ""),
            "invitees": _invitees(typed["invitees"], staff, already),
            "timebox_minutes": whole(
                typed["timebox_minutes"],
                "timebox (minutes)",
                most=MOST_TIMEBOX_MINUTES,
                blank_is_none=True,
            ),
        }
        was = line.name if line else None
        return Change(
            lambda document: put(document, "series", values, was),
            opened_on("series", line),
        )

    kind = FILE_KIND[line.kind] if line else SERIES_KINDS[0]
    timebox = str(line.timebox_minutes) if line and line.timebox_minutes else ""
    return SetupForm(
        f"Series {line.name}" if line else "New meeting series",
        [
            FormField(
                "name", "Name", value=line.name if line else "", placeholder="e.g. Late brief"
            ),
            FormField("kind", "Kind", "choice", value=kind, choices=SERIES_KINDS),
            person_field("chair", "Chair", staff.people, line.chair if line else ""),
            FormField(
                "invitees",
                "Invitees",
                value=", ".join(already),
                placeholder="names separated by commas (part of a name will do)",
            ),
            FormField(
                "timebox_minutes",
                "Timebox (minutes)",
                value=timebox,
                placeholder="blank: the kind's usual (5 for a safety brief, else 30)",
            ),
        ],
        change,
        note=_leavers(line)
        + "A new name renames the series: its trigger rules, open agenda items and a "
        "meeting still open follow it; signed-off minutes keep the old name.",
    )


def _leavers(line: SeriesSetupLine | None) -> str:
    """Who of the series has LEFT, said first in its form."""
    said = []
    if line is not None and line.chair_left:
        said.append(f"Its chair, {line.chair}, has LEFT the service: name a chair still here.")
    if line is not None and line.invitees_left:
        said.append(f"Invited but LEFT: {', '.join(line.invitees_left)}.")
    return " ".join([*said, ""])
