"""`huddle import metrics`: every row checked, one audited write or nothing, and the
triggers the observations fire reported with why.

Real SQLite files in tmp_path (one service with the demo's providers and staff, four
metrics and a trigger rule, built once and copied for each test), a fixed date, and
files written byte for byte as a spreadsheet writes them."""

from __future__ import annotations

import csv
import io
import re
import shutil
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from fixtures.people import PROVIDERS, add_providers_and_staff
from huddle.cli import main
from huddle.clock import FixedClock
from huddle.metrics_csv import MetricLookups, MetricRowChecker, resolve_columns
from huddle.models import (
    Comparison,
    Derivation,
    GoodDirection,
    Metric,
    Period,
    Segmentation,
    Service,
    TriggerRule,
)
from store import open_store, records
from store.oversight import add_rule, define_metric
from tests.test_cli_errors import run

TODAY = date(2026, 11, 22)  # a Sunday
CLOCK = FixedClock(TODAY)
TRUST = PROVIDERS["prime"].name  # Northbrook Community Health NHS Trust
LINKS = PROVIDERS["vcse"].name  # Northbrook Community Links
SERIES = "Waiting-list huddle — therapy"
SUMMARY = re.compile(
    r"rows in: (\d+); new: (\d+); corrected: (\d+); unchanged: (\d+); rejected: (\d+)"
)
HEADER = ["metric", "period", "value", "segment"]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HUDDLE_DB", "HUDDLE_TODAY", "HUDDLE_USER"):
        monkeypatch.delenv(name, raising=False)


# --- the service --------------------------------------------------------------------------------


def metric(name: str, owner: int, **fields: object) -> Metric:
    base = {
        "name": name,
        "unit": "referrals",
        "period": Period.DAILY,
        "tolerance_high": 115,
        "good": GoodDirection.LOWER,
        "response_pathway": "Pathway coordinator reviews triage capacity",
        "review_cycle": "weekly",
        "owner_id": owner,
    }
    return Metric.model_validate({**base, **fields})


def build_service(path: Path) -> Path:
    store = open_store(path, "tester")
    records.ensure_default_tiers(store)
    with store.write("test service, providers and staff") as txn:
        records.insert(txn, Service(name="Test service"))
        roster = add_providers_and_staff(txn)
    owner = roster.named("Kofi Mensah")
    referrals = define_metric(store, metric("Referrals", owner, baseline=100), TODAY)
    define_metric(
        store,
        metric(
            "Referrals vs baseline",
            owner,
            unit="%",
            derivation=Derivation.VS_BASELINE,
            inputs={"measure": referrals.id},
        ),
        TODAY,
    )
    define_metric(
        store,
        metric("Caseload", owner, unit="cases", period=Period.WEEKLY, segmentation="by team"),
        TODAY,
    )
    define_metric(
        store,
        metric(
            "Open cases",
            owner,
            unit="cases",
            period=Period.MONTHLY,
            segmentation=Segmentation.PROVIDER,
        ),
        TODAY,
    )
    add_rule(
        store,
        TriggerRule(
            metric_id=referrals.id,
            name="Referrals over capacity",
            comparison=Comparison.AT_OR_ABOVE,
            threshold=15,
            relative_to_baseline=True,
            periods=5,
            series=SERIES,
            owner_id=owner,
        ),
        TODAY,
    )
    store.close()
    return path


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_service(tmp_path_factory.mktemp("service") / "service.db")


