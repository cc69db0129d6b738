"""`huddle import waiting-list`: every row checked, one audited write or nothing.

Real SQLite files in tmp_path holding the demo service's providers and staff, a fixed
date, and extracts written byte for byte the way spreadsheets and provider systems write
them (BOMs, cp1252, blank lines, quoted line breaks)."""

from __future__ import annotations

import csv
import io
import json
import re
import stat
import time
from datetime import date
from itertools import islice
from pathlib import Path

import pytest

from fixtures.demo import seed_demo
from fixtures.extracts import valid_nhs_numbers, write_generated_extract
from fixtures.people import PROVIDERS, add_providers_and_staff
from huddle.cli import main
from huddle.clock import FixedClock
from huddle.models import Service
from huddle.waiting_csv import COLUMNS
from store import open_store, records
from store.waiting_import import ImportProgress, ImportRequest, import_file
from tests.test_cli_errors import run

TODAY = date(2026, 11, 22)
CLOCK = FixedClock(TODAY)
TRUST = PROVIDERS["prime"].name  # Northbrook Community Health NHS Trust
LINKS = PROVIDERS["vcse"].name  # Northbrook Community Links
SUMMARY = re.compile(
    r"rows in: (\d+); imported: (\d+); updated: (\d+); unchanged: (\d+); held: (\d+); "
    r"rejected: (\d+)"
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HUDDLE_DB", "HUDDLE_TODAY", "HUDDLE_USER"):
        monkeypatch.delenv(name, raising=False)


# --- helpers ------------------------------------------------------------------------------


NHS = list(islice(valid_nhs_numbers(), 200))
WRONG_CHECK_DIGIT = NHS[0][:9] + str((int(NHS[0][9]) + 1) % 10)
LEADING_ZERO = next(valid_nhs_numbers("000"))


def make_service(path: Path, size: int = 0) -> Path:
    """The demo service's providers, staff and tiers, and `size` demo waiting entries."""
    store = open_store(path, "tester")
    if size:
        seed_demo(store, TODAY, size=size)
    else:
        # seed_demo(size=0) draws the whole NHS test range, seconds per test: by hand.
        records.ensure_default_tiers(store)
        with store.write("test service, providers and staff") as txn:
            records.insert(txn, Service(name="Test service"))
            add_providers_and_staff(txn)
    store.close()
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return make_service(tmp_path / "huddle.db")


def extract_row(n: int, **changes: str) -> dict[str, str]:
    row = {
        "nhs_number": NHS[n],
        "local_id": f"EX-{n:04d}",
        "initials": "AB",
        "referral_date": "01/11/2026",
        "risk_tier": "3",
        "referral_source": "GP",
        "provider": TRUST,
        "case_owner": "Joanne Whitley",
        "last_contact_date": "",
        "safeguarding_flag": "no",
    }
    row.update(changes)
    return row


def csv_text(rows: list[dict[str, str]], header: list[str] | None = None) -> str:
    header = header or list(COLUMNS)
    out = io.StringIO()
    writer = csv.writer(out)  # \r\n line ends, as Excel writes them
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue()


def write_extract(path: Path, rows: list[dict[str, str]], **kwargs: object) -> Path:
    path.write_text(csv_text(rows, **kwargs), encoding="utf-8", newline="")
    return path


def import_(
    db: Path, extract: Path, capsys: pytest.CaptureFixture[str], *options: str
) -> tuple[int, str, str]:
    # Run by a coordinator of the service, as any import must be (store.sign_in).
    argv = ["import", "waiting-list", str(extract), "--db", str(db), "--user", "Kofi Mensah"]
    return run([*argv, *options], capsys)


def summary(out: str) -> dict[str, int]:
    """The one summary line, with rows in = imported + updated + unchanged + held +
    rejected."""
    found = SUMMARY.findall(out)
    assert len(found) == 1, out
    rows_in, imported, updated, unchanged, held, rejected = (int(n) for n in found[0])
    assert rows_in == imported + updated + unchanged + held + rejected
    return {
        "rows in": rows_in,
        "imported": imported,
        "updated": updated,
        "unchanged": unchanged,
        "held": held,
        "rejected": rejected,
    }


def counts(rows_in: int, imported=0, updated=0, unchanged=0, rejected=0, held=0) -> dict[str, int]:
    return {
        "rows in": rows_in,
        "imported": imported,
        "updated": updated,
        "unchanged": unchanged,
        "held": held,
        "rejected": rejected,
    }


def query(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    store = open_store(db, "reader", migrate=False)
    try:
        return store.conn.execute(sql, params).fetchall()
    finally:
        store.close()


def audit_count(db: Path) -> int:
    return query(db, "SELECT count(*) FROM audit")[0][0]


def entries(db: Path) -> dict[str, dict]:
    store = open_store(db, "reader", migrate=False)
    try:
        rows = store.db.query("SELECT * FROM waiting_entry WHERE local_id LIKE 'EX-%'")
        return {row["local_id"]: row for row in rows}
    finally:
        store.close()


def assert_refused(code: int, out: str, err: str, *needles: str) -> None:
    """Refused as a whole: exit 2, one line on stderr naming every needle."""
    assert code == 2, (out, err)
    line = err.strip()
    assert "\n" not in line and line.startswith("huddle: "), err
    for needle in needles:
        assert needle in line, (needle, line)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- a clean extract ----------------------------------------------------------------------------


def test_clean_extract_is_imported_as_typed(db: Path, tmp_path: Path, capsys) -> None:
    rows = [
        extract_row(0, nhs_number=LEADING_ZERO, referral_date="2026-11-01"),
        extract_row(
            1,
            nhs_number=f"{NHS[1][:3]} {NHS[1][3:6]} {NHS[1][6:]}",
            provider=f"  {LINKS.upper()} ",
            case_owner="grace  NWOSU",
            safeguarding_flag="Yes",
            last_contact_date="15/11/2026",
            risk_tier="2",
        ),
        extract_row(2, case_owner="", safeguarding_flag="", local_id=""),
    ]
    before = audit_count(db)
    code, out, err = import_(db, write_extract(tmp_path / "extract.csv", rows), capsys)
    assert code == 0, err
    assert summary(out) == counts(3, imported=3)
    assert audit_count(db) == before + 3

    store = open_store(db, "reader")
    stored = {
        row["nhs_number"]: row
        for row in store.db.query("SELECT * FROM waiting_entry WHERE referral_date >= '2026-11-01'")
    }
    kinds = dict(store.conn.execute("SELECT nhs_number, typeof(nhs_number) FROM waiting_entry"))
    store.close()
    zero = stored[LEADING_ZERO]
    assert LEADING_ZERO.startswith("000") and kinds[LEADING_ZERO] == "text"
    assert zero["referral_date"] == "2026-11-01"
    assert zero["breach_date"] == "2026-12-13"  # tier 3: 42 days
    spaced = stored[NHS[1]]  # spaces removed
    assert spaced["safeguarding"] == 1
    assert spaced["last_interim_contact"] == "2026-11-15"
    assert spaced["contact_due"] == "2026-11-22"  # tier 2: every 7 days
    assert spaced["breach_date"] == "2026-11-15"
    unowned = stored[NHS[2]]
    assert unowned["case_owner_id"] is None and unowned["local_id"] is None
    assert unowned["safeguarding"] == 0
    reasons = query(db, "SELECT DISTINCT reason FROM audit WHERE table_name = 'waiting_entry'")
    assert ("waiting-list import of extract.csv",) in reasons


def test_utf8_with_a_byte_order_mark(db: Path, tmp_path: Path, capsys) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + csv_text([extract_row(0), extract_row(1)]).encode())
    code, out, err = import_(db, path, capsys)
    assert code == 0, err
    assert summary(out) == counts(2, imported=2)


def test_cp1252_file_is_refused_unless_named(db: Path, tmp_path: Path, capsys) -> None:
    path = tmp_path / "windows.csv"
    text = csv_text([extract_row(0, referral_source="Café Médical £"), extract_row(1)])
    path.write_bytes(text.encode("cp1252"))
    before = audit_count(db)

    code, out, err = import_(db, path, capsys)
    assert_refused(code, out, err, str(path), "not UTF-8", "line 2", "--encoding cp1252")
    assert audit_count(db) == before

    code, out, err = import_(db, path, capsys, "--encoding", "cp1252")
    assert code == 0, err
    assert summary(out) == counts(2, imported=2)
    assert entries(db)["EX-0000"]["referral_source"] == "Café Médical £"


def test_unknown_encoding_is_refused(db: Path, tmp_path: Path, capsys) -> None:
    path = write_extract(tmp_path / "x.csv", [extract_row(0)])
    code, out, err = import_(db, path, capsys, "--encoding", "klingon")
    assert_refused(code, out, err, "--encoding 'klingon'")


def test_a_bad_byte_deep_in_the_file_writes_nothing(db: Path, tmp_path: Path, capsys) -> None:
    path = tmp_path / "late.csv"
    text = csv_text([extract_row(n) for n in range(150)])
    path.write_bytes(text.encode() + b"9990000018,X,AB,01/11/2026,3,caf\xe9,x,,,\r\n")
    rejects = tmp_path / "rejects.csv"
    before = audit_count(db)
    code, out, err = import_(db, path, capsys, "--skip-invalid", "--rejects", str(rejects))
    assert_refused(code, out, err, "not UTF-8", "line 152")
    assert audit_count(db) == before
    assert entries(db) == {}
    assert not rejects.exists()  # refused as a whole: no half-written rejects file either


# --- rows that are refused, and why -----------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"referral_date": "22/10/26"}, "referral_date", "'22/10/26' is not a date"),
        ({"referral_date": "10/22/2026"}, "referral_date", "'10/22/2026' is not a real date"),
        ({"referral_date": "31/02/2026"}, "referral_date", "'31/02/2026' is not a real date"),
        ({"referral_date": "01/11/2026 00:00"}, "referral_date", "is not a date"),
        ({"referral_date": "last week"}, "referral_date", "'last week' is not a date"),
        ({"referral_date": "23/11/2026"}, "referral_date", "'23/11/2026' is after today"),
        ({"referral_date": ""}, "referral_date", "blank"),
        ({"last_contact_date": "31/10/2026"}, "last_contact_date", "before the referral date"),
        ({"last_contact_date": "2026-12-01"}, "last_contact_date", "after today"),
        (
            {"risk_tier": "7"},
            "risk_tier",
            "'7' is not one of the service's risk tiers (1, 2, 3, 4)",
        ),
        ({"risk_tier": "High"}, "risk_tier", "'High' is not one of the service's risk tiers"),
        ({"provider": "Nowhere Health"}, "provider", "'Nowhere Health' is not a provider"),
        ({"case_owner": "Dr Nobody"}, "case_owner", "'Dr Nobody' is not a person"),
        ({"safeguarding_flag": "maybe"}, "safeguarding_flag", "'maybe' is not yes or no"),
        ({"initials": "=cmd"}, "initials", "'=cmd' must be 1 to 4 letters"),
        ({"initials": "ABCDE"}, "initials", "must be 1 to 4 letters"),
        ({"initials": "J\u0405"}, "initials", "mixes letters of Cyrillic and Latin"),
        ({"initials": "\uff2a\uff33"}, "initials", "a letter in a styled form"),
        ({"nhs_number": WRONG_CHECK_DIGIT}, "nhs_number", "fails the Modulus 11 check digit"),
        ({"nhs_number": NHS[0][1:]}, "nhs_number", "must be exactly 10 digits"),
        ({"nhs_number": "9.99E+09"}, "nhs_number", "must be exactly 10 digits"),
        (
            {"nhs_number": "", "local_id": ""},
            "nhs_number/local_id",
            "neither an NHS number nor a local id",
        ),
    ],
)
def test_a_bad_row_is_rejected_by_line_field_and_value(
    db: Path, tmp_path: Path, capsys, changes: dict, field: str, reason: str
) -> None:
    rows = [extract_row(0), extract_row(1), extract_row(2, **changes), extract_row(3)]
    before = audit_count(db)
    code, out, err = import_(db, write_extract(tmp_path / "x.csv", rows), capsys)
    assert code == 1
    assert f"line 4: {field}: " in err and reason in err, err
    assert summary(out) == counts(4, rejected=4)  # all-or-nothing: nothing imported
    assert "nothing written" in out
    assert audit_count(db) == before
    assert entries(db) == {}


