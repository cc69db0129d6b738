"""Schema, as sqlite-utils migrations applied at every start (each runs once).

Later work adds tables by appending new migrations here; an applied migration is never
edited.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from store import audit

migrations = Migrations("huddle")

# Editable rows carry `version` so that a stale update is refused instead of overwriting.
VERSION = {"version": int}


def _create(
    db: Database, name: str, columns: dict, not_null: set[str] = frozenset(), **kwargs: object
) -> None:
    db[name].create(
        {"id": int, **columns, **VERSION},
        pk="id",
        not_null={"version", *not_null},
        defaults={"version": 1},
        **kwargs,
    )


@migrations()
def m001_audit(db: Database) -> None:
    db["audit"].create(
        {
            "id": int,
            "at": str,
            "actor": str,
            "table_name": str,
            "row_id": int,
            "operation": str,
            "before": str,
            "after": str,
            "reason": str,
            "prev_hash": str,
            "hash": str,
        },
        pk="id",
        not_null={"at", "actor", "table_name", "row_id", "operation", "prev_hash", "hash"},
    )
    db["audit"].create_index(["table_name", "row_id"])
    # Evidence is append-only: nothing inside SQLite may rewrite or remove it.
    db.execute(
        "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
        "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: UPDATE refused'); END"
    )
    db.execute(
        "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
        "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: DELETE refused'); END"
    )


@migrations()
def m002_service(db: Database) -> None:
    _create(db, "service", {"name": str, "is_demo": int}, not_null={"name", "is_demo"})
    _create(db, "provider", {"name": str, "kind": str})
    _create(
        db,
        "person",
        {"name": str, "role": str, "provider_id": int},
        foreign_keys=[("provider_id", "provider", "id")],
    )
    db["person"].create_index(["name"])
    _create(
        db,
        "risk_tier",
        {"number": int, "name": str, "max_safe_wait_days": int, "interim_contact_days": int},
    )
    db["risk_tier"].create_index(["number"], unique=True)
    _create(db, "mobilisation_programme", {"name": str, "go_live": str})


@migrations()
def m003_waiting_list(db: Database) -> None:
    _create(
        db,
        "waiting_entry",
        {
            "local_id": str,
            "nhs_number": str,  # text: leading zeros are part of the number
            "initials": str,
            "referral_date": str,
            "tier": int,
            "referral_source": str,
            "provider_id": int,
            "case_owner_id": int,
            "last_interim_contact": str,
            "safeguarding": int,
            "status": str,
            # Derived from the rules on every write, so counts at a million entries are
            # index range scans rather than date arithmetic over the whole table.
            "breach_date": str,
            "contact_due": str,
        },
        foreign_keys=[
            ("provider_id", "provider", "id"),
            ("case_owner_id", "person", "id"),
        ],
        not_null={"initials", "referral_date", "tier", "provider_id", "status", "breach_date"},
    )
    entries = db["waiting_entry"]
    entries.create_index(["status", "breach_date"])
    entries.create_index(["status", "contact_due"])
    # Covers the per-tier counts of `huddle status` and Today (an index-only scan: 0.2 s at
    # a million entries, against 1.3 s reading contact_due from the table), and with `id`
    # in place also gives one tier's list in breach order without sorting.
    entries.create_index(["status", "tier", "breach_date", "id", "contact_due"])
    entries.create_index(["nhs_number"])
    entries.create_index(["provider_id", "local_id"])


@migrations()
def m004_meetings_and_actions(db: Database) -> None:
    _create(
        db,
        "meeting",
        {
            "kind": str,
            "series": str,
            "held_on": str,
            "chair_id": int,
            "state": str,
            "signed_off_by": int,
            "signed_off_at": str,
        },
        foreign_keys=[("chair_id", "person", "id"), ("signed_off_by", "person", "id")],
    )
    db["meeting"].create_index(["series", "held_on"])
    _create(
        db,
        "attendance",
        {"meeting_id": int, "person_id": int, "status": str},
        foreign_keys=[("meeting_id", "meeting", "id"), ("person_id", "person", "id")],
    )
    db["attendance"].create_index(["meeting_id", "person_id"], unique=True)
    _create(
        db,
        "decision",
        {"meeting_id": int, "text": str, "rationale": str, "owner_id": int},
        foreign_keys=[("meeting_id", "meeting", "id"), ("owner_id", "person", "id")],
    )
    _create(
        db,
        "action",
        {
            "title": str,
            "owner_id": int,
            "due_date": str,
            "status": str,
            "source": str,
            "meeting_id": int,
            "entry_id": int,
            "created_on": str,
            "evidence": str,
            "closed_on": str,
            "closed_by": int,
            "reopened_count": int,
        },
        foreign_keys=[
            ("owner_id", "person", "id"),
            ("meeting_id", "meeting", "id"),
            ("entry_id", "waiting_entry", "id"),
            ("closed_by", "person", "id"),
        ],
        not_null={"title", "owner_id", "due_date", "status", "source", "created_on"},
    )
    db["action"].create_index(["status", "due_date"])
    db["action"].create_index(["entry_id", "source"])


@migrations()
def m006_waiting_list_sorts(db: Database) -> None:
    """Indexes for the waiting-list screen: sort by days waited, search by local id,
    filter by case owner, each an index range at a million entries."""
    entries = db["waiting_entry"]
    entries.create_index(["status", "referral_date"])
    entries.create_index(["local_id"])
    entries.create_index(["case_owner_id", "status", "breach_date"])
    entries.create_index(["provider_id", "status", "breach_date"])


@migrations()
def m005_not_in_extract_since(db: Database) -> None:
    # Set by a waiting-list import on an entry its provider's extract no longer lists,
    # cleared when the entry reappears: never deleted, confirmed at the huddle instead.
    db["waiting_entry"].add_column("not_in_extract_since", str)


@migrations()
def m007_entry_changes(db: Database) -> None:
    """What the huddle does to one entry: interim contacts, clock pauses, a breach that
    stands through a re-tier, closure with its outcome, reviews, and escalation rungs."""
    entries = db["waiting_entry"]
    # A patient-initiated pause: the days of finished pauses move the breach date on; an
    # open pause is shown with its reason but moves nothing until it ends.
    entries.add_column("paused_since", str)
    entries.add_column("pause_reason", str)
    entries.add_column("paused_days", int, not_null_default=0)
    # A breach that has happened is never undone by a later re-tier, pause or tier change:
    # the breach date it had then stands (the stored breach_date is never later than this).
    entries.add_column("breach_standing", str)
    entries.add_column("outcome", str)
    entries.add_column("closed_on", str)
    entries.add_column("last_reviewed_on", str)
    entries.add_column("reviewed_meeting_id", int)
    db["action"].add_column("rung", str)
    _create(
        db,
        "interim_contact",
        {"entry_id": int, "contact_on": str, "kind": str, "outcome": str, "made_by": int},
        foreign_keys=[("entry_id", "waiting_entry", "id"), ("made_by", "person", "id")],
        not_null={"entry_id", "contact_on", "kind", "outcome", "made_by"},
    )
    db["interim_contact"].create_index(["entry_id", "contact_on"])


@migrations()
def m008_reconciliation(db: Database) -> None:
    """Indexes for the weekly reconciliation (store/reconciliation.py), so each of its
    checks reads an index, never the table, at a million entries. They are partial: each
    holds only the entries its check can find, however many closed entries the years add.
    `status` leads even where every entry in the index is waiting, because without
    statistics SQLite's planner otherwise prefers an older index with `status` first."""
    # Duplicates across providers: the waiting NHS numbers in order, with their providers.
    db.execute(
        "CREATE INDEX waiting_entry_reconcile_duplicates ON waiting_entry "
        "(status, nhs_number, provider_id) WHERE status = 'waiting' AND nhs_number IS NOT NULL"
    )
    # Long-wait outliers: per tier, those referred before twice its safe wait ago.
    db.execute(
        "CREATE INDEX waiting_entry_reconcile_long_waits ON waiting_entry "
        "(status, tier, referral_date) WHERE status = 'waiting'"
    )
    db.execute(
        "CREATE INDEX waiting_entry_reconcile_no_outcome ON waiting_entry "
        "(closed_on) WHERE status != 'waiting' AND coalesce(trim(outcome), '') = ''"
    )
    db.execute(
        "CREATE INDEX waiting_entry_reconcile_not_in_extract ON waiting_entry "
        "(status, not_in_extract_since) "
        "WHERE status = 'waiting' AND not_in_extract_since IS NOT NULL"
    )


