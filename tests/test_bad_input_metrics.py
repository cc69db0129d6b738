"""The metrics import fed generated mixes of valid and invalid rows whose fate is known
as each row is made: new, corrected or unchanged (a period already recorded), rejected
(an unknown, blank or worked-out metric; a bad or future date; a value that is not a
finite number; a segment where none belongs or none where one does; a second row for the
same metric, period and segment; cells too many or too few; garbage), or blank and not
counted. Values run from the smallest to the largest finite numbers, so what the import
works out from them (referrals against baseline, caseload per clinician, the spread
between teams) meets them too.

Each file is imported all-or-nothing, with --skip-invalid or as a dry run, and must give
exactly the counts its rows say. All-or-nothing with a rejected row, or a dry run, writes
nothing; otherwise exactly the valid rows land, each with its audit row.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huddle.metrics_csv import COLUMNS
from huddle.models import ObservationSource, Period, Segmentation
from huddle.oversight import period_start
from huddle.printable import unseen
from huddle.waiting_csv import fold
from store import Store
from store.metrics_import import MetricsImportRequest, import_metrics_file
from tests.conftest import TODAY
from tests.test_bad_input import (
    Live,
    Row,
    assert_counts_add_up,
    assert_sound,
    audit_rows,
    bad_dates,
    hostile_text,
    last_audit_id,
    live_service,
    read_csv,
    without_digits,
    write_rows,
    written,
)

Key = tuple[int, date, str]  # metric, period start, folded segment


@dataclass(frozen=True)
class MetricInfo:
    """A metric as a row's fate depends on it."""

    id: int
    name: str
    period: Period
    by_team: bool
    derived: bool


@dataclass(frozen=True)
class Service:
    """What the template holds that decides each row's fate."""

    live: Live
    metrics: tuple[MetricInfo, ...]
    teams: tuple[str, ...]
    recorded: dict[Key, float]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    for live in live_service(tmp_path_factory.mktemp("bad-metrics")):
        yield read_service(live)


def read_service(live: Live) -> Service:
    store = live.store
    metrics = tuple(
        MetricInfo(id_, name, Period(period), seg == Segmentation.TEAM, derivation is not None)
        for id_, name, period, seg, derivation in store.conn.execute(
            "SELECT id, name, period, segmentation, derivation FROM metric ORDER BY id"
        )
    )
    recorded = {
        (metric_id, date.fromisoformat(start), fold(segment)): value
        for metric_id, start, segment, value in store.conn.execute(
            "SELECT metric_id, period_start, segment, value FROM observation"
        )
    }
    teams = tuple(
        name for (name,) in store.conn.execute("SELECT DISTINCT segment FROM observation")
    )
    return Service(live, metrics, tuple(t for t in teams if t), recorded)


# --- cells -----------------------------------------------------------------------------------


numbers = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(
        ["0", "007", ".5", "5.", "+3", "-0", "1E3", "1e-320", "1.7976931348623157e308"]
    ),
    st.sampled_from(["-1.7976931348623157e308", "4.9e-324", "123456789012345678901234567890"]),
).flatmap(lambda text: st.sampled_from([text, f" {text} "]))

bad_values = st.one_of(
    st.sampled_from(["nan", "inf", "-Infinity", "1,000", "1_000", "12%", "0x10", "1e999"]),
    st.sampled_from(["--1", "1e", ".", "+-1", "£5", "5 000", "1.2.3", "=1+1", "2e-"]),
    hostile_text.filter(without_digits),
)

# The months the service has readings in, so that rows often meet a recorded period.
recent = st.dates(date(2026, 5, 1), TODAY)


@st.composite
def valid_cells(
    draw: st.DrawFn, service: Service, with_segment: bool
) -> tuple[dict[str, str], Key, float]:
    """A row that is valid on its own (a later one may still repeat its key)."""
    entered = [m for m in service.metrics if not m.derived and (with_segment or not m.by_team)]
    metric = draw(st.sampled_from(entered))
    day = draw(st.one_of(recent, st.dates(max_value=TODAY)))
    segment = ""
    if metric.by_team:
        styles = [t for team in service.teams for t in (team, team.upper(), f" {team.lower()}")]
        # A team name holding an unseen character (an escape, a line break) is refused.
        named = hostile_text.filter(lambda text: text.strip() and unseen(text.strip()) is None)
        segment = draw(st.one_of(st.sampled_from(styles), named))
    value = draw(numbers)
    cells = {
        "metric": draw(st.sampled_from([metric.name, metric.name.upper(), f" {metric.name}"])),
        "period": draw(written(day)),
        "value": value,
        "segment": segment if metric.by_team else draw(st.sampled_from(["", " "])),
    }
    key = (metric.id, period_start(day, metric.period), fold(segment))
    return cells, key, float(value)