def test_initials_may_be_letters_of_any_one_script(db: Path, tmp_path: Path, capsys) -> None:
    written = ["JS", "\u0416", "\u03b1\u03b2", "\u00c9O", "\ud55c"]
    rows = [extract_row(n, initials=initials) for n, initials in enumerate(written)]
    code, out, err = import_(db, write_extract(tmp_path / "x.csv", rows), capsys)
    assert code == 0, err
    assert [row["initials"] for row in entries(db).values()] == written


def test_every_problem_of_a_row_is_named(db: Path, tmp_path: Path, capsys) -> None:
    row = extract_row(0, initials="=1+1", risk_tier="9", referral_date="31/02/2026")
    code, _, err = import_(db, write_extract(tmp_path / "x.csv", [row]), capsys)
    assert code == 1
    assert err.count("\n") == 1  # one line for the row
    for needle in ("initials: '=1+1'", "referral_date: date '31/02/2026'", "risk_tier: '9'"):
        assert needle in err


def test_formula_cells_are_kept_as_text_never_run(db: Path, tmp_path: Path, capsys) -> None:
    rows = [extract_row(0, referral_source='=HYPERLINK("http://evil","x")', local_id="@SUM(1)")]
    code, out, err = import_(db, write_extract(tmp_path / "x.csv", rows), capsys)
    assert code == 0, err
    stored = query(
        db, "SELECT local_id, referral_source FROM waiting_entry WHERE nhs_number = ?", (NHS[0],)
    )
    assert stored == [("@SUM(1)", '=HYPERLINK("http://evil","x")')]