@migrations()
def m009_search_and_safeguarding(db: Database) -> None:
    """Two waiting-list filters that read every entry at a million without an index (about
    1 s each), a few milliseconds with one: the search, which matches initials in any case
    beside the NHS number and local id indexes, and the safeguarding flag (a partial index
    holding only the flagged, in list order)."""
    db.execute("CREATE INDEX waiting_entry_initials_upper ON waiting_entry (upper(initials))")
    db.execute(
        "CREATE INDEX waiting_entry_safeguarding ON waiting_entry "
        "(status, breach_date, id) WHERE safeguarding = 1"
    )


@migrations()
def m010_action_tracker(db: Database) -> None:
    """The action tracker: evidence links, due-date moves, reviews after closing, and
    commissioner queries whose steps are actions. A closed action without evidence, and a
    query closed without its response's evidence, are refused by the database itself, so
    no path (a form, the command line, another program) can write one."""
    _create(
        db,
        "commissioner_query",
        {
            "received_on": str,
            "asked_by": str,
            "matter": str,
            "data_period": str,
            "deadline": str,
            "owner_id": int,
            "status": str,
            "response_sent_on": str,
            "response_evidence": str,
            "response_link": str,
            "closed_by": int,
        },
        foreign_keys=[("owner_id", "person", "id"), ("closed_by", "person", "id")],
        not_null={"received_on", "asked_by", "matter", "deadline", "owner_id", "status"},
    )
    db["commissioner_query"].create_index(["status", "deadline"])
    actions = db["action"]
    actions.add_column("query_id", int, fk="commissioner_query", fk_col="id")
    actions.add_column("evidence_link", str)
    actions.add_column("first_due_date", str)
    actions.add_column("due_moves", int, not_null_default=0)
    actions.add_column("review_on", str)
    actions.add_column("reviewed_on", str)
    actions.add_column("review_note", str)
    # The Actions screen's views, each an index range at ten thousand actions and more.
    actions.create_index(["owner_id", "status", "due_date"])
    actions.create_index(["source", "status", "due_date"])
    actions.create_index(["status", "created_on"])
    actions.create_index(["closed_on"])
    actions.create_index(["query_id"])
    actions.create_index(["meeting_id"])
    for event in ("INSERT", "UPDATE"):
        db.execute(
            f"CREATE TRIGGER action_closed_needs_evidence_{event.lower()} "
            f"BEFORE {event} ON action "
            "WHEN NEW.status = 'closed' AND trim(coalesce(NEW.evidence, '')) = '' "
            "BEGIN SELECT RAISE(ABORT, 'a closed action needs evidence (a note or a link)'); END"
        )
        db.execute(
            f"CREATE TRIGGER query_closed_needs_evidence_{event.lower()} "
            f"BEFORE {event} ON commissioner_query "
            "WHEN NEW.status != 'open' AND trim(coalesce(NEW.response_evidence, '')) = '' "
            "BEGIN SELECT RAISE(ABORT, "
            "'a commissioner query closes only with its response recorded as sent, with evidence'"
            "); END"
        )