def fate(key: Key, value: float, recorded: dict[Key, float], seen: set[Key]) -> str:
    if key in seen:
        return "rejected"  # the same metric, period and segment as an earlier row
    seen.add(key)
    if key not in recorded:
        return "new"
    return "unchanged" if recorded[key] == value else "corrected"


@st.composite
def spoilt(draw: st.DrawFn, service: Service, cells: dict[str, str], columns: set[str]) -> str:
    """Spoil one cell of a valid row; the column spoilt."""
    metric = next(m for m in service.metrics if fold(m.name) == fold(cells["metric"]))
    choices = ["metric", "period", "value"]
    if "segment" in columns:
        choices.append("segment")
    column = draw(st.sampled_from(choices))
    if column == "metric":
        derived = [m.name for m in service.metrics if m.derived]
        cells["metric"] = draw(
            st.one_of(
                st.sampled_from(["", " ", *derived]),
                hostile_text.map(lambda t: f"Not a metric {t}"),
            )
        )
    elif column == "period":
        cells["period"] = draw(st.one_of(st.just(""), bad_dates))
    elif column == "value":
        cells["value"] = draw(bad_values)
    elif metric.by_team:
        cells["segment"] = draw(st.sampled_from(["", "  ", "\t"]))
    else:
        cells["segment"] = draw(hostile_text.filter(str.strip))
    return column


def spelt(service: Service, metric: MetricInfo, key: Key) -> str:
    """The segment of `key` as a file would give it: a team as it was first recorded."""
    if not metric.by_team:
        return ""
    return next((t for t in service.teams if fold(t) == key[2]), key[2])


# What a row may be made as: valid and spoilt rows come twice as often as the others.
ROW_KINDS = (
    *("valid", "spoilt") * 2,
    *("recorded", "repeat", "ragged", "garbage", "blank"),
)


@dataclass(frozen=True)
class File:
    """A generated file as bytes, the encoding to name for it, what its rows are, and the
    readings its new and corrected rows record."""

    data: bytes
    encoding: str | None
    fates: Counter[str]
    landed: list[tuple[Key, float]]  # what the new and corrected rows record


@st.composite
def files(draw: st.DrawFn, service: Service) -> File:
    columns = list(COLUMNS) if draw(st.booleans()) else ["metric", "period", "value"]
    places: list[str | None] = list(draw(st.permutations(columns)))
    if draw(st.booleans()):
        places.insert(draw(st.integers(0, len(places))), None)
    with_segment = "segment" in columns
    seen: set[Key] = set()
    rows: list[Row] = []
    landed: list[tuple[Key, float]] = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(ROW_KINDS))
        cells, key, value = draw(valid_cells(service, with_segment))
        if kind == "recorded":
            # A period already recorded: the same value (unchanged) or another (corrected).
            key = draw(st.sampled_from(recorded_keys(service, with_segment)))
            metric = next(m for m in service.metrics if m.id == key[0])
            value = draw(st.sampled_from([service.recorded[key], service.recorded[key] + 1]))
            cells.update(
                metric=metric.name,
                period=draw(written(key[1])),
                value=repr(value),
                segment=spelt(service, metric, key),
            )
        if kind in ("valid", "recorded"):
            row = Row(cells, fate(key, value, service.recorded, seen))
            if row.fate in ("new", "corrected"):
                landed.append((key, value))
        elif kind == "spoilt":
            if draw(spoilt(service, cells, set(columns))) == "value":
                seen.add(key)  # it still names its period: a later row for it is a repeat
            row = Row(cells, "rejected")
        elif kind == "repeat" and seen:
            key = draw(st.sampled_from(sorted(seen)))
            metric = next(m for m in service.metrics if m.id == key[0])
            cells.update(
                metric=metric.name,
                period=draw(written(key[1])),
                segment=spelt(service, metric, key),
            )
            row = Row(cells, "rejected")
        elif kind == "ragged":
            extra = draw(st.lists(hostile_text.filter(str.strip), min_size=1, max_size=2))
            row = Row(cells, "rejected", extra)
        elif kind == "garbage":
            row = Row(
                {**{c: draw(hostile_text) for c in COLUMNS}, "metric": "Not a metric"},
                "rejected",
            )
        else:
            row = Row(dict.fromkeys(COLUMNS, " "), "blank", short=draw(st.sampled_from([0, 9])))
        rows.append(row)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c or "notes" for c in places])
    fates = write_rows(writer, places, rows)
    named = draw(st.sampled_from([None, "utf-8", "utf-16"]))
    data = out.getvalue().encode(named or draw(st.sampled_from(["utf-8", "utf-8-sig"])))
    return File(data, named, fates, landed)