def test_blank_lines_are_skipped_and_lines_are_physical(db: Path, tmp_path: Path, capsys) -> None:
    header = ",".join(COLUMNS)

    def line(n: int, **changes: str) -> str:
        return csv_text([extract_row(n, **changes)]).split("\r\n", 1)[1].removesuffix("\r\n")

    text = "\r\n".join(
        [
            header,  # line 1
            line(0),  # 2
            "",  # 3: blank
            ",,,,,,,,,",  # 4: empty cells only, as Excel leaves them
            # 5 and 6: a line break quoted inside a cell, refused (it would reach every
            # screen and set of minutes), and counted as the two lines it takes
            line(1, referral_source="GP\nsecond line"),
            "",  # 7
            line(2, risk_tier="8"),  # 8
            "",
        ]
    )
    path = tmp_path / "gaps.csv"
    path.write_text(text, encoding="utf-8", newline="")
    code, out, err = import_(db, path, capsys)
    assert code == 1
    assert err.splitlines()[0].startswith("line 5: referral_source: remove the unseen character")
    assert err.splitlines()[1].startswith("line 8: risk_tier: '8'"), err
    assert summary(out)["rows in"] == 3


def test_duplicate_rows_are_rejected_naming_the_earlier_line(
    db: Path, tmp_path: Path, capsys
) -> None:
    spaced = f"{NHS[0][:3]} {NHS[0][3:6]} {NHS[0][6:]}"
    rows = [
        extract_row(0),
        extract_row(1),
        extract_row(2, nhs_number=spaced, local_id="EX-9999"),  # line 4: same person as line 2
        extract_row(3, local_id="EX-0001"),  # line 5: same local id, same provider as line 3
        extract_row(4, local_id="EX-0001", provider=LINKS, case_owner=""),  # other provider: ok
        # The same person waiting with another provider is another entry (reconciliation
        # lists them), not a duplicate row.
        extract_row(5, nhs_number=NHS[1], local_id="LK-0001", provider=LINKS, case_owner=""),
    ]
    rejects = tmp_path / "rejects.csv"
    path = write_extract(tmp_path / "x.csv", rows)
    code, out, err = import_(db, path, capsys, "--skip-invalid", "--rejects", str(rejects))
    assert code == 0, err
    assert "line 4: nhs_number: same NHS number at this provider as line 2" in err
    assert "line 5: local_id: same local id at this provider as line 3" in err
    assert "line 7" not in err
    assert summary(out) == counts(6, imported=4, rejected=2)


