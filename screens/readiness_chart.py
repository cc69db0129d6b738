"""The readiness picture, drawn by hand in text: each workstream's RAG at each of the last
meetings (a letter on its colour), and under it sparkline bars with their figures for
competency sign-off and critical evidence, and the verdict with its count of blockers.

Hand-drawn rather than a plotting widget: seven points read better as letters and numbers
than as a plotted line, every cell keeps its letter on a monochrome terminal, and it needs
no dependency.
"""

from __future__ import annotations

from huddle.models import Rag
from huddle.readiness import Verdict
from screens.markup import escape
from store.mobilisation_view import MobilisationView

BARS = "▁▂▃▄▅▆▇█"
COLUMN = 6
LABEL = 20
_RAG_MARKUP = {Rag.RED: "white on red", Rag.AMBER: "black on yellow", Rag.GREEN: "black on green"}
_VERDICT_MARK = {Verdict.NOT_READY: "✗", Verdict.CONDITIONS: "~", Verdict.READY: "✓"}


def bar(percent: int) -> str:
    return BARS[min(len(BARS) - 1, percent * len(BARS) // 101)]


def _rag(rag: Rag | None) -> str:
    if rag is None:
        return f"{'—':^{COLUMN}}"
    return f"[{_RAG_MARKUP[rag]}] {rag.letter} [/]" + " " * (COLUMN - 3)


def chart(view: MobilisationView) -> str:
    points = view.history
    days = "".join(
        f"{'today' if p.day == view.as_at else f'{p.day:%d/%m}':<{COLUMN}}" for p in points
    )
    lines = [f"[b]{'Readiness over time':<{LABEL}}[/b]{days}"]
    for position, (_, name) in enumerate(view.workstreams):
        cells = "".join(_rag(p.rags[position] if position < len(p.rags) else None) for p in points)
        lines.append(f"{escape(name[: LABEL - 1]):<{LABEL}}{cells}")
    for label, values in (
        ("Sign-off, high-risk", [p.signed_off for p in points]),
        ("Critical evidenced", [p.evidenced for p in points]),
    ):
        cells = "".join(f"{bar(v)}{v:>3}% " for v in values)
        lines.append(f"{label:<{LABEL}}{cells}")
    verdicts = "".join(
        f"{_VERDICT_MARK[p.readiness.verdict]} {len(p.readiness.blockers):<{COLUMN - 2}}"
        for p in points
    )
    lines.append(f"{'Blockers (✗ no-go)':<{LABEL}}{verdicts}")
    return "\n".join(lines)