def recorded_keys(service: Service, with_segment: bool) -> list[Key]:
    """Periods already recorded of the metrics a file can give."""
    entered = {m.id for m in service.metrics if not m.derived and (with_segment or not m.by_team)}
    return sorted(key for key in service.recorded if key[0] in entered)


# --- the property --------------------------------------------------------------------------------


@given(data=st.data(), skip_invalid=st.booleans(), dry_run=st.booleans())
def test_every_reading_lands_or_is_rejected_exactly_as_it_was_made(
    service: Service, data: st.DataObject, skip_invalid: bool, dry_run: bool
) -> None:
    file = data.draw(files(service), label="file")
    fates = file.fates
    path = service.live.path(".csv")
    path.write_bytes(file.data)
    rejects = service.live.path(".rejects.csv")
    request = MetricsImportRequest(
        path, file.encoding, rejects=rejects, skip_invalid=skip_invalid, dry_run=dry_run
    )
    store = service.live.fresh()
    before, last = audit_rows(store), last_audit_id(store)
    result = import_metrics_file(store, request, TODAY)

    assert_counts_add_up(result)
    assert result.rows_in == sum(fates.values()) - fates["blank"]
    assert result.invalid == fates["rejected"]
    assert (len(read_csv(rejects)) if rejects.exists() else 0) == fates["rejected"]
    blocked = fates["rejected"] > 0 and not skip_invalid
    assert result.blocked == blocked
    if not blocked:
        assert (result.new, result.changed, result.same) == (
            fates["new"],
            fates["corrected"],
            fates["unchanged"],
        )
    if blocked or dry_run:
        assert audit_rows(store) == before
    else:
        assert imported_audit(store, last) == {
            op: n for op, n in (("insert", fates["new"]), ("update", fates["corrected"])) if n
        }
        for key, value in file.landed:
            assert stored_value(store, key) == value
    assert_sound(store)


def imported_audit(store: Store, after_id: int) -> dict[str, int]:
    """The audit rows of observations this import recorded (not those it worked out)."""
    return dict(
        store.conn.execute(
            "SELECT operation, count(*) FROM audit WHERE id > ? AND table_name = 'observation' "
            "AND json_extract(after, '$.source') = ? GROUP BY operation",
            (after_id, ObservationSource.IMPORT),
        ).fetchall()
    )


def stored_value(store: Store, key: Key) -> float:
    metric_id, start, segment = key
    found = [
        value
        for value, stored_segment in store.conn.execute(
            "SELECT value, segment FROM observation WHERE metric_id = ? AND period_start = ?",
            (metric_id, start.isoformat()),
        )
        if fold(stored_segment) == segment
    ]
    assert len(found) == 1, (key, found)
    return found[0]


# --- faults the generated files found, each pinned -------------------------------------------


def test_caseloads_too_far_apart_to_measure_their_spread_are_recorded(
    service: Service,
) -> None:
    """Teams at +1e307 and -1e307 cases per clinician and one at 1 have a mean of a third,
    so a spread of some 3e309%, past the largest float: working it out for the variance
    rule raised OverflowError. The readings are recorded; that week's spread cannot be
    worked out, so it is no point of the rule's run."""
    week = "16/11/2026"
    rows = [["Clinicians in post", week, "1", team] for team in service.teams] + [
        ["Open caseload", week, value, team]
        for team, value in zip(service.teams, ["1e307", "-1e307", "1"], strict=True)
    ]
    path = service.live.path(".csv")
    path.write_text(
        "metric,period,value,segment\r\n" + "\r\n".join(",".join(row) for row in rows),
        encoding="utf-8",
    )
    store = service.live.fresh()
    result = import_metrics_file(store, MetricsImportRequest(path), TODAY)
    assert (result.rows_in, result.rejected, result.fired) == (6, 0, [])
    assert_sound(store)