def test_one_bad_row_imports_nothing_by_default(db: Path, tmp_path: Path, capsys) -> None:
    rows = [extract_row(n) for n in range(10)]
    rows[6]["risk_tier"] = "5"
    before = audit_count(db)
    code, out, err = import_(db, write_extract(tmp_path / "x.csv", rows), capsys)
    assert code == 1
    assert err.strip() == (
        "line 8: risk_tier: '5' is not one of the service's risk tiers (1, 2, 3, 4)"
    )
    assert summary(out) == counts(10, rejected=10)
    assert "nothing written: 1 of 10 rows are invalid" in out
    assert audit_count(db) == before
    assert entries(db) == {}


def test_the_printed_list_stops_at_50(db: Path, tmp_path: Path, capsys) -> None:
    rows = [extract_row(n, risk_tier="0") for n in range(60)]
    code, out, err = import_(db, write_extract(tmp_path / "x.csv", rows), capsys)
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 51
    assert lines[49].startswith("line 51: risk_tier")
    assert lines[50] == "... and 10 more rejected rows (give --rejects FILE for all)"


def test_skip_invalid_needs_a_rejects_file(db: Path, tmp_path: Path, capsys) -> None:
    path = write_extract(tmp_path / "x.csv", [extract_row(0)])
    code, out, err = import_(db, path, capsys, "--skip-invalid")
    assert_refused(code, out, err, "--skip-invalid needs --rejects FILE")
    assert entries(db) == {}