@pytest.fixture
def db(service: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "huddle.db"
    shutil.copyfile(service, copy)
    return copy


# --- helpers ------------------------------------------------------------------------------------


def csv_text(rows: list[list[str]], header: list[str] | None = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out)  # \r\n line ends, as Excel writes them
    writer.writerow(header or HEADER)
    writer.writerows(rows)
    return out.getvalue()


def write_file(path: Path, rows: list[list[str]], header: list[str] | None = None) -> Path:
    path.write_text(csv_text(rows, header), encoding="utf-8", newline="")
    return path


def import_(db: Path, path: Path, capsys, *options: str) -> tuple[int, str, str]:
    # Run by the metrics' owner, a person of the service (store.sign_in).
    argv = ["import", "metrics", str(path), "--db", str(db), "--user", "Kofi Mensah"]
    return run([*argv, *options], capsys)


def summary(out: str) -> dict[str, int]:
    """The one summary line, with rows in = new + corrected + unchanged + rejected."""
    found = SUMMARY.findall(out)
    assert len(found) == 1, out
    rows_in, new, corrected, unchanged, rejected = (int(n) for n in found[0])
    assert rows_in == new + corrected + unchanged + rejected
    return {
        "rows in": rows_in,
        "new": new,
        "corrected": corrected,
        "unchanged": unchanged,
        "rejected": rejected,
    }


def counts(rows_in: int, new=0, corrected=0, unchanged=0, rejected=0) -> dict[str, int]:
    return {
        "rows in": rows_in,
        "new": new,
        "corrected": corrected,
        "unchanged": unchanged,
        "rejected": rejected,
    }


def query(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    store = open_store(db, "reader", migrate=False)
    try:
        return store.conn.execute(sql, params).fetchall()
    finally:
        store.close()


def observations(db: Path) -> list[tuple]:
    return query(
        db,
        "SELECT m.name, o.period_start, o.segment, o.value, o.source FROM observation AS o "
        "JOIN metric AS m ON m.id = o.metric_id ORDER BY m.name, o.period_start, o.segment",
    )


def audit_count(db: Path) -> int:
    return query(db, "SELECT count(*) FROM audit")[0][0]


def assert_refused(code: int, err: str, *needles: str) -> None:
    """Refused as a whole: exit 2, one line on stderr naming every needle."""
    assert code == 2, err
    line = err.strip()
    assert "\n" not in line and line.startswith("huddle: "), err
    for needle in needles:
        assert needle in line, (needle, line)


# Five days at or above 115 (baseline 100 + 15%), the last the day before today.
FIRING_WEEK = [["Referrals", f"{day}/11/2026", "120", ""] for day in range(17, 22)]
CLEAN = [
    *FIRING_WEEK,
    ["Caseload", "18/11/2026", "22", "Therapy team"],  # a Wednesday: the week of 16/11
    ["Caseload", "2026-11-16", "18", "Community nursing"],
    ["Open cases", "30/10/2026", "310", TRUST],  # October's figure, dated the month's end
    ["Open cases", "30/10/2026", "42", LINKS],
]


# --- a clean file ---------------------------------------------------------------------------


def test_a_clean_file_is_recorded_in_its_periods(db: Path, tmp_path: Path, capsys) -> None:
    path = write_file(tmp_path / "metrics.csv", CLEAN)
    code, out, err = import_(db, path, capsys)
    assert code == 0, err
    assert err == ""
    assert summary(out) == counts(9, new=9)
    found = observations(db)
    imported = [row for row in found if row[0] != "Referrals vs baseline"]
    assert imported == [
        ("Caseload", "2026-11-16", "Community nursing", 18.0, "imported"),
        ("Caseload", "2026-11-16", "Therapy team", 22.0, "imported"),
        ("Open cases", "2026-10-01", TRUST, 310.0, "imported"),
        ("Open cases", "2026-10-01", LINKS, 42.0, "imported"),
        *(("Referrals", f"2026-11-{day}", "", 120.0, "imported") for day in range(17, 22)),
    ]
    # The derived metric is worked out from what was imported, in the same write.
    derived = [row for row in found if row[0] == "Referrals vs baseline"]
    assert [(r[1], r[3], r[4]) for r in derived] == [
        (f"2026-11-{day}", 120.0, "worked out by the app") for day in range(17, 22)
    ]
    reasons = {r for (r,) in query(db, "SELECT DISTINCT reason FROM audit WHERE id > 1")}
    assert "metrics import of metrics.csv" in reasons
    assert not (tmp_path / "metrics.rejects.csv").exists()


def test_headers_are_folded_reordered_and_extra_columns_ignored(
    db: Path, tmp_path: Path, capsys
) -> None:
    header = ["  VALUE ", "Notes", "Metric", "period"]
    path = tmp_path / "metrics.csv"
    path.write_text(
        "\ufeff" + csv_text([["121", "a note", "referrals", "17/11/2026"]], header),
        encoding="utf-8",
        newline="",
    )
    code, out, err = import_(db, path, capsys)
    assert code == 0, err
    assert summary(out) == counts(1, new=1)
    assert ("Referrals", "2026-11-17", "", 121.0, "imported") in observations(db)


def test_a_header_holding_an_unseen_character_is_refused_by_position(
    db: Path, tmp_path: Path, capsys
) -> None:
    before = observations(db)
    header = ["metric", "period", "value", "No\u2029tes"]
    path = write_file(tmp_path / "metrics.csv", [["Referrals", "17/11/2026", "1", ""]], header)
    code, _, err = import_(db, path, capsys)
    assert_refused(code, err, "column 4 of the header ('No\\u2029tes'): ", "U+2029")
    assert observations(db) == before


def test_the_same_file_again_is_all_unchanged(db: Path, tmp_path: Path, capsys) -> None:
    path = write_file(tmp_path / "metrics.csv", CLEAN)
    assert import_(db, path, capsys)[0] == 0
    before = audit_count(db)
    code, out, err = import_(db, path, capsys)
    assert code == 0, err
    assert summary(out) == counts(9, unchanged=9)
    assert "triggers fired: 0" in out
    assert audit_count(db) == before  # no write, no audit row


def test_a_changed_value_is_corrected_and_audited(db: Path, tmp_path: Path, capsys) -> None:
    assert import_(db, write_file(tmp_path / "week.csv", CLEAN), capsys)[0] == 0
    again = [row[:] for row in CLEAN]
    again[0][2] = "125"  # Referrals on 17/11
    again[5][2] = "23"  # Caseload, Therapy team
    code, out, err = import_(db, write_file(tmp_path / "again.csv", again), capsys)
    assert code == 0, err
    assert summary(out) == counts(9, corrected=2, unchanged=7)
    found = observations(db)
    assert ("Referrals", "2026-11-17", "", 125.0, "imported") in found
    assert ("Referrals vs baseline", "2026-11-17", "", 125.0, "worked out by the app") in found
    assert ("Caseload", "2026-11-16", "Therapy team", 23.0, "imported") in found
    reasons = [r for (r,) in query(db, "SELECT reason FROM audit WHERE operation = 'update'")]
    assert "corrected: 120 became 125" in reasons
    assert "corrected: 22 became 23" in reasons


def test_a_team_keeps_its_first_spelling_and_providers_their_names(
    db: Path, tmp_path: Path, capsys
) -> None:
    assert import_(db, write_file(tmp_path / "a.csv", CLEAN), capsys)[0] == 0
    rows = [
        ["Caseload", "23/11/2026", "21", "  therapy   TEAM "],
        ["Open cases", "02/11/2026", "300", "northbrook community health nhs trust"],
    ]
    code, out, err = import_(db, write_file(tmp_path / "b.csv", rows), capsys, "--dry-run")
    assert code == 1
    assert "line 2: period: '23/11/2026' is after today (22/11/2026)" in err
    rows[0][1] = "22/11/2026"
    code, out, err = import_(db, write_file(tmp_path / "c.csv", rows), capsys)
    assert code == 0, err
    # The same team and week as before, as first spelled: a correction, not a new segment.
    assert summary(out) == counts(2, new=1, corrected=1)
    found = observations(db)
    assert ("Caseload", "2026-11-16", "Therapy team", 21.0, "imported") in found
    assert ("Open cases", "2026-11-01", TRUST, 300.0, "imported") in found


# --- triggers ---------------------------------------------------------------------------------


def test_an_import_that_fires_a_trigger_says_why(db: Path, tmp_path: Path, capsys) -> None:
    code, out, err = import_(db, write_file(tmp_path / "metrics.csv", CLEAN), capsys)
    assert code == 0, err
    assert "triggers fired: 1" in out
    fired = [line for line in out.splitlines() if line.startswith("  Referrals over capacity: ")]
    assert len(fired) == 1
    assert "Referrals at or above 115 referrals (baseline 100 + 15%)" in fired[0]
    assert "17/11/2026 to 21/11/2026" in fired[0]
    assert f"on the agenda of the next {SERIES}" in out
    (why,) = query(db, "SELECT why FROM trigger_firing")[0]
    assert fired[0] == f"  Referrals over capacity: {why}"
    assert query(db, "SELECT source, rung FROM action") == [("trigger", "operational")]
    assert query(db, "SELECT series, meeting_id FROM agenda_item") == [(SERIES, None)]

    # Back within the rule on today's figure: cleared, and said so.
    today = write_file(tmp_path / "today.csv", [["Referrals", "22/11/2026", "98", ""]])
    code, out, err = import_(db, today, capsys)
    assert code == 0, err
    assert "triggers fired: 0" in out
    assert "triggers cleared: 1" in out
    assert "  Referrals over capacity: back within the rule on 22/11 98" in out


def test_a_run_already_over_is_reported_fired_and_cleared(db: Path, tmp_path: Path, capsys) -> None:
    rows = [*FIRING_WEEK, ["Referrals", "22/11/2026", "90", ""]]
    code, out, err = import_(db, write_file(tmp_path / "history.csv", rows), capsys)
    assert code == 0, err
    assert "triggers fired: 1" in out
    assert "already back within the rule on 22/11 90: no escalation" in out
    assert "triggers cleared" not in out  # the same firing, said once
    assert query(db, "SELECT count(*) FROM action") == [(0,)]


# --- rejected rows -------------------------------------------------------------------------------


REJECTIONS = [
    (["Referals", "17/11/2026", "120", ""], "metric: 'Referals' is not a metric in this database"),
    (["Referals", "17/11/2026", "120", ""], "(metrics a file can give: Caseload, Open cases, "),
    (["", "17/11/2026", "120", ""], "metric: blank: name the metric"),
    (
        ["Referrals vs baseline", "17/11/2026", "120", ""],
        "metric: 'Referrals vs baseline' is worked out by the app (percent of baseline from "
        "Referrals), so it cannot be imported: give Referrals instead",
    ),
    (["Referrals", "17/11/26", "120", ""], "period: date '17/11/26' is not a date: use dd/mm/yyyy"),
    (["Referrals", "11/17/2026", "120", ""], "period: date '11/17/2026' is not a real date"),
    (["Referrals", "31/02/2026", "120", ""], "period: date '31/02/2026' is not a real date"),
    (["Referrals", "", "120", ""], "period: blank: give a date in the period"),
    (
        ["Referrals", "23/11/2026", "120", ""],
        "period: '23/11/2026' is after today (22/11/2026): it cannot have been observed yet",
    ),
    (  # November has begun, but its last day has not come
        ["Open cases", "30/11/2026", "300", TRUST],
        "period: '30/11/2026' is after today (22/11/2026)",
    ),
    (["Referrals", "17/11/2026", "", ""], "value: blank: a value is required"),
    (["Referrals", "17/11/2026", "nan", ""], "value: 'nan' is not a finite number"),
    (["Referrals", "17/11/2026", "inf", ""], "value: 'inf' is not a finite number"),
    (["Referrals", "17/11/2026", "-Infinity", ""], "value: '-Infinity' is not a finite number"),
    (["Referrals", "17/11/2026", "1e400", ""], "value: '1e400' is not a finite number"),
    (["Referrals", "17/11/2026", "12%", ""], "value: '12%' is not a number"),
    (["Referrals", "17/11/2026", "1,200", ""], "value: '1,200' is not a number"),
    (["Referrals", "17/11/2026", "1_200", ""], "value: '1_200' is not a number"),
    (["Referrals", "17/11/2026", "=1+1", ""], "value: '=1+1' is not a number"),
    (
        ["Referrals", "17/11/2026", "120", "Therapy team"],
        "segment: 'Therapy team' given, but Referrals is for the whole service: leave segment "
        "blank",
    ),
    (
        ["Caseload", "16/11/2026", "20", ""],
        "segment: blank: Caseload is by team; name the team",
    ),
    (
        ["Open cases", "01/11/2026", "20", "Nowhere Health"],
        "segment: 'Nowhere Health' is not a provider in this database (known: ",
    ),
    (["Referrals", "17/11/2026"], "row: has 2 cells but the header has 4"),
]


@pytest.mark.parametrize(("row", "reason"), REJECTIONS)
def test_each_bad_row_is_rejected_by_line_field_and_value(
    db: Path, tmp_path: Path, capsys, row: list[str], reason: str
) -> None:
    path = write_file(tmp_path / "metrics.csv", [FIRING_WEEK[0], row])
    code, out, err = import_(db, path, capsys)
    assert code == 1
    assert err.startswith("line 3: "), err
    assert reason in err
    assert summary(out) == counts(2, rejected=2)
    assert observations(db) == []


def test_every_problem_of_a_row_is_named_in_column_order(db: Path, tmp_path: Path, capsys) -> None:
    path = write_file(tmp_path / "metrics.csv", [["Caseload", "31/02/2026", "lots", ""]])
    code, _, err = import_(db, path, capsys)
    assert code == 1
    assert err.strip() == (
        "line 2: period: date '31/02/2026' is not a real date (day is out of range for month); "
        "value: 'lots' is not a number (write it plainly, e.g. 120 or 12.5); "
        "segment: blank: Caseload is by team; name the team"
    )


def test_the_same_period_twice_rejects_the_later_row(db: Path, tmp_path: Path, capsys) -> None:
    rows = [
        ["Caseload", "16/11/2026", "20", "Therapy team"],
        ["Caseload", "16/11/2026", "20", "Community nursing"],  # another team: fine
        ["Referrals", "17/11/2026", "120", ""],
        ["Caseload", "20/11/2026", "21", "therapy team"],  # a Friday of the same week
        ["Referrals", "2026-11-17", "121", ""],
        ["Referrals", "18/11/2026", "n/a", ""],
        ["Referrals", "18/11/2026", "118", ""],  # which is right? neither is guessed
    ]
    code, out, err = import_(db, write_file(tmp_path / "metrics.csv", rows), capsys)
    assert code == 1
    assert err.splitlines() == [
        "line 5: period: '20/11/2026' is the same metric, period and segment as line 2 "
        "(Caseload, therapy team, week starting 16/11/2026)",
        "line 6: period: '2026-11-17' is the same metric, period and segment as line 4 "
        "(Referrals, 17/11/2026)",
        "line 7: value: 'n/a' is not a number (write it plainly, e.g. 120 or 12.5)",
        "line 8: period: '18/11/2026' is the same metric, period and segment as line 7 "
        "(Referrals, 18/11/2026)",
    ]
    assert summary(out) == counts(7, rejected=7)


def test_one_bad_row_writes_nothing_by_default(db: Path, tmp_path: Path, capsys) -> None:
    before = audit_count(db)
    rows = [*CLEAN, ["Referrals", "17/11/26", "120", ""]]
    code, out, err = import_(db, write_file(tmp_path / "metrics.csv", rows), capsys)
    assert code == 1
    assert summary(out) == counts(10, rejected=10)
    assert (
        "nothing written: 1 of 10 rows are invalid and the import is all-or-nothing; "
        "correct them, or give --skip-invalid" in out
    )
    assert "triggers" not in out  # none were evaluated
    assert observations(db) == []
    assert query(db, "SELECT count(*) FROM trigger_firing") == [(0,)]
    assert audit_count(db) == before
    assert not (tmp_path / "metrics.rejects.csv").exists()


def test_skip_invalid_imports_the_rest_and_keeps_every_reject_beside_the_file(
    db: Path, tmp_path: Path, capsys
) -> None:
    rows = [
        ["Referrals", "16/11/2026", "nan", ""],
        *CLEAN,
        ['=HYPERLINK("x")', "18/11/2026", "5", ""],
        ["Open cases", "01/11/2026", "5", ""],
    ]
    path = write_file(tmp_path / "metrics.csv", rows)
    code, out, err = import_(db, path, capsys, "--skip-invalid")
    assert code == 0, err
    assert summary(out) == counts(12, new=9, rejected=3)
    rejects = tmp_path / "metrics.rejects.csv"
    assert f"rejected rows: {rejects}" in out
    assert "triggers fired: 1" in out
    assert stat.S_IMODE(rejects.stat().st_mode) == 0o600
    with rejects.open(encoding="utf-8", newline="") as handle:
        kept = list(csv.reader(handle))
    assert kept[0] == [*HEADER, "line", "reason"]
    assert [row[:4] for row in kept[1:]] == [
        ["Referrals", "16/11/2026", "nan", ""],
        ['\'=HYPERLINK("x")', "18/11/2026", "5", ""],  # neutralised like an export
        ["Open cases", "01/11/2026", "5", ""],
    ]
    assert [row[4] for row in kept[1:]] == ["2", "12", "13"]
    assert kept[1][5] == "value: 'nan' is not a finite number"
    assert kept[3][5] == "segment: blank: Open cases is by provider; name the provider"
    assert len(err.strip().splitlines()) == 3
    assert len(observations(db)) == 9 + 5  # and the five worked out


def test_the_rejects_file_can_be_named_and_is_never_overwritten(
    db: Path, tmp_path: Path, capsys
) -> None:
    path = write_file(tmp_path / "metrics.csv", [*CLEAN, ["Nope", "17/11/2026", "1", ""]])
    taken = tmp_path / "taken.csv"
    taken.write_text("last week's evidence")
    code, _, err = import_(db, path, capsys, "--skip-invalid", "--rejects", str(taken))
    assert_refused(code, err, str(taken), "already exists")
    assert taken.read_text() == "last week's evidence"
    assert observations(db) == []
    # The default beside the file is refused the same way.
    (tmp_path / "metrics.rejects.csv").write_text("earlier")
    code, _, err = import_(db, path, capsys, "--skip-invalid")
    assert_refused(code, err, "metrics.rejects.csv already exists")
    named = tmp_path / "out" / "rejects.csv"
    named.parent.mkdir()
    code, out, err = import_(db, path, capsys, "--skip-invalid", "--rejects", str(named))
    assert code == 0, err
    assert summary(out) == counts(10, new=9, rejected=1)
    assert named.read_text(encoding="utf-8").splitlines()[1].startswith("Nope,17/11/2026,1,,11,")


def test_rejects_without_skip_invalid_keeps_them_and_writes_nothing_else(
    db: Path, tmp_path: Path, capsys
) -> None:
    path = write_file(tmp_path / "metrics.csv", [*CLEAN, ["Nope", "17/11/2026", "1", ""]])
    rejects = tmp_path / "r.csv"
    code, out, _ = import_(db, path, capsys, "--rejects", str(rejects))
    assert code == 1
    assert summary(out) == counts(10, rejected=10)
    assert len(rejects.read_text(encoding="utf-8").splitlines()) == 2
    assert observations(db) == []


def test_skip_invalid_with_nothing_rejected_leaves_no_rejects_file(
    db: Path, tmp_path: Path, capsys
) -> None:
    code, out, err = import_(db, write_file(tmp_path / "m.csv", CLEAN), capsys, "--skip-invalid")
    assert code == 0, err
    assert summary(out) == counts(9, new=9)
    assert "rejected rows:" not in out
    assert list(tmp_path.glob("*.rejects.csv")) == []


# --- dry run ----------------------------------------------------------------------------------


def test_dry_run_counts_and_says_what_would_fire_writing_nothing(
    db: Path, tmp_path: Path, capsys
) -> None:
    before = audit_count(db)
    path = write_file(tmp_path / "metrics.csv", CLEAN)
    code, out, err = import_(db, path, capsys, "--dry-run")
    assert code == 0, err
    assert summary(out) == counts(9, new=9)
    assert "triggers would fire: 1" in out
    assert "  Referrals over capacity: Referrals at or above 115" in out
    assert f"an escalation and an agenda item for {SERIES}" in out
    assert "dry run: nothing written" in out
    assert observations(db) == []
    assert query(db, "SELECT count(*) FROM trigger_firing") == [(0,)]
    assert query(db, "SELECT count(*) FROM action") == [(0,)]
    assert audit_count(db) == before


def test_dry_run_with_a_bad_row_says_so_and_picks_no_rejects_file(
    db: Path, tmp_path: Path, capsys
) -> None:
    path = write_file(tmp_path / "metrics.csv", [*CLEAN, ["Referrals", "x", "1", ""]])
    code, out, _ = import_(db, path, capsys, "--dry-run")
    assert code == 1
    assert summary(out) == counts(10, rejected=10)
    code, out, _ = import_(db, path, capsys, "--dry-run", "--skip-invalid")
    assert code == 0
    assert summary(out) == counts(10, new=9, rejected=1)
    assert "dry run: nothing written" in out
    assert list(tmp_path.glob("*.rejects.csv")) == []
    assert observations(db) == []


# --- files refused as a whole ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        (["metric", "date", "value"], "period"),
        (["Metric Name", "period", "amount", "segment"], "metric, value"),
    ],
)
def test_a_missing_column_is_named_with_the_columns_found(
    db: Path, tmp_path: Path, capsys, header: list[str], missing: str
) -> None:
    path = write_file(tmp_path / "metrics.csv", [["Referrals", "17/11/2026", "1", ""]], header)
    code, _, err = import_(db, path, capsys)
    assert_refused(
        code, err, f"has no column for {missing}", f"(the file's columns: {', '.join(header)})"
    )


