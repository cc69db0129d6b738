"""A service's set-up: what a service file would change, and changing it in one write.

`plan_setup` compares a validated `ServiceFile` with the database (store.setup_plan) and
lists each step (add, change, rename, deactivate, reactivate, remove) in words; it then
rehearses the steps inside a write that is rolled back, to measure what they do to the
waiting list (a tier's safe wait shortened breaches people) and to what leavers still
own. `apply_plan` runs them for real in one transaction, every change with its audit row.
Nothing is ever deleted but a tier no entry was ever filed under: a provider, person or
series left out of the file is left as it is, and `active = false` sets `inactive_since`.
"""

from __future__ import annotations

import json
from contextlib import suppress
from datetime import date

from huddle.models import (
    EscalationRung,
    Series,
)
from huddle.service_file import (
    FILE_KIND,
    Problem,
    ServiceFile,
    ServiceFileError,
    line_of,
    validated,
)
from huddle.summary import TierCounts
from store import records
from store.connection import Store, Transaction
from store.errors import NotFound, StaleVersion
from store.mobilisation_reads import programme_of
from store.queries import owner_left_counts, tier_counts
from store.setup_plan import (
    Planner,
    SetupPlan,
    TierEffect,
    named_rows,
    rows_of,
)


class _Rehearsal(Exception):
    """Raised inside a rehearsal's write so that it rolls back."""


def plan_setup(
    store: Store,
    setup: ServiceFile,
    today: date,
    source: str,
    text: str = "",
    expected: dict[tuple[str, int], int] | None = None,
) -> SetupPlan:
    """What applying `setup` would change, step by step, measured by a rehearsal; or
    ServiceFileError naming what in the file cannot apply to this database.

    `expected` holds the versions of the rows a form was opened on ((table, id) to
    version): if another terminal saved one since, StaleVersion says so instead of the
    form's values silently overwriting theirs."""
    with store.reading():
        for (table, row_id), version in (expected or {}).items():
            found = store.conn.execute(
                f"SELECT version FROM [{table}] WHERE id = ?", (row_id,)
            ).fetchone()
            if found is None:
                raise NotFound(table, row_id)
            if found[0] != version:
                raise StaleVersion(table, row_id, version, found[0])
        planner = Planner(store, setup, source, text, today)
        planner.service(setup.service)
        planner.providers(setup.providers)
        planner.persons(setup.people)
        planner.tiers(setup.tiers)
        planner.series(setup.series)
        planner.programme(setup.programme)
        planner.supervisors(setup.supervisors)
        planner.cohort(setup.cohort)
        planner.ladder(setup.ladder)
    if planner.problems:
        raise ServiceFileError(
            source,
            [Problem(loc, message, line_of(text, loc)) for loc, message in planner.problems],
        )
    plan = planner.plan
    if not plan.empty:
        try:
            _rehearse(store, plan, today)
        except ValueError as refused:
            # What the store itself refuses (the checks behind every form) refuses the
            # file too, before anything is written.
            if isinstance(refused, ServiceFileError):
                raise
            raise ServiceFileError(source, [Problem(("file",), str(refused))]) from None
    return plan


def _rehearse(store: Store, plan: SetupPlan, today: date) -> None:
    """Run the plan in a write that is rolled back, measuring what it does: the counts
    before and after come from the same queries as Today and `huddle status`."""
    with suppress(_Rehearsal), store.write(f"rehearsal of {plan.source}") as txn:
        before = tier_counts(txn.conn, today)
        for step in plan.steps:
            step.run(txn, today)
        after = tier_counts(txn.conn, today)
        plan.tier_effects = [
            _measured(effect, before.get(effect.number), after.get(effect.number))
            for effect in plan.tier_effects
        ]
        plan.owner_left = owner_left_counts(txn.conn)
        plan.leavers = [_what_they_own(txn, person_id) for person_id in plan.leaving]
        raise _Rehearsal


def _measured(
    effect: TierEffect, before: TierCounts | None, after: TierCounts | None
) -> TierEffect:
    was, now = before or TierCounts(name=""), after or TierCounts(name="")
    return TierEffect(
        effect.number,
        effect.said,
        now.breached - was.breached,
        now.breached_without_escalation - was.breached_without_escalation,
    )