def test_skip_invalid_imports_the_rest_and_keeps_every_reject(
    db: Path, tmp_path: Path, capsys
) -> None:
    rows = [extract_row(n) for n in range(70)]
    for n in range(5, 65):
        rows[n]["risk_tier"] = "6"
    rows[3]["initials"] = "=cmd"
    rows[4]["referral_source"] = "+44 7700 900000"
    rows[4]["referral_date"] = "2026-02-30"
    rejects = tmp_path / "rejects.csv"
    before = audit_count(db)
    path = write_extract(tmp_path / "x.csv", rows)
    code, out, err = import_(db, path, capsys, "--skip-invalid", "--rejects", str(rejects))
    assert code == 0, err
    assert summary(out) == counts(70, imported=8, rejected=62)
    assert audit_count(db) == before + 8
    assert len(err.strip().splitlines()) == 51
    assert f"all are in {rejects}" in err
    assert mode_of(rejects) == 0o600

    with rejects.open(encoding="utf-8", newline="") as handle:
        written = list(csv.reader(handle))
    assert written[0] == [*COLUMNS, "line", "reason"]
    assert len(written) == 1 + 62
    by_line = {row[-2]: row for row in written[1:]}
    formula = by_line["5"]
    assert formula[COLUMNS.index("initials")] == "'=cmd"  # neutralised, original kept after '
    assert formula[-1] == "initials: '=cmd' must be 1 to 4 letters"
    phone = by_line["6"]
    assert phone[COLUMNS.index("referral_source")] == "'+44 7700 900000"
    assert "2026-02-30" in phone[-1]
    assert phone[COLUMNS.index("nhs_number")] == NHS[4]  # text, as it was


def test_rejects_file_is_never_overwritten(db: Path, tmp_path: Path, capsys) -> None:
    rejects = tmp_path / "last-week.csv"
    rejects.write_text("last week's rejects\n")
    path = write_extract(tmp_path / "x.csv", [extract_row(0, risk_tier="9"), extract_row(1)])
    code, out, err = import_(db, path, capsys, "--skip-invalid", "--rejects", str(rejects))
    assert_refused(code, out, err, str(rejects), "already exists")
    assert rejects.read_text() == "last week's rejects\n"
    assert entries(db) == {}


# --- dry runs and re-imports --------------------------------------------------------------------


def test_dry_run_counts_and_writes_nothing(db: Path, tmp_path: Path, capsys) -> None:
    path = write_extract(tmp_path / "x.csv", [extract_row(n) for n in range(5)])
    before, file_before = audit_count(db), db.read_bytes()
    code, out, err = import_(db, path, capsys, "--dry-run")
    assert code == 0, err
    assert summary(out) == counts(5, imported=5)
    assert "dry run: nothing written" in out
    assert audit_count(db) == before
    assert entries(db) == {}
    assert db.read_bytes() == file_before


def test_dry_run_with_a_bad_row_says_so(db: Path, tmp_path: Path, capsys) -> None:
    rows = [extract_row(0), extract_row(1, initials="")]
    code, out, err = import_(db, write_extract(tmp_path / "x.csv", rows), capsys, "--dry-run")
    assert code == 1
    assert "line 3: initials: blank" in err
    assert summary(out) == counts(2, rejected=2)


def test_the_same_extract_twice_changes_nothing_the_second_time(
    db: Path, tmp_path: Path, capsys
) -> None:
    rows = [extract_row(n, last_contact_date="10/11/2026") for n in range(20)]
    rows[3]["case_owner"] = ""
    path = write_extract(tmp_path / "x.csv", rows)
    code, out, _ = import_(db, path, capsys)
    assert code == 0
    assert summary(out) == counts(20, imported=20)
    after_first, stored = audit_count(db), entries(db)

    code, out, err = import_(db, path, capsys)
    assert code == 0, err
    assert summary(out) == counts(20, unchanged=20)
    assert "not in this extract" not in out
    assert audit_count(db) == after_first
    assert entries(db) == stored


def test_an_extract_that_changes_nothing_tells_its_listener_all_is_written(
    db: Path, tmp_path: Path
) -> None:
    """Nothing to write is all of it written, not a division by nought: the import screen
    (and a long import at the command line) listens to every import."""
    path = write_extract(tmp_path / "x.csv", [extract_row(n) for n in range(20)])
    store = open_store(db, "Kofi Mensah")
    heard: list[ImportProgress] = []
    import_file(store, ImportRequest(path), TODAY, heard.append)
    heard.clear()
    again = import_file(store, ImportRequest(path), TODAY, heard.append)
    store.close()
    assert again.applied and again.unchanged == 20
    assert heard[-1] == ImportProgress("writing", 0, 1.0, 0)


def test_a_new_tier_on_reimport_is_an_audited_update(db: Path, tmp_path: Path, capsys) -> None:
    rows = [extract_row(n) for n in range(3)]
    import_(db, write_extract(tmp_path / "week1.csv", rows), capsys)
    before = audit_count(db)
    rows[1]["risk_tier"] = "2"  # re-tiered by the provider: the referral date stands
    code, out, err = import_(db, write_extract(tmp_path / "week2.csv", rows), capsys)
    assert code == 0, err
    assert summary(out) == counts(3, updated=1, unchanged=2)
    entry = entries(db)["EX-0001"]
    assert entry["tier"] == 2
    assert entry["referral_date"] == "2026-11-01"
    assert entry["breach_date"] == "2026-11-15"  # 1 Nov + 14 days, not restarted
    assert entry["version"] == 2
    (reason, operation, before_json, after_json), *_ = query(
        db, "SELECT reason, operation, before, after FROM audit ORDER BY id DESC LIMIT 1"
    )
    assert audit_count(db) == before + 1
    assert (reason, operation) == ("waiting-list import of week2.csv", "update")
    assert json.loads(before_json)["tier"] == 3 and json.loads(after_json)["tier"] == 2


