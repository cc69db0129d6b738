"""How a service file's set-up is planned against the database: each step (add, change,
rename, deactivate, reactivate, remove) in words, with what it will run inside the write.

`Planner` compares each part of the file with what is stored, in the order a later part
may need an earlier one, and refuses what cannot apply (a rename of nothing, a tier
entries are filed under, a leaver given something new). store.setup runs the steps.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from huddle.models import (
    DEFAULT_RISK_TIERS,
    CohortMember,
    EscalationRung,
    LadderRung,
    Person,
    Provider,
    Record,
    RiskTier,
    Series,
    Service,
    Supervisor,
)
from huddle.service_file import (
    FILE_KIND,
    SERIES_KINDS,
    CohortSpec,
    LadderSpec,
    Loc,
    PersonSpec,
    ProgrammeSpec,
    ProviderSpec,
    SeriesSpec,
    ServiceFile,
    ServiceSection,
    SupervisorSpec,
    TierSpec,
    WorkstreamSpec,
)
from huddle.summary import OwnerLeft
from store import records
from store.connection import Store, Transaction
from store.mobilisation import add_workstream, insert_programme
from store.mobilisation_reads import programme_of

Run = Callable[[Transaction, date], None]


@dataclass(frozen=True)
class Step:
    verb: str
    """add, change, rename, deactivate, reactivate or remove."""
    text: str
    run: Run = field(repr=False, compare=False)


@dataclass(frozen=True)
class TierEffect:
    number: int
    said: str
    """e.g. "maximum safe wait 42 -> 28 days"."""
    breached: int = 0
    """How many more entries are breached as at today once it applies."""
    without_escalation: int = 0

    def __str__(self) -> str:
        if self.breached:
            extra = f"{self.breached} more entries breached, {self.without_escalation} of them "
            return f"tier {self.number} {self.said}: {extra}without escalation"
        return f"tier {self.number} {self.said}: no more entries breached today"


@dataclass
class SetupPlan:
    source: str
    steps: list[Step] = field(default_factory=list)
    tier_effects: list[TierEffect] = field(default_factory=list)
    owner_left: OwnerLeft = field(default_factory=OwnerLeft)
    """What people who have left still own once it applies (OWNER LEFT until reassigned)."""
    leaving: list[int] = field(default_factory=list)
    """The people the plan deactivates."""
    leavers: list[str] = field(default_factory=list)
    """For each of them, what they still own once it applies (worded by the rehearsal)."""

    @property
    def empty(self) -> bool:
        return not self.steps

    def lines(self) -> list[str]:
        if self.empty:
            return [f"{self.source}: no changes; the database already holds this set-up"]
        counts = {verb: sum(s.verb == verb for s in self.steps) for verb in _VERBS}
        said = ", ".join(f"{n} to {verb}" for verb, n in counts.items() if n)
        count = len(self.steps)
        lines = [f"{self.source}: {count} change{'' if count == 1 else 's'} ({said})"]
        lines += [f"  {step.verb:<10} {step.text}" for step in self.steps]
        if self.tier_effects:
            lines.append("Effect on the waiting list as at today:")
            lines += [f"  {effect}" for effect in self.tier_effects]
        if self.leavers:
            lines.append(
                "Left, and still owning what is open (shown as OWNER LEFT until reassigned):"
            )
            lines += [f"  {said}" for said in self.leavers]
        return lines


_VERBS = ("add", "change", "rename", "deactivate", "reactivate", "remove")


def rows_of(txn_or_store: Store | Transaction, table: str, order: str = "id") -> list[dict]:
    cursor = txn_or_store.conn.execute(f"SELECT * FROM [{table}] ORDER BY {order}")
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


_SHARED_NAME = re.compile(r"(?P<name>.+) \(#(?P<id>\d+)\)")


def named_rows(source: Store | Transaction, table: str) -> list[dict]:
    """The rows, each under the name a service file calls it. A file names each provider
    and person once, so where two share a name in the database (written before set-up
    existed) each is called "Name (#id)" until a rename tells them apart."""
    rows = rows_of(source, table)
    shared = {name for name, n in Counter(row["name"] for row in rows).items() if n > 1}
    return [
        {**row, "name": f"{row['name']} (#{row['id']})"} if row["name"] in shared else row
        for row in rows
    ]


def _id_of(txn: Transaction, table: str, name: str, column: str = "name") -> int:
    shared = _SHARED_NAME.fullmatch(name)
    if (
        shared
        and txn.conn.execute(
            f"SELECT 1 FROM [{table}] WHERE id = ? AND [{column}] = ?",
            (int(shared["id"]), shared["name"]),
        ).fetchone()
    ):
        return int(shared["id"])
    found = txn.conn.execute(
        f"SELECT id FROM [{table}] WHERE [{column}] = ? ORDER BY id LIMIT 1", (name,)
    ).fetchone()
    if found is None:  # the plan named it, so only a concurrent change gets here
        raise ValueError(f"{table} {name!r} is no longer in the database: plan again")
    return found[0]


def _inserting(record: Record) -> Run:
    def run(txn: Transaction, _: date) -> None:
        records.insert(txn, record)

    return run


def _changed(row: dict, wanted: dict) -> dict:
    return {column: value for column, value in wanted.items() if row.get(column) != value}


def _said(changes: dict, row: dict) -> str:
    """e.g. "role 'Nurse' -> 'Shift lead'; active -> inactive since 06/12/2026"."""
    return "; ".join(_change_words(column, row.get(column), v) for column, v in changes.items())


def _change_words(column: str, before: object, after: object) -> str:
    if column == "inactive_since":
        return f"{_activity(before)} -> {_activity(after)}"
    if column == "read_only":
        return f"display account (read-only) {_yes(before)} -> {_yes(after)}"
    if column == "assesses":
        return f"assesses {_listed(before)} -> {_listed(after)}"
    if column == "extra_bank_holidays":
        return f"extra bank holidays {_days_listed(before)} -> {_days_listed(after)}"

    def shown(value: object) -> str:
        return "none" if value is None else repr(value) if isinstance(value, str) else str(value)

    return f"{column.replace('_', ' ')} {shown(before)} -> {shown(after)}"


def _yes(value: object) -> str:
    return "yes" if value else "no"


def _listed(value: object) -> str:
    """A stored list (JSON text) or a planned one, in words."""
    items = json.loads(value) if isinstance(value, str) else value
    return ", ".join(str(item) for item in items) if items else "none"


def _days_listed(value: object) -> str:
    """Stored or planned ISO dates, as UK dates."""
    items = json.loads(value) if isinstance(value, str) else value
    days = [date.fromisoformat(str(item)) for item in items or ()]
    return ", ".join(f"{day:%d/%m/%Y}" for day in days) if days else "none"


def _activity(inactive_since: object) -> str:
    if not inactive_since:
        return "active"
    return f"inactive since {date.fromisoformat(str(inactive_since)):%d/%m/%Y}"


class Planner:
    """One plan of one file against one snapshot of the database: its steps, and the
    problems that refuse the file (each with its place in the file)."""

    def __init__(self, store: Store, setup: ServiceFile, source: str, text: str, today: date):
        self.store = store
        self.setup = setup
        self.text = text
        self.today = today
        self.plan = SetupPlan(source)
        self.problems: list[tuple[Loc, str]] = []
        self.people = {row["name"]: row for row in named_rows(store, "person")}
        self.leavers = {spec.name for spec in setup.people if not spec.active}
        renamed = {spec.was: spec.name for spec in setup.people if spec.was}
        # Each stored person by the name this file gives them, so a person renamed here
        # is still the chair, lead or supervisor they were.
        self.person_names = {
            row["id"]: renamed.get(row["name"], row["name"]) for row in self.people.values()
        }

    def given_to_a_leaver(self, loc: Loc, name: str | None, what: str) -> bool:
        """A leaver keeps what they already hold (shown as OWNER LEFT), but is never given
        anything new by a file."""
        if name in self.leavers:
            self.refuse(
                loc, f"{name!r} has left (active = false): make someone still here the {what}"
            )
            return True
        return False

    def called(self, person_id: int | None) -> str | None:
        return self.person_names.get(person_id) if person_id is not None else None

    def step(self, verb: str, text: str, run: Run) -> None:
        self.plan.steps.append(Step(verb, text, run))

    def refuse(self, loc: Loc, message: str) -> None:
        self.problems.append((loc, message))

    def update(self, table: str, row: dict, changes: dict, what: str) -> None:
        """One change to a stored row, said in words and run with the version read."""
        if not changes:
            return
        verb = "change"
        if set(changes) == {"inactive_since"}:
            verb = "deactivate" if changes["inactive_since"] else "reactivate"
        if "name" in changes:
            verb = "rename"

        def run(txn: Transaction, today: date) -> None:
            txn.update(table, row["id"], changes, row["version"])

        self.step(verb, f"{what}: {_said(changes, row)}", run)

    def matched(
        self, section: str, n: int, rows: dict[str, dict], name: str, was: str | None
    ) -> dict | None:
        """The stored row a spec names (by `was` for a rename), or None for a new one."""
        if name in rows:
            if was is not None and was in rows and was != name:
                self.refuse(
                    (section, n, "was"),
                    f"both {was!r} and {name!r} exist: a rename needs the new name to be free",
                )
            return rows[name]
        if was is None:
            return None
        if was not in rows:
            self.refuse((section, n, "was"), f"nothing named {was!r} to rename")
        return rows.get(was)

    def inactive(self, row: dict | None, active: bool) -> str | None:
        if not active:
            return (row or {}).get("inactive_since") or self.today.isoformat()
        return None

    # Each part of the file, in the order a later part may need an earlier one.

    def service(self, spec: ServiceSection) -> None:
        found = records.service(self.store)
        holidays = Service(name=spec.name, extra_bank_holidays=spec.extra_bank_holidays)
        wanted = {
            "name": spec.name,
            "import_account": spec.import_account,
            # As stored: ISO dates in order, or None for none (m026).
            "extra_bank_holidays": holidays.model_dump(mode="json")["extra_bank_holidays"],
        }
        if found is None:
            self.step("add", f"service {spec.name!r}", _inserting(Service(**wanted)))
        else:
            row = found.model_dump(mode="json")
            self.update("service", row, _changed(row, wanted), "service")

    def providers(self, specs: list[ProviderSpec]) -> None:
        rows = {row["name"]: row for row in named_rows(self.store, "provider")}
        matched = [self.matched("providers", n, rows, s.name, s.was) for n, s in enumerate(specs)]
        named = {row["id"] for row in matched if row is not None}
        self._short_names_free(specs, [row for row in rows.values() if row["id"] not in named])
        for spec, row in zip(specs, matched, strict=True):
            inactive = self.inactive(row, spec.active)
            if row is None:
                provider = Provider(
                    name=spec.name,
                    kind=spec.kind,
                    short_name=spec.short_name,
                    inactive_since=inactive,
                )
                shown = f", shown as {spec.short_name!r}" if spec.short_name else ""
                self.step(
                    "add",
                    f"provider {spec.name!r} ({spec.kind}{shown})",
                    _inserting(provider),
                )
                continue
            wanted = {
                "name": spec.name,
                "kind": spec.kind,
                "short_name": spec.short_name,
                "inactive_since": inactive,
            }
            self.update("provider", row, _changed(row, wanted), f"provider {row['name']!r}")

    def _short_names_free(self, specs: list[ProviderSpec], left_out: list[dict]) -> None:
        """The file checks its own providers' short names (service_file.cross_checked);
        a provider it leaves out keeps its name and short name, so none may be given."""
        kept: dict[str, str] = {}
        for row in left_out:
            kept.setdefault(row["name"].casefold(), f"the name of provider {row['name']!r}")
            if row["short_name"]:
                said = f"the short name of provider {row['name']!r}"
                kept.setdefault(row["short_name"].casefold(), said)
        for n, spec in enumerate(specs):
            holder = kept.get((spec.short_name or "").casefold())
            if spec.short_name and holder:
                self.refuse(
                    ("providers", n, "short_name"),
                    f"{spec.short_name!r} is already {holder}, which this file leaves as it "
                    "is: give this provider a short name of its own",
                )

    def persons(self, specs: list[PersonSpec]) -> None:
        # Each stored provider by the name this file gives it, so renaming a provider is
        # not also a change to each of its people.
        renamed = {spec.was: spec.name for spec in self.setup.providers if spec.was}
        providers = {
            row["id"]: renamed.get(row["name"], row["name"])
            for row in named_rows(self.store, "provider")
        }
        matched = [
            self.matched("people", n, self.people, spec.name, spec.was)
            for n, spec in enumerate(specs)
        ]
        named = {row["id"] for row in matched if row is not None}
        self._logins_free(specs, [row for row in self.people.values() if row["id"] not in named])
        for spec, row in zip(specs, matched, strict=True):
            inactive = self.inactive(row, spec.active)
            if row is None:

                def add(txn: Transaction, _: date, spec: PersonSpec = spec, gone=inactive) -> None:
                    provider = _id_of(txn, "provider", spec.provider)
                    records.insert(
                        txn,
                        Person(
                            name=spec.name,
                            role=spec.role,
                            provider_id=provider,
                            login=spec.login,
                            inactive_since=gone,
                            read_only=spec.read_only,
                            assesses=spec.assesses,
                        ),
                    )

                state = (
                    (f", login {spec.login!r}" if spec.login else "")
                    + (", display account (read-only)" if spec.read_only else "")
                    + (f", assesses {', '.join(spec.assesses)}" if spec.assesses else "")
                    + ("" if spec.active else ", has left")
                )
                self.step("add", f"person {spec.name!r} ({spec.role}, {spec.provider}{state})", add)
                continue
            # As stored: read-only is 1 or NULL, the competencies assessed a list or NULL.
            wanted = Person(
                name=spec.name,
                role=spec.role,
                provider_id=0,
                read_only=spec.read_only,
                assesses=spec.assesses,
            )
            changes = _changed(
                {
                    **row,
                    "provider": providers.get(row["provider_id"]),
                    "assesses": json.loads(row["assesses"]) if row["assesses"] else None,
                },
                {
                    "name": spec.name,
                    "role": spec.role,
                    "provider": spec.provider,
                    "login": spec.login,
                    "read_only": wanted.read_only,
                    "assesses": wanted.model_dump(mode="json")["assesses"],
                    "inactive_since": inactive,
                },
            )
            if changes.get("inactive_since"):
                self.plan.leaving.append(row["id"])
            self._person_update(row, changes)

    def _logins_free(self, specs: list[PersonSpec], left_out: list[dict]) -> None:
        """The file checks its own people's logins (service_file.cross_checked); a person
        it leaves out keeps their login, so it may be given to nobody else."""
        kept = {row["login"]: row["name"] for row in left_out if row["login"]}
        for n, spec in enumerate(specs):
            holder = kept.get(spec.login or "")
            if holder is not None:
                self.refuse(
                    ("people", n, "login"),
                    f"{spec.login!r} is already the login of {holder!r}, whom this file leaves "
                    "as they are: give this person a login of their own",
                )

    def _person_update(self, row: dict, changes: dict) -> None:
        if "provider" not in changes:
            self.update("person", row, changes, f"person {row['name']!r}")
            return
        provider = changes.pop("provider")

        def run(txn: Transaction, today: date) -> None:
            txn.update(
                "person",
                row["id"],
                {**changes, "provider_id": _id_of(txn, "provider", provider)},
                row["version"],
            )

        shown = {**changes, "provider": provider}
        old = {**row, "provider": None}
        verb = "rename" if "name" in changes else "change"
        self.step(verb, f"person {row['name']!r}: {_said(shown, old)}", run)

    def tiers(self, specs: list[TierSpec] | None) -> None:
        stored = {row["number"]: row for row in rows_of(self.store, "risk_tier")}
        if specs is None:
            if stored:
                return
            specs = [
                TierSpec(**t.model_dump(exclude={"id", "version"})) for t in DEFAULT_RISK_TIERS
            ]
        wanted = {spec.number for spec in specs}
        for spec in specs:
            values = spec.model_dump()
            row = stored.get(spec.number)
            if row is None:
                self.step(
                    "add",
                    f"tier {spec.number} {spec.name!r}: maximum safe wait "
                    f"{spec.max_safe_wait_days} days, {_cadence(spec.interim_contact_days)}",
                    _inserting(RiskTier(**values)),
                )
                continue
            changes = _changed(row, values)
            if not changes:
                continue
            tier = RiskTier.model_validate({**row, **values})

            def run(txn: Transaction, today: date, tier: RiskTier = tier) -> None:
                records.retier(txn, tier, txn.reason, today)

            self.step("change", f"tier {spec.number}: {_said(changes, row)}", run)
            self.plan.tier_effects.append(TierEffect(spec.number, _tier_said(changes, row)))
        for number, row in sorted(stored.items()):
            if number in wanted:
                continue
            filed = self.store.conn.execute(
                "SELECT count(*), coalesce(sum(status = 'waiting'), 0) FROM waiting_entry "
                "WHERE tier = ?",
                (number,),
            ).fetchone()
            if filed[0]:
                self.refuse(
                    ("tiers",),
                    f"tier {number} ({row['name']}) is left out, but {filed[0]} entries are "
                    f"filed under it ({filed[1]} waiting): keep it in [[tiers]]",
                )
                continue
            self.step(
                "remove",
                f"tier {number} {row['name']!r} (no entry is filed under it)",
                lambda txn, _, row=row: txn.delete("risk_tier", row["id"]),
            )

    def series(self, specs: list[SeriesSpec]) -> None:
        rows = {row["name"]: row for row in reversed(rows_of(self.store, "series"))}
        for n, spec in enumerate(specs):
            row = self.matched("series", n, rows, spec.name, spec.was)
            inactive = self.inactive(row, spec.active)
            newly_chaired = row is None or self.called(row["chair_id"]) != spec.chair
            if newly_chaired and self.given_to_a_leaver(
                ("series", n, "chair"), spec.chair, "chair"
            ):
                continue
            if row is None:
                self.step(
                    "add",
                    f"series {spec.name!r} ({spec.kind}, chair {spec.chair})",
                    series_step(spec, inactive, None),
                )
                continue
            stored = {
                "name": row["name"],
                "kind": FILE_KIND[SERIES_KINDS[row["kind"]]],
                "chair": self.called(row["chair_id"]),
                "invitees": [self.person_names.get(i) for i in Series.model_validate(row).invitees],
                "timebox_minutes": row["timebox_minutes"],
                "inactive_since": row["inactive_since"],
            }
            wanted = {
                "name": spec.name,
                "kind": spec.kind,
                "chair": spec.chair,
                "invitees": list(spec.invitees),
                "timebox_minutes": spec.timebox_minutes,
                "inactive_since": inactive,
            }
            changes = _changed(stored, wanted)
            if not changes:
                continue
            verb = "rename" if "name" in changes else "change"
            if set(changes) == {"inactive_since"}:
                verb = "deactivate" if inactive else "reactivate"
            self.step(
                verb,
                f"series {row['name']!r}: {_said(changes, stored)}",
                series_step(spec, inactive, row),
            )

    def programme(self, spec: ProgrammeSpec | None) -> None:
        if spec is None:
            return
        found = programme_of(self.store)
        if found is None:
            if spec.go_live < self.today:
                self.refuse(
                    ("programme", "go_live"),
                    f"{spec.go_live:%d/%m/%Y} is in the past: "
                    "a new programme goes live today or later",
                )
            owner = spec.checks_owner
            if owner is None and spec.workstreams:
                owner = spec.workstreams[0].lead
            self.given_to_a_leaver(("programme", "checks_owner"), owner, "owner of the checks")

            def start(txn: Transaction, today: date) -> None:
                insert_programme(
                    txn,
                    name=spec.name,
                    go_live=spec.go_live,
                    workstreams=[(w.name, _id_of(txn, "person", w.lead)) for w in spec.workstreams],
                    audit_owner_id=_id_of(txn, "person", owner or ""),
                    today=today,
                )

            self.step(
                "add",
                f"programme {spec.name!r}, go-live {spec.go_live:%d/%m/%Y}, "
                f"workstreams: {len(spec.workstreams)}, checks after go-live owned by {owner}",
                start,
            )
            return
        row = found.model_dump(mode="json")
        changes = _changed(row, {"name": spec.name, "go_live": spec.go_live.isoformat()})
        if "go_live" in changes and spec.go_live < self.today:
            self.refuse(
                ("programme", "go_live"),
                f"{spec.go_live:%d/%m/%Y} is in the past: a go-live date moves to today or later",
            )
        self.update("mobilisation_programme", row, changes, f"programme {found.name!r}")
        self.workstreams(found.id, spec.workstreams)

    def workstreams(self, programme_id: int | None, specs: list[WorkstreamSpec]) -> None:
        stored = rows_of(self.store, "workstream", "position, id")
        rows = {r["name"]: r for r in reversed(stored) if r["programme_id"] == programme_id}
        last = max((r["position"] or 0 for r in rows.values()), default=0)
        for n, spec in enumerate(specs):
            row = self.matched("programme.workstreams", n, rows, spec.name, spec.was)
            newly_led = row is None or self.called(row["lead_id"]) != spec.lead
            loc = ("programme", "workstreams", n, "lead")
            if newly_led and self.given_to_a_leaver(loc, spec.lead, "lead"):
                continue
            if row is None:
                last += 1

                def add(txn: Transaction, _: date, spec=spec, position=last) -> None:
                    lead = _id_of(txn, "person", spec.lead)
                    add_workstream(txn, programme_id, spec.name, lead, position)

                self.step("add", f"workstream {spec.name!r} (lead {spec.lead})", add)
                continue
            was = {"name": row["name"], "lead": self.called(row["lead_id"])}
            changes = _changed(was, {"name": spec.name, "lead": spec.lead})
            if not changes:
                continue

            def run(txn: Transaction, _: date, row=row, spec=spec) -> None:
                lead = _id_of(txn, "person", spec.lead)
                txn.update(
                    "workstream", row["id"], {"name": spec.name, "lead_id": lead}, row["version"]
                )

            verb = "rename" if "name" in changes else "change"
            self.step(verb, f"workstream {row['name']!r}: {_said(changes, was)}", run)

    def supervisors(self, specs: list[SupervisorSpec]) -> None:
        rows = {self.person_names.get(r["person_id"]): r for r in rows_of(self.store, "supervisor")}
        for n, spec in enumerate(specs):
            row = rows.get(spec.person)
            wanted = {"capacity": spec.capacity, "frequency": spec.frequency}
            loc = ("supervisors", n, "person")
            if row is None and self.given_to_a_leaver(loc, spec.person, "supervisor"):
                continue
            if row is None:

                def add(txn: Transaction, _: date, spec=spec) -> None:
                    person = _id_of(txn, "person", spec.person)
                    records.insert(
                        txn,
                        Supervisor(
                            person_id=person, capacity=spec.capacity, frequency=spec.frequency
                        ),
                    )

                self.step(
                    "add",
                    f"supervisor {spec.person!r} (up to {spec.capacity}, {spec.frequency})",
                    add,
                )
                continue
            self.update("supervisor", row, _changed(row, wanted), f"supervisor {spec.person!r}")

    def ladder(self, spec: LadderSpec | None) -> None:
        """Each rung's owner as the file names it; a rung the file leaves out keeps its
        owner (an escalation climbing to it then stays with whoever has it)."""
        if spec is None:
            return
        rows = {row["rung"]: row for row in rows_of(self.store, "ladder_rung")}
        for rung, name in spec.owners().items():
            row = rows.get(rung)
            stored = self.called(row["owner_id"]) if row else None
            if stored == name:
                continue
            if self.given_to_a_leaver(("ladder", rung), name, "owner"):
                continue
            said = f"{stored!r} -> {name!r}" if row else repr(name)
            verb = "add" if row is None else "change"
            self.step(
                verb,
                f"{rung} rung of the escalation ladder: owner {said}",
                _owner_step(rung, name, row),
            )

    def cohort(self, specs: list[CohortSpec]) -> None:
        rows = {
            self.person_names.get(r["person_id"]): r for r in rows_of(self.store, "cohort_member")
        }
        for n, spec in enumerate(specs):
            row = rows.get(spec.person)
            supervisor_now = self.called(row["supervisor_id"]) if row else None
            loc = ("cohort", n, "supervisor")
            if spec.supervisor != supervisor_now and self.given_to_a_leaver(
                loc, spec.supervisor, "supervisor"
            ):
                continue
            if row is None:

                def add(txn: Transaction, _: date, spec=spec) -> None:
                    supervisor = _id_of(txn, "person", spec.supervisor) if spec.supervisor else None
                    records.insert(
                        txn,
                        CohortMember(
                            person_id=_id_of(txn, "person", spec.person),
                            high_risk=spec.high_risk,
                            supervisor_id=supervisor,
                        ),
                    )

                said = "higher-risk work" if spec.high_risk else "not higher-risk work"
                by = f", supervised by {spec.supervisor}" if spec.supervisor else ""
                self.step("add", f"cohort member {spec.person!r} ({said}{by})", add)
                continue
            stored = {
                "high_risk": bool(row["high_risk"]),
                "supervisor": self.called(row["supervisor_id"]),
            }
            changes = _changed(stored, {"high_risk": spec.high_risk, "supervisor": spec.supervisor})
            if not changes:
                continue

            def run(txn: Transaction, _: date, row=row, spec=spec) -> None:
                supervisor = _id_of(txn, "person", spec.supervisor) if spec.supervisor else None
                txn.update(
                    "cohort_member",
                    row["id"],
                    {"high_risk": spec.high_risk, "supervisor_id": supervisor},
                    row["version"],
                )

            self.step("change", f"cohort member {spec.person!r}: {_said(changes, stored)}", run)


def _owner_step(rung: str, name: str, row: dict | None) -> Run:
    def run(txn: Transaction, _: date) -> None:
        owner = _id_of(txn, "person", name)
        if row is None:
            records.insert(txn, LadderRung(rung=EscalationRung(rung), owner_id=owner))
        else:
            txn.update("ladder_rung", row["id"], {"owner_id": owner}, row["version"])

    return run


def series_step(spec: SeriesSpec, inactive: str | None, row: dict | None) -> Run:
    """The step that adds the series, or brings the stored one to the spec. A rename also
    renames the series where it is still to come: its trigger rules, its agenda items not
    yet taken, and a meeting of it still open; signed-off meetings keep the name they were
    held under."""

    def run(txn: Transaction, _: date) -> None:
        values = {
            "name": spec.name,
            "kind": spec.meeting_kind.value,
            "chair_id": _id_of(txn, "person", spec.chair),
            "invitees": [_id_of(txn, "person", name) for name in spec.invitees],
            "timebox_minutes": spec.timebox_minutes,
            "inactive_since": inactive,
        }
        if row is None:
            records.insert(txn, Series.model_validate(values))
            return
        txn.update(
            "series", row["id"], records.to_row(Series.model_validate(values)), row["version"]
        )
        if row["name"] != spec.name:
            _rename_series_uses(txn, row["name"], spec.name)

    return run


def _rename_series_uses(txn: Transaction, old: str, new: str) -> None:
    for table, open_only in (
        ("trigger_rule", "1"),
        ("agenda_item", "meeting_id IS NULL"),
        ("meeting", "state != 'signed off'"),
    ):
        for row_id, version in txn.conn.execute(
            f"SELECT id, version FROM [{table}] WHERE series = ? AND {open_only}", (old,)
        ).fetchall():
            txn.update(table, row_id, {"series": new}, version)


def _cadence(days: int | None) -> str:
    return f"interim contact every {days} days" if days else "must be seen (no interim contacts)"


def _tier_said(changes: dict, row: dict) -> str:
    parts = []
    if "max_safe_wait_days" in changes:
        parts.append(
            f"maximum safe wait {row['max_safe_wait_days']} -> {changes['max_safe_wait_days']} days"
        )
    if "interim_contact_days" in changes:
        parts.append(
            f"interim contact {_cadence(row['interim_contact_days'])} -> "
            f"{_cadence(changes['interim_contact_days'])}"
        )
    if "name" in changes:
        parts.append(f"named {changes['name']!r}")
    return ", ".join(parts)
