"""Every CSV huddle writes neutralises every text cell a spreadsheet could run as a formula.

The rule (huddle.csv_safety): a cell starting with a tab or a line break, or whose first
character after any leading whitespace is, in its compatibility form (NFKC), `=`, `+`,
`-`, `@` or the minus sign `−`, gets a leading single quote. These tests check the list of
such characters against every code point, the rule against generated text, and each CSV
huddle writes (the waiting-list and actions exports and both imports' rejects files)
with hostile values stored in the database or the file, reading what was written back.
"""

from __future__ import annotations

import csv
import io
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixtures.people import PROVIDERS, add_providers_and_staff
from huddle.action_query import ActionQuery, ActionView
from huddle.csv_safety import DANGEROUS_FIRST, FORMULA_STARTS, neutralise
from huddle.models import GoodDirection, Metric, Period, Service
from store import Store, actions, records
from store.action_export import export_actions
from store.metrics_import import MetricsImportRequest, import_metrics_file
from store.oversight import define_metric
from store.waiting_export import export_waiting_list
from store.waiting_import import ImportRequest, import_file
from tests.conftest import TODAY
from tests.test_waiting_export import add_entries_holding

ROOT = Path(__file__).resolve().parent.parent
ACTIVE = ("=", "+", "-", "@", "\u2212")
# Whitespace of several kinds, which the rule looks through.
SPACES = " \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u1680\u2003\u2028\u3000"


def active(text: str) -> bool:
    """The rule, written from its statement rather than from huddle.csv_safety."""
    if text[:1] in ("\t", "\r", "\n"):
        return True
    rest = text.lstrip()
    return bool(rest) and unicodedata.normalize("NFKC", rest[0]).startswith(ACTIVE)


# Every text that `active` says is dangerous, one for each start, with leading whitespace.
HOSTILE = [f"{first}1+1" for first in sorted(FORMULA_STARTS)] + [
    " =cmd|' /C calc'!A0",
    "\u3000\uff1dSUM(A1:A9)",
    '\xa0\ufe62HYPERLINK("http://x")',
    "\t=1",
    "\r@x",
    "\n-1",
]


def test_formula_starts_are_every_character_whose_nfkc_form_starts_a_formula() -> None:
    every = {
        c
        for c in map(chr, range(sys.maxunicode + 1))
        if unicodedata.normalize("NFKC", c).startswith(ACTIVE)
    }
    assert every == FORMULA_STARTS
    assert {"\ufe62", "\ufe63", "\ufe66", "\ufe6b", "\uff1d", "\uff0b", "\uff0d", "\uff20"} <= every
    assert set(DANGEROUS_FIRST) == FORMULA_STARTS | {"\t", "\r", "\n"}


def test_the_hostile_values_are_all_active() -> None:
    assert all(active(value) for value in HOSTILE)


leading = st.text(alphabet=st.sampled_from(SPACES), max_size=3)
first = st.one_of(st.sampled_from(sorted(FORMULA_STARTS)), st.characters())
texts = st.one_of(
    st.text(),
    st.builds(lambda spaces, c, rest: spaces + c + rest, leading, first, st.text(max_size=20)),
)


@given(texts)
def test_a_text_is_quoted_exactly_when_a_spreadsheet_could_run_it(text: str) -> None:
    assert neutralise(text) == ("'" + text if active(text) else text)


@given(st.one_of(st.integers(), st.none()))
def test_numbers_and_empty_cells_pass_as_they_are(value: int | None) -> None:
    assert neutralise(value) == value


# --- every CSV huddle writes ------------------------------------------------------------------


def read_back(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def read_file(path: Path) -> list[dict[str, str]]:
    """A CSV file's rows, a carriage return inside a cell kept as it is."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def quoted(cell: str, value: str) -> bool:
    return cell == "'" + value


@pytest.fixture
def service(store: Store) -> Store:
    with store.write("test service, providers and staff") as txn:
        records.insert(txn, Service(name="Test service"))
        add_providers_and_staff(txn)
    return store


def test_the_waiting_list_export_quotes_every_hostile_value(service: Store) -> None:
    add_entries_holding(service, HOSTILE)
    out = io.StringIO()
    export_waiting_list(service, TODAY, out)
    rows = read_back(out.getvalue())
    assert sorted(row["referral_source"] for row in rows) == sorted("'" + v for v in HOSTILE)
    assert all(row["local_id"] == row["referral_source"] for row in rows)


def test_the_actions_export_quotes_every_hostile_value(service: Store) -> None:
    owner = service.conn.execute("SELECT id FROM person ORDER BY id LIMIT 1").fetchone()[0]
    for value in HOSTILE:
        actions.add_action(service, title=value, owner_id=owner, due_date=TODAY, today=TODAY)
    out = io.StringIO()
    export_actions(service, ActionQuery(TODAY, view=ActionView.EVERY), out)
    titles = [row["title"] for row in read_back(out.getvalue())]
    # The store trims a title's leading whitespace; what is left is still quoted.
    assert sorted(titles) == sorted("'" + v.strip() for v in HOSTILE)


def test_the_waiting_list_rejects_file_quotes_every_hostile_cell(
    service: Store, tmp_path: Path
) -> None:
    extract = tmp_path / "extract.csv"
    with extract.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["local_id", "initials", "referral_date", "risk_tier", "provider"])
        for n, value in enumerate(HOSTILE):
            # Rejected for its initials; every cell is written back as it came.
            writer.writerow([value, value, "01/11/2026", "3", PROVIDERS["prime"].name + str(n)])
    rejects = tmp_path / "rejects.csv"
    result = import_file(service, ImportRequest(extract, rejects=rejects, skip_invalid=True), TODAY)
    assert result.rejected == len(HOSTILE)
    rows = read_file(rejects)
    assert [row["initials"] for row in rows] == ["'" + v for v in HOSTILE]
    assert all(quoted(row["local_id"], v) for row, v in zip(rows, HOSTILE, strict=True))


def test_the_metrics_rejects_file_quotes_every_hostile_cell(service: Store, tmp_path: Path) -> None:
    owner = service.conn.execute("SELECT id FROM person ORDER BY id LIMIT 1").fetchone()[0]
    define_metric(
        service,
        Metric(
            name="Referrals",
            unit="referrals",
            period=Period.DAILY,
            good=GoodDirection.LOWER,
            tolerance_high=50,
            response_pathway="escalate to the service manager",
            review_cycle="monthly",
            owner_id=owner,
        ),
        TODAY,
    )
    observations = tmp_path / "metrics.csv"
    with observations.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["metric", "period", "value"])
        writer.writerows([value, "01/11/2026", value] for value in HOSTILE)
    rejects = tmp_path / "rejects.csv"
    request = MetricsImportRequest(observations, rejects=rejects, skip_invalid=True)
    assert import_metrics_file(service, request, TODAY).rejected == len(HOSTILE)
    rows = read_file(rejects)
    assert [row["metric"] for row in rows] == ["'" + v for v in HOSTILE]
    assert [row["value"] for row in rows] == ["'" + v for v in HOSTILE]


def test_no_module_writes_csv_but_through_the_safe_writer() -> None:
    """The exports above are every CSV huddle writes: no other module makes a csv writer
    (the minutes are Markdown, not CSV)."""
    writers = [
        path.relative_to(ROOT).as_posix()
        for package in ("huddle", "store", "screens")
        for path in (ROOT / package).glob("*.py")
        if "csv.writer(" in path.read_text(encoding="utf-8")
        or "csv.DictWriter(" in path.read_text(encoding="utf-8")
    ]
    assert writers == ["huddle/csv_safety.py"]