def test_matching_by_local_id_when_the_nhs_number_arrives_later(
    db: Path, tmp_path: Path, capsys
) -> None:
    import_(db, write_extract(tmp_path / "a.csv", [extract_row(0, nhs_number="")]), capsys)
    code, out, _ = import_(db, write_extract(tmp_path / "b.csv", [extract_row(0)]), capsys)
    assert code == 0
    assert summary(out) == counts(1, updated=1)
    assert entries(db)["EX-0000"]["nhs_number"] == NHS[0]


def test_entries_missing_from_the_extract_are_marked_not_deleted(
    db: Path, tmp_path: Path, capsys
) -> None:
    rows = [extract_row(n) for n in range(4)]
    rows[3].update(provider=LINKS, case_owner="")
    import_(db, write_extract(tmp_path / "week1.csv", rows), capsys)

    # Week 2: the Trust's extract no longer lists EX-0002; Community Links sent nothing.
    week2 = write_extract(tmp_path / "week2.csv", rows[:2])
    code, out, err = import_(db, week2, capsys)
    assert code == 0, err
    assert summary(out) == counts(2, unchanged=2)
    assert "not in this extract: 1 entries, confirm at the huddle" in out
    assert f"local id EX-0002 — {TRUST}" in out
    stored = entries(db)
    assert stored["EX-0002"]["status"] == "waiting"  # still on the list
    assert stored["EX-0002"]["not_in_extract_since"] == TODAY.isoformat()
    assert stored["EX-0003"]["not_in_extract_since"] is None  # its provider was not in the file
    assert query(db, "SELECT count(*) FROM audit WHERE reason LIKE '%not in this extract'") == [
        (1,)
    ]

    # Still missing a week later: listed again with its date, not marked twice.
    before = audit_count(db)
    code, out, _ = import_(db, week2, capsys)
    assert "not in extracts since 2026-11-22" in out
    assert audit_count(db) == before

    # Back in the extract: the mark is cleared, audited as an update.
    code, out, _ = import_(db, write_extract(tmp_path / "week3.csv", rows[:3]), capsys)
    assert summary(out) == counts(3, updated=1, unchanged=2)
    assert entries(db)["EX-0002"]["not_in_extract_since"] is None
    assert "not in this extract" not in out


def test_columns_the_file_lacks_keep_their_stored_values(db: Path, tmp_path: Path, capsys) -> None:
    rows = [extract_row(n, last_contact_date="12/11/2026") for n in range(2)]
    import_(db, write_extract(tmp_path / "full.csv", rows), capsys)
    narrow = [c for c in COLUMNS if c not in ("case_owner", "last_contact_date")]
    path = write_extract(tmp_path / "narrow.csv", rows, header=narrow)
    code, out, _ = import_(db, path, capsys)
    assert summary(out) == counts(2, unchanged=2)
    assert entries(db)["EX-0000"]["last_interim_contact"] == "2026-11-12"


# --- headers and mapping files -------------------------------------------------------------------

EXTRACT_HEADERS = {
    "nhs_number": "NHS No",
    "local_id": "Patient Ref",
    "initials": "Initials",
    "referral_date": "Date Referred",
    "risk_tier": "Priority",
    "referral_source": "Source",
    "provider": "Organisation",
    "case_owner": "Allocated To",
    "last_contact_date": "Last Contact",
    "safeguarding_flag": "Safeguarding?",
}


def extract_with_headers(path: Path, rows: list[dict[str, str]]) -> Path:
    renamed = [{EXTRACT_HEADERS[k]: v for k, v in row.items()} for row in rows]
    return write_extract(path, renamed, header=["Ward", *EXTRACT_HEADERS.values()])


def test_a_mapping_file_names_the_extracts_headers(db: Path, tmp_path: Path, capsys) -> None:
    mapping = tmp_path / "systmone.json"
    mapping.write_text(json.dumps({"_about": "SystmOne weekly extract", **EXTRACT_HEADERS}))
    path = extract_with_headers(tmp_path / "x.csv", [extract_row(0), extract_row(1)])
    code, out, err = import_(db, path, capsys, "--mapping", str(mapping))
    assert code == 0, err
    assert summary(out) == counts(2, imported=2)

    # Without the mapping the same file is refused, naming what is missing.
    code, out, err = import_(db, path, capsys)
    assert_refused(
        code, out, err, "no column for referral_date, risk_tier, provider, nhs_number or local_id"
    )