def test_a_repeated_column_is_refused(db: Path, tmp_path: Path, capsys) -> None:
    path = write_file(tmp_path / "m.csv", [], ["metric", "period", "value", "Value"])
    code, _, err = import_(db, path, capsys)
    assert_refused(code, err, "has the column 'value' 2 times in its header (columns 3, 4)")


def test_a_bad_byte_late_in_the_file_writes_nothing_not_even_rejects(
    db: Path, tmp_path: Path, capsys
) -> None:
    path = tmp_path / "metrics.csv"
    text = csv_text([["Nope", "17/11/2026", "1", ""], *CLEAN, ["Caseload", "16/11/2026", "1", "£"]])
    path.write_bytes(text.encode("cp1252"))
    code, _, err = import_(db, path, capsys, "--skip-invalid")
    assert_refused(code, err, "is not UTF-8 (byte 0xa3 on line 12)", "--encoding cp1252")
    assert observations(db) == []
    assert not (tmp_path / "metrics.rejects.csv").exists()
    code, out, err = import_(db, path, capsys, "--encoding", "cp1252", "--skip-invalid")
    assert code == 0, err
    assert summary(out) == counts(11, new=10, rejected=1)
    assert ("Caseload", "2026-11-16", "£", 1.0, "imported") in observations(db)