# A signed-off meeting, and everything recorded in it, is read-only for SQLite itself, so no
# path (a screen, the command line, another program) can alter minuted evidence.
_SIGNED_OFF = "(SELECT state FROM meeting WHERE id = {}) = 'signed off'"
_LOCKED = "this meeting is signed off and cannot be changed: add an addendum instead"


def _refuse(db: Database, name: str, event: str, table: str, when: str, message: str) -> None:
    db.execute(
        f"CREATE TRIGGER {name} BEFORE {event} ON {table} WHEN {when} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
    )


@migrations()
def m011_meetings_in_the_room(db: Database) -> None:
    """The meeting runner: the countdown's start, the section a meeting resumes at, minutes
    rendered at sign-off with the audit chain's head, risks raised, addenda, who is on call
    and the shift's capacity; and the lock on a signed-off meeting."""
    meeting = db["meeting"]
    meeting.add_column("started_at", str)
    meeting.add_column("timebox_minutes", int, not_null_default=30)
    meeting.add_column("section", str, not_null_default="")
    meeting.add_column("minutes", str)
    meeting.add_column("chain_head", str)
    meeting.create_index(["state", "held_on"])
    decision = db["decision"]
    decision.add_column("entry_id", int, fk="waiting_entry", fk_col="id")
    decision.add_column("section", str, not_null_default="")
    decision.create_index(["meeting_id"])
    db["attendance"].create_index(["meeting_id"])
    _create(
        db,
        "risk",
        {
            "text": str,
            "owner_id": int,
            "raised_on": str,
            "meeting_id": int,
            "entry_id": int,
            "section": str,
        },
        foreign_keys=[
            ("owner_id", "person", "id"),
            ("meeting_id", "meeting", "id"),
            ("entry_id", "waiting_entry", "id"),
        ],
        not_null={"text", "owner_id", "raised_on"},
    )
    db["risk"].create_index(["meeting_id"])
    _create(
        db,
        "addendum",
        {"meeting_id": int, "text": str, "author_id": int, "written_at": str},
        foreign_keys=[("meeting_id", "meeting", "id"), ("author_id", "person", "id")],
        not_null={"meeting_id", "text", "author_id", "written_at"},
    )
    db["addendum"].create_index(["meeting_id"])
    _create(
        db,
        "on_call",
        {"day": str, "route": str, "person_id": int, "contact": str},
        foreign_keys=[("person_id", "person", "id")],
        not_null={"day", "route", "person_id"},
    )
    db["on_call"].create_index(["day", "route"], unique=True)
    _create(
        db,
        "shift_capacity",
        {"day": str, "shift": str, "planned": int, "on_shift": int, "flags": str},
        not_null={"day", "shift", "planned", "on_shift"},
    )
    db["shift_capacity"].create_index(["day", "shift"], unique=True)

    old_signed_off = "OLD.state = 'signed off'"
    _refuse(db, "meeting_locked_update", "UPDATE", "meeting", old_signed_off, _LOCKED)
    _refuse(db, "meeting_locked_delete", "DELETE", "meeting", old_signed_off, _LOCKED)
    _refuse(
        db,
        "meeting_signed_off_with_minutes",
        "UPDATE",
        "meeting",
        "NEW.state = 'signed off' AND (NEW.minutes IS NULL OR NEW.signed_off_by IS NULL"
        " OR NEW.signed_off_at IS NULL)",
        "a meeting is signed off by a named person, with its minutes",
    )
    _refuse(
        db,
        "meeting_born_signed_off",
        "INSERT",
        "meeting",
        "NEW.state = 'signed off'",
        "a meeting is signed off once it has been held, not created signed off",
    )
    for table in ("attendance", "decision", "risk"):
        new, old = _SIGNED_OFF.format("NEW.meeting_id"), _SIGNED_OFF.format("OLD.meeting_id")
        _refuse(db, f"{table}_locked_insert", "INSERT", table, new, _LOCKED)
        _refuse(db, f"{table}_locked_update", "UPDATE", table, f"{old} OR {new}", _LOCKED)
        _refuse(db, f"{table}_locked_delete", "DELETE", table, old, _LOCKED)
    # An action lives on after its meeting (it is worked and closed later), but it cannot
    # be added to, or taken out of, a signed-off meeting.
    _refuse(
        db,
        "action_locked_insert",
        "INSERT",
        "action",
        _SIGNED_OFF.format("NEW.meeting_id"),
        _LOCKED,
    )
    _refuse(
        db,
        "action_locked_move",
        "UPDATE",
        "action",
        "NEW.meeting_id IS NOT OLD.meeting_id AND ("
        f"{_SIGNED_OFF.format('OLD.meeting_id')} OR {_SIGNED_OFF.format('NEW.meeting_id')})",
        _LOCKED,
    )
    _refuse(
        db,
        "addendum_only_after_sign_off",
        "INSERT",
        "addendum",
        f"NOT {_SIGNED_OFF.format('NEW.meeting_id')}",
        "an addendum corrects a signed-off meeting; while it is open, record it in the meeting",
    )
    _refuse(db, "addendum_no_update", "UPDATE", "addendum", "1", "an addendum stands as written")
    _refuse(db, "addendum_no_delete", "DELETE", "addendum", "1", "an addendum stands as written")