def test_reasons_use_the_extracts_own_header(db: Path, tmp_path: Path, capsys) -> None:
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps(EXTRACT_HEADERS))
    path = extract_with_headers(tmp_path / "x.csv", [extract_row(0, referral_date="1/13/2026")])
    code, _, err = import_(db, path, capsys, "--mapping", str(mapping))
    assert code == 1
    assert err.startswith("line 2: Date Referred: date '1/13/2026' is not a real date")


def test_a_mapping_naming_a_missing_header_is_refused(db: Path, tmp_path: Path, capsys) -> None:
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"nhs_number": "NHS Number (new)"}))
    path = write_extract(tmp_path / "x.csv", [extract_row(0)])
    code, out, err = import_(db, path, capsys, "--mapping", str(mapping))
    assert_refused(code, out, err, "'NHS Number (new)'", "nhs_number")
    assert entries(db) == {}


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("{not json", "not valid JSON"),
        ('["nhs_number"]', "must be a JSON object"),
        ('{"nhs": "NHS No"}', "'nhs', which is not one of huddle's columns"),
        ('{"nhs_number": ""}', "must map to the extract's header"),
        ('{"nhs_number": "Ref", "local_id": "ref"}', "maps both nhs_number and local_id"),
        ('{"initials": "Init\\u001b[2J"}', "the value of 'initials': remove the unseen "),
        ('{"local_id\\u202e": "Ref"}', "the key of 'local_id\\u202e': remove the unseen "),
        ('{"_about": "SystmOne\\u2028weekly"}', "the value of '_about': remove the unseen "),
    ],
)
def test_a_broken_mapping_is_refused(
    db: Path, tmp_path: Path, capsys, text: str, needle: str
) -> None:
    mapping = tmp_path / "m.json"
    mapping.write_text(text)
    path = write_extract(tmp_path / "x.csv", [extract_row(0)])
    code, out, err = import_(db, path, capsys, "--mapping", str(mapping))
    assert_refused(code, out, err, str(mapping), needle)


@pytest.mark.parametrize(
    ("header", "needles"),
    [
        (["nhs_number", "initials", "referral_date", "provider"], ["risk_tier"]),
        (["initials", "referral_date", "risk_tier", "provider"], ["nhs_number or local_id"]),
        (["local_id"], ["initials", "referral_date", "risk_tier", "provider"]),
    ],
)
def test_missing_required_columns_are_named(
    db: Path, tmp_path: Path, capsys, header: list[str], needles: list[str]
) -> None:
    path = write_extract(tmp_path / "x.csv", [extract_row(0)], header=header)
    code, out, err = import_(db, path, capsys)
    assert_refused(code, out, err, "has no column for", *needles)


@pytest.mark.parametrize(
    ("extra", "code_point"), [("notes\x1b[2J", "U+001B"), ("\u202eWard", "U+202E")]
)
def test_a_header_holding_an_unseen_character_is_refused_by_position(
    db: Path, tmp_path: Path, capsys, extra: str, code_point: str
) -> None:
    header = [*COLUMNS[:3], extra, *COLUMNS[3:]]
    path = write_extract(tmp_path / "x.csv", [extract_row(0)], header=header)
    code, out, err = import_(db, path, capsys)
    shown = repr(extra)
    assert_refused(code, out, err, f"column 4 of the header ({shown}): ", code_point)
    assert extra not in err


def test_a_repeated_header_is_refused(db: Path, tmp_path: Path, capsys) -> None:
    path = write_extract(tmp_path / "x.csv", [extract_row(0)], header=[*COLUMNS, "Initials"])
    code, out, err = import_(db, path, capsys)
    assert_refused(code, out, err, "'initials' 2 times")


@pytest.mark.parametrize(
    ("content", "needle"),
    [(b"", "is empty"), (b'nhs_number,"initials\r\n', "not valid CSV")],
)
def test_unreadable_files_are_refused(
    db: Path, tmp_path: Path, capsys, content: bytes, needle: str
) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    code, out, err = import_(db, path, capsys)
    assert_refused(code, out, err, str(path), needle)


def test_a_missing_file_or_database_is_refused(db: Path, tmp_path: Path, capsys) -> None:
    code, out, err = import_(db, tmp_path / "nothing.csv", capsys)
    assert_refused(code, out, err, "no file at")
    path = write_extract(tmp_path / "x.csv", [extract_row(0)])
    code, out, err = import_(tmp_path / "none.db", path, capsys)
    assert_refused(code, out, err, "no database at")


