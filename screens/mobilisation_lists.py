"""The lists of mobilisation, paged from SQLite like every list: workstreams with their RAG
and trend, deliverables, the go-live risks, and the training matrix. Each RAG shows its
letter and each state its word: the colour only repeats them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar, TypeVar

from rich.style import Style

from huddle.models import Competency, Rag, TrainingState
from huddle.readiness import HIGH_RISK_SCORE, trend
from screens.paged_list import Cells, PagedList, cut, fitted
from store.connection import Store
from store.mobilisation_reads import (
    DeliverableLine,
    RiskLine,
    TrainingLine,
    WorkstreamLine,
    deliverable_lines,
    risk_lines,
    training_lines,
    workstream_lines,
)

PLAIN = Style()
ALARM = Style(bold=True, color="red")
_RAG_STYLE = {
    Rag.RED: Style(bold=True, color="white", bgcolor="red"),
    Rag.AMBER: Style(bold=True, color="black", bgcolor="yellow"),
    Rag.GREEN: Style(bold=True, color="black", bgcolor="green"),
}
UNRATED = Style(dim=True)


def rag_cell(rag: Rag | None, width: int) -> tuple[str, Style]:
    """The letter and the word, never the colour alone."""
    if rag is None:
        return (f"{'— none':<{width}} ", UNRATED)
    return (f"{rag.letter} {rag.value:<{width - 2}} ", _RAG_STYLE[rag])


Q = TypeVar("Q")
L = TypeVar("L")
Columns = tuple[tuple[str, int], ...]
LEAST = 24
"""The narrowest a free-text column goes before a column is dropped instead."""


def fit(columns: Columns, width: int, flexible: int, dropped: int, last: int) -> Columns:
    """The columns for `width`: the free-text column at `flexible` gives way (to no less
    than LEAST) so that the dates and states after it stay on screen, with at least `last`
    of the last column, which ends where the screen does (so its words are cut with "…",
    not by the edge); if that is still too wide, the column at `dropped` goes."""
    if flexible == len(columns) - 1:  # the free text is last: it ends at the screen's edge
        title, full = columns[-1]
        before = sum(w + 1 for _, w in columns[:-1])
        return (*columns[:-1], (title, min(full, max(last, width - before))))
    fixed = [w + 1 for i, (_, w) in enumerate(columns[:-1]) if i != flexible]
    room = width - sum(fixed) - (last + 1) - 1
    gone = room < LEAST
    if gone:
        room += columns[dropped][1] + 1
    text = max(LEAST, min(columns[flexible][1], room))
    shown = [
        (title, text if i == flexible else w)
        for i, (title, w) in enumerate(columns)
        if not (gone and i == dropped)
    ]
    before_last = sum(w + 1 for _, w in shown[:-1])
    title, full = shown[-1]
    shown[-1] = (title, min(full, max(last, width - before_last)))
    return tuple(shown)


class FittedList(PagedList[Q, L]):
    """A list whose columns fit the terminal: below its full width the free-text column
    narrows (cut with "…") and then the owner goes, never a due date or a state. Only
    where asked (`fitted=True`): a screen that draws the column titles itself (the
    meeting runner) keeps the full columns its titles name."""

    FLEXIBLE: ClassVar[int]
    DROPPED: ClassVar[int]
    LAST: ClassVar[int]
    """How much of the last column a narrow terminal must still show."""
    CELLS_FITTED = True

    def __init__(self, *, id: str | None = None, fitted: bool = False) -> None:
        super().__init__(id=id)
        self.fitted = fitted

    def fit(self) -> tuple[tuple[int, int], ...]:
        if not self.fitted:
            return super().fit()
        room = self.scrollable_content_region.width
        shown = fit(self.COLUMNS, room, self.FLEXIBLE, self.DROPPED, self.LAST)
        place = {title: index for index, (title, _) in enumerate(self.COLUMNS)}
        return tuple((place[title], width) for title, width in shown)

    def widths(self) -> list[int]:
        """Each column's width in the full order, 0 for a dropped column."""
        shown = dict(self.shown_columns())
        return [shown.get(title, 0) for title, _ in self.COLUMNS]

    def shown(self, cells: Cells) -> Cells:
        """The cells of the columns on screen."""
        titles = dict(self.shown_columns())
        return [
            cell for cell, (title, _) in zip(cells, self.COLUMNS, strict=True) if title in titles
        ]


@dataclass(frozen=True)
class ProgrammeQuery:
    programme_id: int
    as_at: date
    revision: int
    """Bumped after each change, so the list is read again."""
    workstream_id: int | None = None


class WorkstreamList(FittedList[ProgrammeQuery, WorkstreamLine]):
    COLUMNS = (("RAG", 7), ("Workstream", 20), ("Lead", 15), ("Trend", 11), ("Why (rated)", 100))
    FLEXIBLE, DROPPED, LAST = 4, 2, len("30/11 never rated")

    def read_page(
        self, store: Store, query: ProgrammeQuery, offset: int, limit: int
    ) -> list[WorkstreamLine]:
        return workstream_lines(store, query.programme_id, query.as_at)[offset : offset + limit]

    def cells(self, line: WorkstreamLine) -> Cells:
        latest = line.latest
        why = f"{latest.rated_on:%d/%m} {latest.rationale}" if latest else "never rated: g rates it"
        # No column is ever dropped here: the free text is last, and only narrows.
        columns = self.shown_columns()
        rest = fitted(
            (
                line.name,
                f"OWNER LEFT: {line.lead}" if line.lead_left else line.lead,
                trend([r.rag for r in line.trend]),
                why,
            ),
            columns[1:],
            PLAIN,
        )
        return [rag_cell(line.rag, columns[0][1]), *rest]