@migrations()
def m012_no_replace_around_the_locks(db: Database) -> None:
    """Close what m011 (and m001) left open: INSERT OR REPLACE, and UPDATE OR REPLACE of an
    id, delete the row they collide with without firing its DELETE trigger, so they could
    rewrite a signed-off meeting, anything recorded in it, an addendum or an audit row."""
    locked = {
        "meeting": "(SELECT state FROM meeting WHERE id = NEW.id) = 'signed off'",
        **{
            table: _SIGNED_OFF.format(f"(SELECT meeting_id FROM {table} WHERE id = NEW.id)")
            for table in ("attendance", "decision", "risk", "action")
        },
    }
    for table, when in locked.items():
        _refuse(db, f"{table}_locked_replace", "INSERT", table, when, _LOCKED)
        _refuse(
            db,
            f"{table}_locked_renumber",
            "UPDATE",
            table,
            f"NEW.id IS NOT OLD.id AND {when}",
            _LOCKED,
        )
    exists = "EXISTS (SELECT 1 FROM {0} WHERE id = NEW.id)"
    _refuse(
        db,
        "addendum_no_replace",
        "INSERT",
        "addendum",
        exists.format("addendum"),
        "an addendum stands as written",
    )
    _refuse(
        db,
        "audit_no_replace",
        "INSERT",
        "audit",
        exists.format("audit"),
        "the audit trail is append-only: REPLACE refused",
    )


@migrations()
def m013_action_of_a_signed_off_meeting_stays(db: Database) -> None:
    """m011 refuses moving an action into or out of a signed-off meeting, but a DELETE
    could still take it out; refuse that too (nothing in huddle deletes an action)."""
    _refuse(
        db,
        "action_locked_delete",
        "DELETE",
        "action",
        _SIGNED_OFF.format("OLD.meeting_id"),
        _LOCKED,
    )


@migrations()
def m014_mobilisation(db: Database) -> None:
    """Mobilisation: workstreams and their deliverables, RAG ratings (the only way a RAG is
    set, always with a rationale, never edited), the training matrix, supervisors and the
    cohort they supervise, the go-live risk register, and the checks after go-live."""
    _create(
        db,
        "workstream",
        {"programme_id": int, "name": str, "lead_id": int, "position": int},
        foreign_keys=[
            ("programme_id", "mobilisation_programme", "id"),
            ("lead_id", "person", "id"),
        ],
        not_null={"programme_id", "name", "lead_id"},
    )
    _create(
        db,
        "deliverable",
        {
            "workstream_id": int,
            "title": str,
            "owner_id": int,
            "due_date": str,
            "critical": int,
            "evidence": str,
            "evidence_on": str,
        },
        foreign_keys=[("workstream_id", "workstream", "id"), ("owner_id", "person", "id")],
        not_null={"workstream_id", "title", "owner_id", "due_date", "critical"},
    )
    db["deliverable"].create_index(["workstream_id", "due_date"])
    _create(
        db,
        "rag_rating",
        {
            "workstream_id": int,
            "deliverable_id": int,
            "rag": str,
            "rationale": str,
            "rated_on": str,
            "rated_by": int,
            "meeting_id": int,
        },
        foreign_keys=[
            ("workstream_id", "workstream", "id"),
            ("deliverable_id", "deliverable", "id"),
            ("rated_by", "person", "id"),
            ("meeting_id", "meeting", "id"),
        ],
        not_null={"workstream_id", "rag", "rationale", "rated_on", "rated_by"},
    )
    db["rag_rating"].create_index(["workstream_id", "deliverable_id", "rated_on", "id"])
    db["rag_rating"].create_index(["deliverable_id", "rated_on", "id"])
    db["rag_rating"].create_index(["meeting_id"])
    stands = "a RAG rating stands as recorded: record a new rating, with its rationale"
    _refuse(
        db,
        "rag_rating_needs_rationale",
        "INSERT",
        "rag_rating",
        # trim() strips spaces only unless told: tabs, line ends and no-break spaces too.
        "length(trim(coalesce(NEW.rationale, ''), ' ' || char(9, 10, 13, 160))) = 0",
        "rationale: a RAG is recorded with why; say what it rests on",
    )
    _refuse(
        db,
        "rag_rating_is_red_amber_green",
        "INSERT",
        "rag_rating",
        "NEW.rag NOT IN ('red', 'amber', 'green')",
        "RAG: red, amber or green",
    )
    _refuse(
        db,
        "rag_rating_deliverable_of_its_workstream",
        "INSERT",
        "rag_rating",
        "NEW.deliverable_id IS NOT NULL AND NEW.workstream_id IS NOT "
        "(SELECT workstream_id FROM deliverable WHERE id = NEW.deliverable_id)",
        "deliverable: it belongs to another workstream",
    )
    _refuse(db, "rag_rating_no_update", "UPDATE", "rag_rating", "1", stands)
    _refuse(db, "rag_rating_no_delete", "DELETE", "rag_rating", "1", stands)
    _refuse(
        db,
        "rag_rating_no_replace",
        "INSERT",
        "rag_rating",
        "EXISTS (SELECT 1 FROM rag_rating WHERE id = NEW.id)",
        stands,
    )
    _refuse(
        db,
        "rag_rating_locked_insert",
        "INSERT",
        "rag_rating",
        _SIGNED_OFF.format("NEW.meeting_id"),
        _LOCKED,
    )
    _create(
        db,
        "training",
        {
            "person_id": int,
            "competency": str,
            "state": str,
            "booked_on": str,
            "completed_on": str,
            "signed_off_on": str,
            "signed_off_by": int,
        },
        foreign_keys=[("person_id", "person", "id"), ("signed_off_by", "person", "id")],
        not_null={"person_id", "competency", "state"},
    )
    db["training"].create_index(["person_id", "competency"], unique=True)
    for event in ("INSERT", "UPDATE"):
        _refuse(
            db,
            f"training_not_self_signed_{event.lower()}",
            event,
            "training",
            "NEW.signed_off_by = NEW.person_id",
            "signed off by: nobody signs off their own competency",
        )
    _create(
        db,
        "supervisor",
        {"person_id": int, "capacity": int, "frequency": str},
        foreign_keys=[("person_id", "person", "id")],
        not_null={"person_id", "capacity", "frequency"},
    )
    db["supervisor"].create_index(["person_id"], unique=True)
    _create(
        db,
        "cohort_member",
        {"person_id": int, "high_risk": int, "supervisor_id": int},
        foreign_keys=[("person_id", "person", "id"), ("supervisor_id", "person", "id")],
        not_null={"person_id", "high_risk"},
    )
    db["cohort_member"].create_index(["person_id"], unique=True)
    db["cohort_member"].create_index(["supervisor_id"])
    _create(
        db,
        "go_live_risk",
        {
            "programme_id": int,
            "text": str,
            "owner_id": int,
            "likelihood": int,
            "impact": int,
            "review_on": str,
            "raised_on": str,
            "meeting_id": int,
            "status": str,
            "closed_on": str,
            "closed_note": str,
        },
        foreign_keys=[
            ("programme_id", "mobilisation_programme", "id"),
            ("owner_id", "person", "id"),
            ("meeting_id", "meeting", "id"),
        ],
        not_null={"programme_id", "text", "owner_id", "likelihood", "impact", "review_on"},
    )
    # Plain ALTER TABLE: sqlite-utils adds a foreign key by rebuilding the table, which
    # would drop the action table's lock triggers (m011 to m013).
    db.execute("ALTER TABLE action ADD COLUMN risk_id INTEGER REFERENCES go_live_risk(id)")
    db["action"].create_index(["risk_id"])
    _create(
        db,
        "early_life_check",
        {"programme_id": int, "week": int, "what": str, "action_id": int},
        foreign_keys=[
            ("programme_id", "mobilisation_programme", "id"),
            ("action_id", "action", "id"),
        ],
        not_null={"programme_id", "week", "what", "action_id"},
    )
    db["early_life_check"].create_index(["programme_id", "week"], unique=True)


