"""Every team's (or provider's) values of one metric on one chart, against the metric's
tolerance band, drawn by screens.metric_chart's `plot`; and the views `s` steps through on
key 6 for a metric recorded by segment.

Each segment's points are its letter: the initial of the word that tells it apart from the
others ("Therapy North" N, "Therapy South" S, "Therapy West" W), else another letter of its
name, else any letter or digit not taken; the legend names each. Where a point stands
against the tolerance is readable without colour twice over: a point out of tolerance is
never drawn on the band's shading (it sits above or below it, as on the one-value chart),
and a row under the axis says it in shapes at each period where any segment is outside:
▲ above, ▼ below, ↕ some above and some below. Letters rather than the shapes ● ▲ ▼,
because a shape cannot say whose point it is; a mark beside each letter would not fit a
period one character wide. Two segments at one place show + (`s` shows each alone).
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from rich.text import Text

from huddle.models import Period
from screens.metric_chart import ABOVE, BELOW, BOTH, CROWDED, Marks, plot

SPARE = tuple(string.ascii_uppercase + string.digits)
"""Marks for segments whose names give none free. Only ASCII: one column wide everywhere."""


def letters(names: Sequence[str]) -> dict[str, str]:
    """A distinct one-character mark for each segment, by name, in the order given."""
    words = {name: re.findall(r"[^\W_]+", name) for name in names}
    folded = [{word.casefold() for word in said} for said in words.values()]
    shared = set.intersection(*folded) if len(folded) > 1 else set()
    given: dict[str, str] = {}
    for name in names:
        telling = [word for word in words[name] if word.casefold() not in shared]
        # The later words of a name are the more particular ("Therapy North"), so they
        # come before the earlier ones.
        candidates = [word[0] for word in telling + words[name][::-1]]
        candidates += [*name, *SPARE]
        taken = set(given.values())
        free = (mark for mark in map(str.upper, candidates) if mark in SPARE and mark not in taken)
        given[name] = next(free, "?")
    return given


def segments_chart(
    segments: Mapping[str, Sequence[tuple[date, float]]],
    *,
    noun: str,
    period: Period,
    low: float | None,
    high: float | None,
    fired: Sequence[date] = (),
    cleared: Sequence[date] = (),
    width: int = 80,
    height: int = 10,
) -> Text:
    """Each segment's (period start, value) points, `segments` by name, as its letter;
    `noun` what a segment is ("team", "provider") for the legend."""
    marked = letters(list(segments))
    observed: dict[date, list[tuple[str, float]]] = {}
    for name, points in segments.items():
        for start, value in points:
            observed.setdefault(start, []).append((name, value))

    def legend(drawn: set[str]) -> list[list[str]]:
        sides = [f"{ABOVE} a {noun} above", f"{BELOW} a {noun} below"]
        if BOTH in drawn:
            sides.append(f"{BOTH} {noun}s above and below")
        if CROWDED in drawn:
            sides.append(f"{CROWDED} {noun}s at one point")
        return [[f"{marked[name]} {name}" for name in segments], sides]

    return plot(
        observed,
        Marks(lambda whose, _: marked[whose], legend, standings=True),
        period=period,
        low=low,
        high=high,
        fired=fired,
        cleared=cleared,
        width=width,
        height=height,
    )


@dataclass(frozen=True)
class View:
    """What the chart of a metric by segment shows: the spread between its segments, all of
    them at once, or one."""

    segment: str | None = None
    """The one segment shown, by name."""
    spread: bool = False


def views(segments: Sequence[str], *, spread: bool) -> list[View]:
    """The views `s` steps through, in order, the first shown first: the spread where a
    variance rule judges it, then all the segments, then each in turn."""
    return [*([View(spread=True)] if spread else []), View(), *map(View, segments)]
