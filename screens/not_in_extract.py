"""Confirming the entries a provider's extract no longer lists, a marked set in one step:
each closed with its outcome (seen, discharged, removed) or kept on the list with a reason,
and each still its own audited write, so one refused leaves the others done."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from huddle.dates import parse_when, uk
from huddle.models import EntryStatus
from screens.form import FormField, FormScreen
from store import entry_changes
from store.errors import REFUSALS
from store.waiting_list import EntryLine

if TYPE_CHECKING:
    from store import Store

KEEP = "keep on the list (still waiting)"
CLOSE = {f"close: {status}": EntryStatus(status) for status in entry_changes.CLOSED_STATUSES}


def _who(line: EntryLine) -> str:
    return line.local_id or line.nhs_number or f"entry {line.id}"


def confirm_form(store: Store, lines: Sequence[EntryLine], today: date) -> FormScreen[str]:
    """The form for `lines`; it saves to a summary of what was written and what refused."""

    def save(typed: dict[str, str]) -> str:
        text = typed["text"].strip()
        if not text:
            raise ValueError("outcome or reason: say what happened (it goes in the audit trail)")
        day = parse_when(typed["on"], today, "date")
        done, refused = 0, []
        for line in lines:
            try:
                if typed["what"] == KEEP:
                    entry_changes.confirm_still_waiting(
                        store, line.id, line.version, reason=text, today=today
                    )
                else:
                    entry_changes.close_entry(
                        store,
                        line.id,
                        line.version,
                        status=CLOSE[typed["what"]],
                        reason=text,
                        today=today,
                        on=day,
                    )
                done += 1
            except REFUSALS as error:
                refused.append(f"{_who(line)}: {error}")
        said = f"{typed['what']}: {done} of {len(lines)} entries"
        return "; ".join([said, *refused])

    names = ", ".join(_who(line) for line in lines[:5])
    more = f" and {len(lines) - 5} more" if len(lines) > 5 else ""
    return FormScreen(
        f"Confirm {len(lines)} not in the provider's extract: {names}{more}",
        [
            FormField("what", "Confirm as", "choice", choices=(*CLOSE, KEEP)),
            FormField(
                "text",
                "Outcome or reason",
                placeholder="e.g. seen 01/12, discharged by the provider; or: extract fault",
            ),
            FormField("on", "Date it closed", value=uk(today)),
        ],
        save,
        note="Each entry is its own audited write. A kept entry stays waiting and loses its "
        "NOT IN EXTRACT mark.",
    )