@migrations()
def m015_oversight(db: Database) -> None:
    """Oversight: metrics and their observations, trigger rules, each firing (with the
    observations that fired it and the escalation it opened), the climbs of the escalation
    ladder, and the fired triggers waiting for the next meeting of their series."""
    _create(
        db,
        "metric",
        {
            "name": str,
            "unit": str,
            "period": str,
            "tolerance_low": float,
            "tolerance_high": float,
            "baseline": float,
            "good": str,
            "response_pathway": str,
            "review_cycle": str,
            "owner_id": int,
            "segmentation": str,
            "derivation": str,
            "inputs": str,
        },
        foreign_keys=[("owner_id", "person", "id")],
        not_null={"name", "unit", "period", "good", "response_pathway", "review_cycle"},
    )
    db["metric"].create_index(["name"], unique=True)
    _create(
        db,
        "observation",
        {
            "metric_id": int,
            "period_start": str,
            "segment": str,
            "value": float,
            "source": str,
            "recorded_on": str,
        },
        foreign_keys=[("metric_id", "metric", "id")],
        not_null={"metric_id", "period_start", "segment", "value", "source", "recorded_on"},
    )
    db["observation"].create_index(["metric_id", "period_start", "segment"], unique=True)
    _create(
        db,
        "trigger_rule",
        {
            "metric_id": int,
            "name": str,
            "kind": str,
            "comparison": str,
            "threshold": float,
            "relative_to_baseline": int,
            "periods": int,
            "series": str,
            "owner_id": int,
            "rung": str,
            "active": int,
        },
        foreign_keys=[("metric_id", "metric", "id"), ("owner_id", "person", "id")],
        not_null={"metric_id", "name", "kind", "comparison", "threshold", "periods", "series"},
    )
    db["trigger_rule"].create_index(["metric_id"])
    _create(
        db,
        "trigger_firing",
        {
            "rule_id": int,
            "fired_on": str,
            "run_start": str,
            "fired_period": str,
            "observations": str,
            "why": str,
            "action_id": int,
            "cleared_on": str,
            "cleared_period": str,
            "cleared_why": str,
        },
        foreign_keys=[("rule_id", "trigger_rule", "id"), ("action_id", "action", "id")],
        not_null={"rule_id", "fired_on", "run_start", "fired_period", "observations", "why"},
    )
    db["trigger_firing"].create_index(["rule_id", "fired_period"])
    db["trigger_firing"].create_index(["action_id"])
    # What fired stands as recorded: only the clearing is ever added to a firing.
    _refuse(
        db,
        "trigger_firing_stands",
        "UPDATE",
        "trigger_firing",
        " OR ".join(
            f"NEW.{c} IS NOT OLD.{c}"
            for c in ("id", "rule_id", "fired_on", "run_start", "fired_period", "observations")
        )
        + " OR NEW.why IS NOT OLD.why OR NEW.action_id IS NOT OLD.action_id"
        " OR OLD.cleared_on IS NOT NULL",
        "a trigger firing stands as recorded; only its clearing is added, once",
    )
    _refuse(
        db,
        "trigger_firing_no_delete",
        "DELETE",
        "trigger_firing",
        "1",
        "a trigger firing stands as recorded",
    )
    _create(
        db,
        "escalation_climb",
        {
            "action_id": int,
            "from_rung": str,
            "to_rung": str,
            "climbed_on": str,
            "due_before": str,
            "due_after": str,
        },
        foreign_keys=[("action_id", "action", "id")],
        not_null={"action_id", "from_rung", "to_rung", "climbed_on", "due_before", "due_after"},
    )
    db["escalation_climb"].create_index(["action_id", "climbed_on"])
    for event in ("UPDATE", "DELETE"):
        _refuse(
            db,
            f"escalation_climb_no_{event.lower()}",
            event,
            "escalation_climb",
            "1",
            "a climb of the escalation ladder stands as recorded",
        )
    _create(
        db,
        "agenda_item",
        {"series": str, "firing_id": int, "added_on": str, "meeting_id": int},
        foreign_keys=[("firing_id", "trigger_firing", "id"), ("meeting_id", "meeting", "id")],
        not_null={"series", "firing_id", "added_on"},
    )
    db["agenda_item"].create_index(["series", "meeting_id"])
    _refuse(
        db,
        "agenda_item_taken_stays",
        "UPDATE",
        "agenda_item",
        "OLD.meeting_id IS NOT NULL OR NEW.firing_id IS NOT OLD.firing_id",
        "a fired trigger taken at a meeting stays on the agenda of that meeting",
    )
    _refuse(db, "agenda_item_no_delete", "DELETE", "agenda_item", "1", "an agenda item stays")
    # INSERT OR REPLACE would delete the row it collides with without its DELETE trigger.
    for table in ("trigger_firing", "escalation_climb", "agenda_item"):
        _refuse(
            db,
            f"{table}_no_replace",
            "INSERT",
            table,
            f"EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id)",
            "this record stands as recorded: REPLACE refused",
        )


