"""Contention, for the writer processes of the concurrency harness: the same few actions and
waiting-list entries changed by every writer, each read first (what the user's screen
shows), then, after a pause as a person typing, saved with the version read."""

from __future__ import annotations

import time
from datetime import timedelta

from benchmarks.workday import contacted, due_moved, owner_changed, reviewed
from benchmarks.writer import Operations, Planned, Writer
from huddle.models import Action, Record, WaitingEntry
from store import records


def _read(w: Writer, model: type[Action] | type[WaitingEntry], ids: list[int]) -> Record:
    """What the user's screen shows, then a pause while they type their change."""
    record = records.get(w.store, model, w.rng.choice(ids))
    time.sleep(w.rng.uniform(0, w.contention.think_s))
    return record


def contend_due_date(w: Writer) -> Planned:
    action = _read(w, Action, w.contention.action_ids)
    # A date no other writer ever gives, so a move is never refused as already made.
    days = 1 + w.index + w.contention.writers * next(w.moves)
    return due_moved(w, action.id, action.version, w.today + timedelta(days=days))


def contend_owner(w: Writer) -> Planned:
    action = _read(w, Action, w.contention.action_ids)
    return owner_changed(w, action.id, action.version, w.person(action.owner_id))


def contend_review(w: Writer) -> Planned:
    entry = _read(w, WaitingEntry, w.contention.entry_ids)
    return reviewed(w, entry.id, entry.version)


def contend_contact(w: Writer) -> Planned:
    entry = _read(w, WaitingEntry, w.contention.entry_ids)
    return contacted(w, entry.id, entry.version)


CONTENDED: Operations = (
    (1, contend_due_date),
    (1, contend_owner),
    (1, contend_review),
    (1, contend_contact),
)