def test_a_row_with_missing_cells_is_rejected(db: Path, tmp_path: Path, capsys) -> None:
    path = tmp_path / "short.csv"
    path.write_text(csv_text([extract_row(0)]) + f"{NHS[1]},EX-1,AB\r\n", encoding="utf-8")
    code, _, err = import_(db, path, capsys)
    assert code == 1
    assert err.strip() == "line 3: row: has 3 cells but the header has 10"


def test_a_row_with_extra_cells_keeps_them_in_its_reason(db: Path, tmp_path: Path, capsys) -> None:
    path = tmp_path / "long.csv"
    path.write_text(csv_text([extract_row(0)]).replace("no\r\n", "no,,oops\r\n"))
    rejects = tmp_path / "rejects.csv"
    code, _, err = import_(db, path, capsys, "--rejects", str(rejects))
    assert code == 1
    reason = "row: has 12 cells but the header has 10 (the extra cells: '', 'oops')"
    assert err.strip() == f"line 2: {reason}"
    # --rejects without --skip-invalid: all-or-nothing, and every reject is still kept.
    with rejects.open(encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle))[1][-2:] == ["2", reason]


@pytest.mark.parametrize("argv", [["import", "--help"], ["import", "waiting-list", "--help"]])
def test_help_names_db_and_every_option(argv: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv, CLOCK)
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "--db" in out
    if "waiting-list" in argv:
        for option in ("--dry-run", "--skip-invalid", "--rejects", "--mapping", "--encoding"):
            assert option in out


def test_db_and_user_may_come_before_or_after_the_sub_command(
    db: Path, tmp_path: Path, capsys
) -> None:
    path = write_extract(tmp_path / "x.csv", [extract_row(0)])
    code, out, err = run(
        ["import", "--db", str(db), "waiting-list", str(path), "--user", "kofi mensah"], capsys
    )
    assert code == 0, err
    last = "SELECT actor, via FROM audit ORDER BY id DESC LIMIT 1"
    assert query(db, last) == [("Kofi Mensah", "--user")]


def test_pure_modules_import_neither_sqlite_nor_textual() -> None:
    import subprocess
    import sys

    script = (
        "import sys, huddle.waiting_csv, huddle.csv_safety, store.waiting_import, "
        "store.waiting_export\n"
        "import huddle.waiting_csv as w\n"
        "print(any(m.startswith('textual') for m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "False"
    pure = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, huddle.waiting_csv, huddle.csv_safety\n"
            "print(sorted(m for m in ('sqlite3', 'sqlite_utils', 'textual') if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert pure.stdout.strip() == "[]"


# --- a whole system's extract ----------------------------------------------------------------


def test_a_100_000_row_extract_imports_in_one_audited_write(tmp_path: Path, capsys) -> None:
    db = make_service(tmp_path / "system.db")
    path = write_generated_extract(tmp_path / "system.csv", 100_000, TODAY)
    before = audit_count(db)
    index_sql = "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
    indexes = query(db, index_sql)
    started = time.perf_counter()
    code, out, err = import_(db, path, capsys)
    seconds = time.perf_counter() - started
    assert code == 0, err
    assert summary(out) == counts(100_000, imported=100_000)
    assert query(db, "SELECT count(*) FROM waiting_entry") == [(100_000,)]
    assert audit_count(db) == before + 100_000
    assert query(db, index_sql) == indexes  # dropped for the load, every one built again
    print(f"100,000 rows in {seconds:.1f} s: {100_000 / seconds:,.0f} rows/s")


def test_a_cell_holding_a_terminal_escape_or_a_line_break_is_refused_by_name(
    db: Path, tmp_path: Path, capsys
) -> None:
    rows = [
        extract_row(0, local_id="RR-1\x1b[2J"),
        extract_row(1, referral_source="GP\u2028second line"),
        extract_row(2, local_id="L" * 65),
        extract_row(3, initials="A\u202eB"),
    ]
    path = tmp_path / "hostile.csv"
    path.write_text(csv_text(rows), encoding="utf-8", newline="")
    code, out, err = import_(db, path, capsys)
    assert code == 1
    assert err.splitlines() == [
        "line 2: local_id: remove the unseen character U+001B (pasted from another program,"
        " or a line break inside the field?)",
        "line 3: referral_source: remove the unseen character U+2028 (pasted from another"
        " program, or a line break inside the field?)",
        "line 4: local_id: 65 characters: a local id is at most 64",
        "line 5: initials: remove the unseen character U+202E (pasted from another program,"
        " or a line break inside the field?)",
    ]
    assert "\x1b" not in out + err