class DeliverableList(FittedList[ProgrammeQuery, DeliverableLine]):
    COLUMNS = (("RAG", 7), ("Deliverable", 64), ("Owner", 15), ("Due", 18), ("Evidence", 60))
    FLEXIBLE, DROPPED, LAST = 1, 2, len("NONE YET: e records it")

    def read_page(
        self, store: Store, query: ProgrammeQuery, offset: int, limit: int
    ) -> list[DeliverableLine]:
        return deliverable_lines(
            store, query.programme_id, query.as_at, offset, limit, query.workstream_id
        )

    def cells(self, line: DeliverableLine) -> Cells:
        as_at = self.query_shown.as_at if self.query_shown else line.due_date
        late = line.evidence is None and line.due_date < as_at
        due = f"{'OVERDUE ' if late else ''}{line.due_date:%d/%m/%Y}"
        title = f"{'CRITICAL ' if line.critical else ''}{line.title}"
        if line.evidence is not None and line.evidence_on is not None:
            evidence, style = f"{line.evidence_on:%d/%m} {line.evidence}", PLAIN
        elif line.critical:
            evidence, style = "NONE YET: e records it", ALARM
        else:
            evidence, style = "none yet: e records it", PLAIN
        w_rag, w_title, w_owner, w_due, w_evidence = self.widths()
        return self.shown(
            [
                rag_cell(line.rag, w_rag),
                (f"{cut(title, w_title)} ", PLAIN),
                (f"{line.owner[:w_owner]:<{w_owner}} ", PLAIN),
                (f"{due:<{w_due}} ", ALARM if late else PLAIN),
                (f"{cut(evidence, w_evidence)} ", style),
            ]
        )


class RiskList(FittedList[ProgrammeQuery, RiskLine]):
    COLUMNS = (
        ("Score", 10),
        ("What could make go-live unsafe?", 64),
        ("Owner", 15),
        ("Review", 18),
        ("Mitigation", 16),
    )
    FLEXIBLE, DROPPED, LAST = 1, 2, len("NONE: a adds one")

    def read_page(
        self, store: Store, query: ProgrammeQuery, offset: int, limit: int
    ) -> list[RiskLine]:
        return risk_lines(store, query.programme_id, query.as_at, offset, limit)

    def cells(self, line: RiskLine) -> Cells:
        as_at = self.query_shown.as_at if self.query_shown else line.review_on
        high = line.score >= HIGH_RISK_SCORE
        review_late = line.review_on < as_at
        review = f"{'OVERDUE ' if review_late else ''}{line.review_on:%d/%m/%Y}"
        if line.mitigations == 0:
            mitigation = "NONE: a adds one" if high else "none: a adds one"
        else:
            mitigation = f"{line.open_mitigations} open of {line.mitigations}"
        score = f"{line.score:>2} {line.likelihood}x{line.impact}{' HI' if high else ''}"
        w_score, w_text, w_owner, w_review, w_mit = self.widths()
        return self.shown(
            [
                (f"{score:<{w_score}} ", ALARM if high else PLAIN),
                (f"{cut(line.text, w_text)} ", PLAIN),
                (f"{line.owner[:w_owner]:<{w_owner}} ", PLAIN),
                (f"{review:<{w_review}} ", ALARM if review_late else PLAIN),
                (f"{mitigation:<{w_mit}} ", ALARM if high and not line.mitigations else PLAIN),
            ]
        )


@dataclass(frozen=True)
class TrainingQuery:
    as_at: date
    revision: int


_STATE_WORDS = {
    TrainingState.SIGNED_OFF: ("SIGNED OFF", Style(bold=True, color="green")),
    TrainingState.COMPLETED: ("completed", PLAIN),
    TrainingState.BOOKED: ("booked", Style(color="yellow")),
    None: ("NOT BOOKED", ALARM),
}


class TrainingList(PagedList[TrainingQuery, TrainingLine]):
    """SIGNED OFF cells carry the initials of who signed them off (the matrix's key says)."""

    COLUMNS = (
        ("Name", 18),
        ("Role", 26),
        ("High-risk", 9),
        ("Supervisor", 16),
        *((competency.value.split(" (")[0].capitalize(), 16) for competency in Competency),
    )

    def read_page(
        self, store: Store, query: TrainingQuery, offset: int, limit: int
    ) -> list[TrainingLine]:
        return training_lines(store, offset, limit)

    def cells(self, line: TrainingLine) -> Cells:
        supervisor = line.supervisor or "NONE NAMED"
        values = (line.name, line.role, "yes" if line.high_risk else "no", supervisor)
        cells = fitted(values, self.COLUMNS[:4], PLAIN)
        if not line.supervisor:
            cells[3] = (cells[3][0], ALARM)
        for competency, (_, width) in zip(Competency, self.COLUMNS[4:], strict=True):
            words, style = _STATE_WORDS[line.states[competency]]
            if competency in line.signed_off_by:
                words = f"{words} {initials(line.signed_off_by[competency])}"
            cells.append((f"{words:<{width}} ", style))
        return cells


def initials(name: str) -> str:
    """Who signed off, short enough for a matrix cell: Dr Priya Raman is PR."""
    words = [w for w in name.split() if w.rstrip(".") not in ("Dr", "Mr", "Mrs", "Ms", "Prof")]
    return "".join(w[0] for w in words).upper()