def _what_they_own(txn: Transaction, person_id: int) -> str:
    name = txn.conn.execute("SELECT name FROM person WHERE id = ?", (person_id,)).fetchone()[0]
    owned = owner_left_counts(txn.conn, person_id)
    return f"{name}: {owned.said() or 'nothing open'}"


def apply_plan(store: Store, plan: SetupPlan, today: date) -> int:
    """Every step in one write whose audit rows name the plan's source; how many steps."""
    if plan.empty:
        return 0
    with store.write(f"set-up from {plan.source}") as txn:
        for step in plan.steps:
            step.run(txn, today)
    return len(plan.steps)


def needs_setting_up(store: Store) -> bool:
    """No provider or no person yet: nothing can be owned, so the app opens on set-up."""
    return not all(
        store.conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone()
        for table in ("provider", "person")
    )


def current_setup(store: Store) -> ServiceFile:
    """The database's set-up as a service file would say it (what `setup export` writes)."""
    with store.reading():
        try:
            return validated(_current_document(store), "the database's set-up")
        except ServiceFileError as cannot:
            raise ValueError(
                "the database's set-up cannot be written as a service file, which names "
                f"each provider, person and series once: {cannot.problems[0].message}; "
                "rename one in Set-up (key 7), then export again"
            ) from None


def _current_document(store: Store) -> dict:
    people = named_rows(store, "person")
    names = {row["id"]: row["name"] for row in people}
    providers = named_rows(store, "provider")
    provider_names = {row["id"]: row["name"] for row in providers}
    found = records.service(store)
    document: dict = {"service": {"name": found.name if found else ""}}
    if found and found.import_account:
        document["service"]["import_account"] = found.import_account
    if found and found.extra_bank_holidays:
        document["service"]["extra_bank_holidays"] = found.extra_bank_holidays
    document["providers"] = [
        {
            "name": p["name"],
            "kind": p["kind"],
            **({"short_name": p["short_name"]} if p["short_name"] else {}),
            **_active(p),
        }
        for p in providers
    ]
    document["people"] = [
        {
            "name": p["name"],
            "role": p["role"],
            "provider": provider_names[p["provider_id"]],
            **({"login": p["login"]} if p["login"] else {}),
            **({"read_only": True} if p["read_only"] else {}),
            **({"assesses": json.loads(p["assesses"])} if p["assesses"] else {}),
            **_active(p),
        }
        for p in people
    ]
    document["tiers"] = [
        {
            key: row[key]
            for key in ("number", "name", "max_safe_wait_days", "interim_contact_days")
            if row[key] is not None
        }
        for row in rows_of(store, "risk_tier", "number")
    ]
    series = []
    for row in rows_of(store, "series", "name"):
        s = Series.model_validate(row)
        one = {
            "name": s.name,
            "kind": FILE_KIND[s.kind],
            "chair": names.get(s.chair_id or 0, ""),
            "invitees": [names[i] for i in s.invitees],
        }
        if s.timebox_minutes is not None:
            one["timebox_minutes"] = s.timebox_minutes
        series.append({**one, **_active(row)})
    document["series"] = series
    programme = programme_of(store)
    if programme is not None:
        document["programme"] = {
            "name": programme.name,
            "go_live": programme.go_live,
            "workstreams": [
                {"name": w["name"], "lead": names[w["lead_id"]]}
                for w in rows_of(store, "workstream", "position, id")
                if w["programme_id"] == programme.id
            ],
        }
    document["supervisors"] = [
        {"person": names[s["person_id"]], "capacity": s["capacity"], "frequency": s["frequency"]}
        for s in rows_of(store, "supervisor")
    ]
    document["cohort"] = [
        {
            "person": names[c["person_id"]],
            "high_risk": bool(c["high_risk"]),
            **({"supervisor": names[c["supervisor_id"]]} if c["supervisor_id"] else {}),
        }
        for c in rows_of(store, "cohort_member")
    ]
    ladder = {row["rung"]: names[row["owner_id"]] for row in rows_of(store, "ladder_rung")}
    if ladder:
        # In the ladder's order, as the file names them.
        document["ladder"] = {rung: ladder[rung] for rung in EscalationRung if rung in ladder}
    return document


def _active(row: dict) -> dict:
    return {} if row["inactive_since"] is None else {"active": False}