@migrations()
def m016_setup(db: Database) -> None:
    """Set-up: meeting series as records of their own (chair, invitees, timebox), and
    providers, people and series that stop being used. Nothing is deleted: `inactive_since`
    is set instead, NULL while active, so the rows written before it still match their
    audit rows for `huddle check`."""
    for table in ("provider", "person"):
        db[table].add_column("inactive_since", str)
    _create(
        db,
        "series",
        {
            "name": str,
            "kind": str,
            "chair_id": int,
            "invitees": str,
            "timebox_minutes": int,
            "inactive_since": str,
        },
        foreign_keys=[("chair_id", "person", "id")],
        not_null={"name", "kind", "invitees"},
    )
    db["series"].create_index(["name"], unique=True)
    db["provider"].create_index(["name"])


@migrations()
def m017_people_search(db: Database) -> None:
    """Set-up's type-to-find over people: the start of a name or of a role, in any case,
    read as index ranges (LIKE 'kel%' uses an index only where the index folds case as
    LIKE does), so the count and the page read the people found, not the whole table."""
    db.execute("CREATE INDEX person_name_nocase ON person (name COLLATE NOCASE)")
    db.execute("CREATE INDEX person_role_nocase ON person (role COLLATE NOCASE)")


@migrations()
def m018_held_changes(db: Database) -> None:
    """What a provider's extract asks for that waits for a person (huddle.extract_ownership),
    and whether an entry's tier is the huddle's (it re-tiered it). Held changes are few and
    read by entry or by state, each through an index."""
    # NULL (the extract's tier) on the entries before this migration, so their stored rows
    # still match their audit rows for `huddle check`.
    db["waiting_entry"].add_column("tier_by_huddle", int)
    _create(
        db,
        "held_change",
        {
            "entry_id": int,
            "field": str,
            "extract_value": str,
            "huddle_value": str,
            "source": str,
            "held_on": str,
            "state": str,
            "resolved_on": str,
            "reason": str,
        },
        foreign_keys=[("entry_id", "waiting_entry", "id")],
        not_null={
            "entry_id",
            "field",
            "extract_value",
            "huddle_value",
            "source",
            "held_on",
            "state",
        },
    )
    db["held_change"].create_index(["state", "held_on", "id"])
    db["held_change"].create_index(["entry_id", "field", "state"])


@migrations()
def m019_clock_resumed_on(db: Database) -> None:
    """The day a clock pause last ended, so that a pause dated in the past cannot overlap
    the one before it and count its days twice. NULL for an entry never resumed (every
    entry before this migration: its history is in the audit trail)."""
    db["waiting_entry"].add_column("clock_resumed_on", str)


@migrations()
def m020_latest_date(db: Database) -> None:
    """The latest date the database has seen (store.clock_guard), one row read by its key.
    A database from before this kept no such date: the day of its last audited change,
    in this computer's zone as every "today" is, is the latest it had seen."""
    db.execute(
        "CREATE TABLE latest_date (id INTEGER PRIMARY KEY CHECK (id = 1), seen_on TEXT NOT NULL)"
    )
    db.execute(
        "INSERT INTO latest_date (id, seen_on) SELECT 1, date(at, 'localtime') FROM "
        "(SELECT at FROM audit ORDER BY id DESC LIMIT 1) WHERE date(at, 'localtime') IS NOT NULL"
    )


