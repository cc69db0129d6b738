"""The trigger-evaluation benchmark (`python -m benchmarks oversight`) at a tiny size: 3
metrics x 60 days, one sample of each figure.

Nothing here is timed: the checks are the benchmark's counts, which must agree at any
size. A start-up with nothing new writes nothing, a forced evaluation after the load (and
a second one straight after it) records nothing new, what the load reports as fired and
cleared is what the database holds, and every open firing has its escalation.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import store.oversight as store_oversight
from benchmarks.data import ACTOR
from benchmarks.oversight import (
    OversightMeasurements,
    OversightSettings,
    all_series,
    count_lines,
    counts,
    measure_oversight,
    table,
)
from benchmarks.run import main
from store import open_store

SETTINGS = OversightSettings(metrics=3, days=60, runs=1)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("oversight")


@pytest.fixture(scope="module")
def measured(folder: Path) -> OversightMeasurements:
    return measure_oversight(SETTINGS, folder, lambda _: None)


def test_every_count_agrees(measured: OversightMeasurements) -> None:
    assert measured.problems() == []
    assert count_lines(measured)[-1] == "Checks: every count agrees"


def test_the_load_stores_and_evaluates_everything(measured: OversightMeasurements) -> None:
    load = measured.after_load
    assert load.observations == measured.readings == 3 * 60
    assert len(measured.loaded.fired) == load.firings
    assert len(measured.loaded.cleared) == load.cleared
    # History fired and cleared, and at least the last metric's surge still stands.
    assert load.cleared >= 1
    assert load.open_firings >= 1
    assert load.open_escalations == load.agenda_items == load.open_firings


def test_a_start_up_with_nothing_new_writes_nothing(measured: OversightMeasurements) -> None:
    assert (measured.startup_found, measured.startup_changes) == (0, 0)
    assert (measured.never_startup_found, measured.never_startup_changes) == (0, 0)


def test_evaluating_again_records_nothing_new(measured: OversightMeasurements) -> None:
    assert (measured.forced_found, measured.again_found) == (0, 0)
    assert measured.rolled_back
    assert measured.never_add_found == 0


def test_a_hand_breach_fires_and_its_escalation_climbs(measured: OversightMeasurements) -> None:
    assert measured.hand_fired == measured.hand_metrics == 1
    assert measured.hand_ordinary_found == measured.never_hand_found == 0
    assert measured.after_hand.firings == measured.after_load.firings + 1
    assert measured.climb_idle == 0
    assert measured.climbed == measured.after_hand.open_escalations
    assert measured.end.climbs == 2 * measured.climbed  # operational to clinical to contractual


def test_the_reads_counted_are_what_an_evaluation_reads(
    measured: OversightMeasurements, folder: Path
) -> None:
    store = open_store(folder / "oversight.db", ACTOR)
    try:
        metrics: dict = {}
        read = 0
        for rule in store_oversight._rules(store, None):
            last = store_oversight._pending(store, rule, metrics).last
            after = None
            if last is not None:
                after = last.fired_period if last.cleared_on is None else last.cleared_period
            read += len(store_oversight._points(store, rule, after))
        assert counts(store).pending_reads == read
    finally:
        store.close()
    # A rule that has never fired reads every observation of its metric.
    assert measured.after_never.pending_reads >= measured.after_load.observations


def test_the_table_gives_every_figure(measured: OversightMeasurements) -> None:
    rows = table(measured).splitlines()[2:]
    assert len(rows) == 10
    assert rows[0].startswith("| load 180 observations |")


def test_the_data_is_the_same_every_run() -> None:
    assert all_series(SETTINGS) == all_series(SETTINGS)
    assert all_series(SETTINGS) != all_series(OversightSettings(3, 60, 1, seed=16))


def test_the_command_runs_and_refuses_bad_sizes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as refused:
        main(["oversight", "--sizes", "2,1"])
    assert refused.value.code == 2
    assert "at least 3 metrics" in capsys.readouterr().err
    assert main(["oversight", "--sizes", "3,1", "--runs", "1"]) == 0
    out = capsys.readouterr().out
    assert "3 daily metrics × 365 days" in out
    assert "Checks: every count agrees" in out