def test_a_database_without_metrics_or_a_file_is_refused(tmp_path: Path, db: Path, capsys) -> None:
    empty = tmp_path / "empty.db"
    open_store(empty, "tester").close()
    path = write_file(tmp_path / "m.csv", CLEAN)
    code, _, err = import_(empty, path, capsys)
    assert_refused(code, err, "no metrics to import into yet")
    code, _, err = import_(db, tmp_path / "nowhere.csv", capsys)
    assert_refused(code, err, "no file at")
    code, _, err = import_(tmp_path / "none.db", path, capsys)
    assert_refused(code, err, "no database at")


# --- the command --------------------------------------------------------------------------------


def test_today_comes_from_huddle_today(
    db: Path, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_file(tmp_path / "m.csv", [["Referrals", "21/11/2026", "100", ""]])
    # HUDDLE_TODAY writes only to a demo (store.clock_guard).
    store = open_store(db, "tester")
    with store.write("a demo, for HUDDLE_TODAY") as txn:
        txn.update("service", 1, {"is_demo": True}, expected_version=1)
    store.close()
    monkeypatch.setenv("HUDDLE_TODAY", "2026-11-20")
    code = main(["import", "metrics", str(path), "--db", str(db), "--user", "Kofi Mensah"])
    _, err = capsys.readouterr()
    assert code == 1
    assert "after today (20/11/2026)" in err
    monkeypatch.setenv("HUDDLE_TODAY", "2026-11-21")
    code = main(["import", "metrics", str(path), "--db", str(db), "--user", "Kofi Mensah"])
    assert code == 0, capsys.readouterr().err
    assert query(db, "SELECT recorded_on FROM observation WHERE source = 'imported'") == [
        ("2026-11-21",)
    ]
    assert query(db, "SELECT actor FROM audit ORDER BY id DESC LIMIT 1") == [("Kofi Mensah",)]


def test_help_names_every_option(capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["import", "metrics", "--help"], CLOCK)
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for option in ("--db", "--user", "--dry-run", "--skip-invalid", "--rejects", "--encoding"):
        assert option in out


# --- the checker on its own ---------------------------------------------------------------------


def test_names_that_fold_alike_need_the_exact_name() -> None:
    metrics = [
        metric("Referrals", 1, id=1),
        metric("REFERRALS", 1, id=2),
    ]
    checker = MetricRowChecker(
        resolve_columns(HEADER, "m.csv"), MetricLookups.build(metrics), TODAY
    )
    exact = checker.check(2, ["REFERRALS", "17/11/2026", "1", ""])
    assert exact.metric.id == 2  # type: ignore[union-attr]
    vague = checker.check(3, ["referrals", "17/11/2026", "1", ""])
    assert vague.reason == (  # type: ignore[union-attr]
        "metric: 'referrals' matches 2 metrics (Referrals, REFERRALS); give the name exactly"
    )


def test_the_row_checker_imports_neither_sqlite_nor_textual() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, huddle.metrics_csv\n"
            "print(sorted(m for m in ('sqlite3', 'sqlite_utils', 'textual') if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == "[]"
