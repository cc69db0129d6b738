"""The first-run screen: "Set up your service", on a database with no provider or person.

The fewest facts that let a service hold its first huddle: its name, the first provider,
who is setting it up and the people around them, and the first meeting series. Saved the
way a service file is (store.setup), so it is planned, checked and audited the same way;
everything else waits for Set-up (key 7) or a service file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from huddle.models import DEFAULT_RISK_TIERS, MeetingKind
from huddle.service_file import FILE_KIND, ServiceFileError, is_login, validated
from screens.form import FormField, FormScreen
from store.connection import Store
from store.setup import apply_plan, plan_setup

SOURCE = "the first-run screen"
PROVIDER_KINDS = ("prime", "subcontractor", "vcse")

# Where in the form each part of the document it builds was typed, for the refusals.
_FIELD_OF = {
    "service": "Service name",
    "providers": "First provider",
    "people0name": "Your name",
    "people0role": "Your role",
    "people": "Others in the team",
    "series": "First meeting series",
}


def _tiers_note() -> str:
    tiers = "; ".join(
        f"{t.number} {t.name} {t.max_safe_wait_days} days" for t in DEFAULT_RISK_TIERS
    )
    return (
        "Everything here can be changed later in Set-up (key 7). A service "
        "that keeps its set-up in a file can apply that instead of filling this in: "
        "huddle setup apply service.toml --db PATH (docs/setup.md). "
        f"Risk tiers start as the defaults (maximum safe wait: {tiers}); change them in "
        "Set-up, which shows what a change does to breaches before it is saved."
    )


def others(typed: str) -> list[tuple[str, str]]:
    """'Omar Haddad: Nurse; Priya Shah: Physiotherapist' as (name, role) pairs."""
    people = []
    for part in typed.split(";"):
        if not part.strip():
            continue
        name, colon, role = part.partition(":")
        if not colon or not name.strip() or not role.strip():
            raise ValueError(
                f"others in the team: write each as 'Name: role', separated by ';' "
                f"({part.strip()!r} has no role)"
            )
        people.append((name.strip(), role.strip()))
    return people


@dataclass(frozen=True)
class SetUp:
    """What the first-run screen saved: how many changes, and who set it up (who acts from
    then on, as their computer login now names them)."""

    changes: int
    me: str
    login: str | None
    """The login "you" were given; None when this computer's is no login name."""


class SetUpYourService(FormScreen[SetUp]):
    """The form, opened at its top: the title and what it is for come before the fields."""

    def on_mount(self) -> None:
        form = self.query_one("#form")
        self.call_after_refresh(form.scroll_home, animate=False)


def first_run_form(store: Store, today: date, login: str | None) -> FormScreen[SetUp]:
    """Saves the service, its first provider and people and the first series. `login` (this
    computer's login name) is given to "you", so that huddle knows you from then on without
    a password; None, or one that is no login name, gives none."""

    def save(typed: dict[str, str]) -> SetUp:
        provider = typed["provider"].strip()
        me = {"name": typed["me"], "role": typed["role"], "provider": provider}
        mine = login.lower() if login is not None and is_login(login) else None
        if mine:
            me["login"] = mine
        team = [{"name": n, "role": r, "provider": provider} for n, r in others(typed["others"])]
        names = [me["name"].strip(), *(person["name"] for person in team)]
        document = {
            "service": {"name": typed["service"]},
            "providers": [{"name": provider, "kind": typed["kind"]}],
            "people": [me, *team],
            "series": [
                {
                    "name": typed["series"],
                    "kind": typed["series_kind"],
                    "chair": me["name"].strip(),
                    "invitees": names,
                }
            ],
        }
        try:
            setup = validated(document, SOURCE)
            plan = plan_setup(store, setup, today, SOURCE)
        except ServiceFileError as refused:
            raise ValueError(_worded(refused)) from None
        return SetUp(apply_plan(store, plan, today), setup.people[0].name, mine)

    kinds = tuple(FILE_KIND.values())
    return SetUpYourService(
        "Set up your service",
        [
            FormField("service", "Service name", placeholder="e.g. Community Rapid Response"),
            FormField("provider", "First provider", placeholder="e.g. Prime Community Trust"),
            FormField("kind", "Provider kind", "choice", choices=PROVIDER_KINDS),
            FormField("me", "Your name", placeholder="as the audit trail will name you"),
            FormField("role", "Your role", placeholder="e.g. Shift lead"),
            FormField(
                "others",
                "Others in the team",
                placeholder="Name: role; Name: role (more in Set-up, key 7)",
            ),
            FormField("series", "First meeting series", placeholder="e.g. Early shift brief"),
            FormField(
                "series_kind",
                "Series kind",
                "choice",
                value=FILE_KIND[MeetingKind.SAFETY_BRIEF],
                choices=kinds,
            ),
        ],
        save,
        note=_tiers_note(),
    )


def _worded(refused: ServiceFileError) -> str:
    """The first problem, said against the form's own field."""
    problem = refused.problems[0]
    section = str(problem.loc[0])
    if section == "people" and len(problem.loc) > 2 and problem.loc[1] == 0:
        section = f"people0{problem.loc[2]}"
    field = _FIELD_OF.get(section, "")
    return f"{field}: {problem.message}" if field else str(problem)