@migrations()
def m021_paused_clocks_stopped(db: Database) -> None:
    """A paused clock is stopped (huddle.rules.clock_stopped): a waiting entry paused on or
    before its breach date has no breach date in force, stored as the calendar's last day
    (store.records.CLOCK_STOPPED). An entry paused before that rule kept its running breach
    date, so it would count as breached while paused. Each such entry that had not breached
    by the last day the database recorded a change is re-dated, an audited update; one
    that had is left breached, as a breach the database has counted stands."""
    last = db.execute("SELECT date(at, 'localtime') FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    if last is None:
        return
    cursor = db.execute(
        "SELECT * FROM waiting_entry WHERE status = 'waiting' AND paused_since IS NOT NULL "
        "AND breach_standing IS NULL AND breach_date >= paused_since AND breach_date >= ? "
        "AND breach_date != '9999-12-31'",
        (last[0],),
    )
    names = [column[0] for column in cursor.description]
    events = []
    for values in cursor.fetchall():  # paused entries: a few, however long the list
        before = dict(zip(names, values, strict=True))
        after = {**before, "breach_date": "9999-12-31", "version": before["version"] + 1}
        db.execute(
            "UPDATE waiting_entry SET breach_date = ?, version = ? WHERE id = ?",
            (after["breach_date"], after["version"], before["id"]),
        )
        events.append(
            audit.AuditEvent(
                "waiting_entry",
                before["id"],
                "update",
                before,
                after,
                "a paused clock is stopped: no breach date while paused (re-dated on upgrade)",
            )
        )
    if events:
        now = datetime.now(UTC).isoformat(timespec="microseconds")
        audit.append(db.conn, "huddle upgrade", now, events)


@migrations()
def m022_provider_short_name(db: Database) -> None:
    """A provider's short name from set-up, how a narrow list tells it from a provider
    whose name starts the same (huddle.provider_names). NULL for the providers before this
    migration, so their stored rows still match their audit rows for `huddle check`."""
    db["provider"].add_column("short_name", str)


@migrations()
def m023_person_login(db: Database) -> None:
    """A person's login name from set-up, the name they log in to the computer with. NULL
    for the people before this migration, so their stored rows still match their audit
    rows for `huddle check`."""
    db["person"].add_column("login", str)


@migrations()
def m024_sign_in(db: Database) -> None:
    """Who acts, and how they came to: issue 20.

    - `audit.via`: how the actor came to be acting (their computer login, a password
      sign-in, `--user`), beside their name. NULL for every row before it, and left out of
      the hash when NULL (store.audit.chain_hash), so the chain already written still holds.
    - `service.import_account`: the one name, not a person's, that a script importing
      extracts may act under (`--user`); NULL: none.
    - `person.read_only`: a display account (the meeting room's wall screen), which can sign
      in and read but never write. NULL (not read-only) for the people before it.
    - `password`: a person's salted scrypt hash, in its own table and never audited with
      its value (the audit row says a password was set, and by whom).
    - `sign_in_attempt`: every sign-in tried, so repeated failures lock a person out for a
      while and the record shows it.
    """
    db["audit"].add_column("via", str)
    db["person"].add_column("read_only", int)
    db["service"].add_column("import_account", str)
    # No version: `huddle check` matches versioned rows to their audited values, and a
    # password's hash is never audited (its audit row says only that it was set).
    db["password"].create(
        {"person_id": int, "hash": str, "set_on": str},
        pk="person_id",
        not_null={"hash", "set_on"},
        foreign_keys=[("person_id", "person", "id")],
    )
    db["sign_in_attempt"].create(
        {"id": int, "person_id": int, "at": str, "succeeded": int, "method": str},
        pk="id",
        not_null={"person_id", "at", "succeeded", "method"},
        foreign_keys=[("person_id", "person", "id")],
    )
    db["sign_in_attempt"].create_index(["person_id", "at"])


@migrations()
def m025_competency_assessor(db: Database) -> None:
    """`person.assesses`: the competencies set-up names a person to assess, as a JSON list
    in the matrix's order (huddle.models.Competency). A competency is signed off only by
    one of its assessors, never by the trainee (issue 20). NULL for the people before this
    migration (they assess nothing until set-up says so), so their stored rows still match
    their audit rows for `huddle check`."""
    db["person"].add_column("assesses", str)


@migrations()
def m026_query_flow_and_bank_holidays(db: Database) -> None:
    """Issue 21: commissioner queries follow the assurance flow, and working days know bank
    holidays.

    - `service.extra_bank_holidays`: days set-up adds to England and Wales' bank holidays
      (huddle.working_days), as a JSON list of ISO dates; NULL: none.
    - `commissioner_query`: after the response it stays **under review**, with the date of
      its next monthly review, until someone records, with evidence, that returns,
      records and lived experience align; only then is it closed (closed_by, now the
      person who recorded that). `responded_by` is who recorded the response. A query
      answered before this migration keeps its stored row (status 'response sent',
      shown as "responded", its closed_by the person who recorded the response), so it
      still matches its audit row for `huddle check`; a review or the alignment moves
      it on.
    - `action.query_step`: which of its query's standard steps (review, verification,
      response) an action is; the response step closes with the response.
    - `commissioner_query_review`: each monthly governance review, who recorded it and
      what it found.

    Every new column is NULL on the rows before it. The database itself refuses a closed
    query without alignment evidence, and one under review without its next review date,
    as it already refused one past its response without the response's evidence.
    """
    db["service"].add_column("extra_bank_holidays", str)
    db["action"].add_column("query_step", str)
    queries = db["commissioner_query"]
    # Plain SQL: sqlite-utils adds a column with a foreign key by rebuilding the table,
    # which would drop the triggers m010 put on it.
    db.execute(
        "ALTER TABLE commissioner_query ADD COLUMN responded_by INTEGER REFERENCES person(id)"
    )
    queries.add_column("next_review_on", str)
    queries.add_column("aligned_on", str)
    queries.add_column("aligned_evidence", str)
    queries.add_column("aligned_link", str)
    _create(
        db,
        "commissioner_query_review",
        {
            "query_id": int,
            "reviewed_on": str,
            "note": str,
            "reviewed_by": int,
            "next_review_on": str,
        },
        foreign_keys=[
            ("query_id", "commissioner_query", "id"),
            ("reviewed_by", "person", "id"),
        ],
        not_null={"query_id", "reviewed_on", "note", "reviewed_by", "next_review_on"},
    )
    db["commissioner_query_review"].create_index(["query_id", "reviewed_on"])
    for event in ("INSERT", "UPDATE"):
        _refuse(
            db,
            f"query_closed_needs_alignment_{event.lower()}",
            event,
            "commissioner_query",
            "NEW.status = 'closed' AND (NEW.aligned_on IS NULL "
            "OR trim(coalesce(NEW.aligned_evidence, '')) = '')",
            "a commissioner query closes only when returns, records and lived experience "
            "are recorded as aligned, with evidence",
        )
        _refuse(
            db,
            f"query_under_review_needs_date_{event.lower()}",
            event,
            "commissioner_query",
            "NEW.status = 'under review' AND NEW.next_review_on IS NULL",
            "a commissioner query under review needs the date of its next monthly review",
        )
    for event in ("UPDATE", "DELETE"):
        _refuse(
            db,
            f"query_review_stands_{event.lower()}",
            event,
            "commissioner_query_review",
            "1",
            "a monthly review of a commissioner query stands as recorded",
        )


@migrations()
def m027_risks_carried_forward(db: Database) -> None:
    """`risk_closure`: a risk raised at one meeting is carried to the series' next ones
    until a meeting records it closed, with why and by whom (issue 21). A closure belongs
    to the meeting that records it, and is locked with it when it is signed off; a risk
    closes once."""
    _create(
        db,
        "risk_closure",
        {"risk_id": int, "meeting_id": int, "closed_on": str, "reason": str, "closed_by": int},
        foreign_keys=[
            ("risk_id", "risk", "id"),
            ("meeting_id", "meeting", "id"),
            ("closed_by", "person", "id"),
        ],
        not_null={"risk_id", "meeting_id", "closed_on", "reason", "closed_by"},
    )
    db["risk_closure"].create_index(["risk_id"], unique=True)
    db["risk_closure"].create_index(["meeting_id"])
    new, old = _SIGNED_OFF.format("NEW.meeting_id"), _SIGNED_OFF.format("OLD.meeting_id")
    _refuse(db, "risk_closure_locked_insert", "INSERT", "risk_closure", new, _LOCKED)
    _refuse(db, "risk_closure_locked_update", "UPDATE", "risk_closure", f"{old} OR {new}", _LOCKED)
    _refuse(db, "risk_closure_locked_delete", "DELETE", "risk_closure", old, _LOCKED)


@migrations()
def m028_ladder_owners(db: Database) -> None:
    """The escalation ladder, owned (issue 22): `ladder_rung` names who owns each rung
    (set-up's `[ladder]`: operational, the service manager; clinical, the clinical lead;
    contractual, the contracts manager). An escalation that climbs to a rung with an owner
    is given to them; `escalation_climb.owner_before` and `owner_after` record it, NULL
    where the owner stayed (and on every climb before this migration)."""
    _create(
        db,
        "ladder_rung",
        {"rung": str, "owner_id": int},
        foreign_keys=[("owner_id", "person", "id")],
        not_null={"rung", "owner_id"},
    )
    db["ladder_rung"].create_index(["rung"], unique=True)
    db.execute("ALTER TABLE escalation_climb ADD COLUMN owner_before INTEGER REFERENCES person(id)")
    db.execute("ALTER TABLE escalation_climb ADD COLUMN owner_after INTEGER REFERENCES person(id)")


@migrations()
def m029_metric_reviews(db: Database) -> None:
    """Metrics and their trigger rules reviewed on the metric's review cycle (issue 22).

    - `metric.reviewed_on`, `trigger_rule.reviewed_on`: when each was last reviewed; a
      metric or rule added from now on is reviewed on the day it is added. NULL on the rows
      before this migration, so their stored rows still match their audit rows for `huddle
      check`: their review counts from the day they were created, read from their first
      audit row (store.oversight_reads), which every row huddle wrote has; a row with none
      (written outside huddle) counts as never reviewed, so its review is due at once.
    - `metric_review`: each review, what was decided, who recorded it; it stands as
      recorded.
    """
    db["metric"].add_column("reviewed_on", str)
    db["trigger_rule"].add_column("reviewed_on", str)
    _create(
        db,
        "metric_review",
        {"metric_id": int, "reviewed_on": str, "note": str, "reviewed_by": int},
        foreign_keys=[("metric_id", "metric", "id"), ("reviewed_by", "person", "id")],
        not_null={"metric_id", "reviewed_on", "note", "reviewed_by"},
    )
    db["metric_review"].create_index(["metric_id", "reviewed_on"])
    for event in ("UPDATE", "DELETE"):
        _refuse(
            db,
            f"metric_review_stands_{event.lower()}",
            event,
            "metric_review",
            "1",
            "a review of a metric stands as recorded",
        )


@migrations()
def m030_spc_baseline(db: Database) -> None:
    """A metric's Making Data Count baseline (issue 22): the first and last period whose
    observations give its process limits, fixed by a person (key 6, `b`). NULL, limits
    from every observation, for the metrics before this migration, so their stored rows
    still match their audit rows for `huddle check`."""
    db["metric"].add_column("spc_baseline_first", str)
    db["metric"].add_column("spc_baseline_last", str)
