"""`python -m benchmarks actions [--quick] [--sizes SMALL,LARGE[,LARGER]] [--runs N]`: the time
to open the Actions screen and filter it, at 10,000 actions against 10.

Made and sampled as the waiting-list figures are (benchmarks/run.py): the demo service with
a small waiting list and N extra actions (benchmarks/data.py), every sample in a fresh
process (`python -m benchmarks.probe actions`), the sizes sampled in turn after one round
thrown away, medians. Figures are printed, never asserted; the regression check
(tests/test_benchmarks_actions.py) only fails on a gross ratio.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

from benchmarks.data import ACTIONS_SEARCH, ACTIONS_USER, TODAY, actions_database
from benchmarks.run import _say, in_turn, probe


@dataclass(frozen=True)
class ActionSettings:
    sizes: tuple[int, ...]  # extra actions: the baseline first, then the measured sizes
    runs: int  # samples of each size, medians taken
    warm_up: bool = True  # one round of samples first, thrown away


FULL = ActionSettings(sizes=(10, 10_000, 100_000), runs=7)
QUICK = ActionSettings(sizes=(10, 10_000), runs=3)

# (key in the probe's answer, what the table calls it)
FIGURES = (
    ("open_s", "open the Actions screen (`4`, from the app's start)"),
    ("overdue_s", "overdue view (`l`)"),
    ("mine_s", f"mine (`m`, as {ACTIONS_USER})"),
    ("search_s", f"search titles (`/` {ACTIONS_SEARCH} enter)"),
    ("sort_s", "sort by owner (`s`)"),
)


@dataclass(frozen=True)
class Overdue:
    """The overdue count three ways, at one size: they must agree."""

    showing: int  # the line above the list in the overdue view ("Showing N: overdue")
    headline: int  # the screen's headline ("N OVERDUE")
    status: int  # store.queries.status_summary(...).actions.overdue (Today, huddle status)

    @property
    def agrees(self) -> bool:
        return self.showing == self.headline == self.status


@dataclass(frozen=True)
class ActionMeasurements:
    settings: ActionSettings
    seconds: dict[str, dict[int, float]]  # figure -> size -> median seconds
    rows: dict[str, dict[int, int]]  # figure -> size -> actions its query matches
    overdue: dict[int, list[Overdue]]  # size -> one per sample
    stored: dict[int, int]  # size -> every action in the database: the demo's own and these

    @property
    def baseline(self) -> int:
        return self.settings.sizes[0]

    def ratio(self, figure: str, size: int) -> float:
        return self.seconds[figure][size] / self.seconds[figure][self.baseline]

    @property
    def overdue_agrees(self) -> bool:
        return all(o.agrees for samples in self.overdue.values() for o in samples)


def measure_actions(
    settings: ActionSettings, say: Callable[[str], None] = _say
) -> ActionMeasurements:
    """Every figure, on data made in a temporary folder that is deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="huddle-benchmarks-actions-") as tmp:
        dbs = {}
        for size in settings.sizes:
            say(f"generating the demo service with {size:,} extra actions")
            dbs[size] = actions_database(Path(tmp), size)
        stored = {size: _count_actions(path) for size, path in dbs.items()}
        say("the Actions screen")

        def sampler(size: int) -> Callable[[], dict[str, Any]]:
            return lambda: probe(
                "actions",
                db=str(dbs[size]),
                today=TODAY.isoformat(),
                user=ACTIONS_USER,
                search=ACTIONS_SEARCH,
            )

        samples = in_turn(
            {str(size): sampler(size) for size in settings.sizes},
            settings.runs,
            warm_up=settings.warm_up,
        )
    by_size = {size: samples[str(size)] for size in settings.sizes}
    return ActionMeasurements(
        settings=settings,
        seconds={
            figure: {size: median(s[figure] for s in by_size[size]) for size in settings.sizes}
            for figure, _ in FIGURES
        },
        rows={
            figure: {size: by_size[size][0]["rows"][figure] for size in settings.sizes}
            for figure, _ in FIGURES
        },
        overdue={
            size: [
                Overdue(s["overdue_showing"], s["overdue_headline"], s["overdue_status"])
                for s in by_size[size]
            ]
            for size in settings.sizes
        },
        stored=stored,
    )


def _count_actions(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT count(*) FROM action").fetchone()[0]
    finally:
        connection.close()


def table(m: ActionMeasurements) -> str:
    """Markdown: each figure in ms (and the actions its query matches) at every size, and
    each size over the baseline."""
    base, measured = m.baseline, m.settings.sizes[1:]
    head = ["figure", f"at {base:,}"]
    for size in measured:
        head += [f"at {size:,}", f"{size:,} / {base:,}"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for figure, name in FIGURES:
        cells = [name, _cell(m, figure, base)]
        for size in measured:
            cells += [_cell(m, figure, size), f"{m.ratio(figure, size):.2f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cell(m: ActionMeasurements, figure: str, size: int) -> str:
    return f"{m.seconds[figure][size] * 1000:,.0f} ms ({m.rows[figure][size]:,} rows)"


def sizes_line(m: ActionMeasurements) -> str:
    own = m.stored[m.baseline] - m.baseline
    return (
        f"Sizes are actions added to the demo service's own {own:,} "
        f"(stored: {', '.join(f'{n:,}' for n in m.stored.values())}); "
        f"medians of {m.settings.runs} runs; ms (actions the query matches)."
    )


def overdue_lines(m: ActionMeasurements) -> list[str]:
    lines = []
    for size, samples in m.overdue.items():
        first = samples[0]
        verdict = "agree" if all(o.agrees for o in samples) else "DISAGREE"
        lines.append(
            f"Overdue at {size:,} extra actions: the overdue view shows {first.showing:,}, "
            f"the headline {first.headline:,}, status_summary {first.status:,}: {verdict}"
            + ("" if verdict == "agree" else f" ({samples})")
        )
    return lines
