"""NHS numbers: text, ten digits, Modulus 11; and how a waiting-list entry refuses a bad one."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from random import Random

import pytest
from pydantic import ValidationError

from fixtures.people import PROVIDERS, add_providers_and_staff
from huddle.models import Service, WaitingEntry
from huddle.nhs_number import is_valid_nhs_number, nhs_check_digit, nhs_number_problem
from store import Store, records
from store.waiting_export import export_waiting_list
from store.waiting_import import ImportRequest, import_file
from tests.conftest import TODAY

KNOWN_VALID = ["9434765919", "4010232137", "9434765870", "4505577104"]


def mod11_check_digit(first_nine: str) -> int | None:
    """Written independently of huddle.nhs_number, from the NHS Data Dictionary."""
    total = 0
    for position, digit in enumerate(first_nine):
        total += int(digit) * (10 - position)
    remainder = total % 11
    if remainder == 0:
        return 0
    check = 11 - remainder
    return None if check == 10 else check


def entry(**overrides: object) -> WaitingEntry:
    fields: dict[str, object] = {
        "initials": "AB",
        "referral_date": date(2026, 11, 1),
        "tier": 2,
        "provider_id": 1,
    }
    fields.update(overrides)
    return WaitingEntry(**fields)


def leading_zero_number() -> str:
    for n in range(1000):
        nine = f"01234{n:04d}"
        check = nhs_check_digit(nine)
        if check is not None:
            return nine + str(check)
    raise AssertionError("no valid number found")


@pytest.mark.parametrize("number", KNOWN_VALID)
def test_known_valid_numbers(number: str) -> None:
    assert is_valid_nhs_number(number)
    assert nhs_number_problem(number) is None
    assert nhs_check_digit(number[:9]) == int(number[9])


def test_all_zeros_passes_modulus_11() -> None:
    # 0 * anything = 0; 11 - 0 = 11, which the algorithm maps to check digit 0
    assert nhs_check_digit("000000000") == 0
    assert is_valid_nhs_number("0000000000")


def test_a_number_with_a_leading_zero_is_valid_and_kept_as_text() -> None:
    number = leading_zero_number()
    assert number.startswith("0")
    assert is_valid_nhs_number(number)
    stored = entry(nhs_number=number)
    assert stored.nhs_number == number
    assert stored.model_dump(mode="json")["nhs_number"] == number


def test_check_digit_matches_an_independent_implementation() -> None:
    for n in range(0, 999_999_999, 1_234_567):
        nine = f"{n:09d}"
        assert nhs_check_digit(nine) == mod11_check_digit(nine), nine


def test_check_digit_ten_means_no_valid_number() -> None:
    # 11 - remainder 1 = 10 cannot be a single digit: no number with these nine digits exists
    nine = next(f"{n:09d}" for n in range(1, 100_000) if mod11_check_digit(f"{n:09d}") is None)
    assert nhs_check_digit(nine) is None
    for last in "0123456789":
        assert not is_valid_nhs_number(nine + last)
        assert "Modulus 11" in (nhs_number_problem(nine + last) or "")


@pytest.mark.parametrize(
    "value",
    ["", "943476591", "94347659190", "943476591X", "943 476 5919", "943-476-5919", "+943476591"],
)
def test_wrong_length_or_non_digits(value: str) -> None:
    problem = nhs_number_problem(value)
    assert problem is not None
    assert "10 digits" in problem
    assert repr(value) in problem
    assert not is_valid_nhs_number(value)


def test_wrong_check_digit_names_the_number() -> None:
    problem = nhs_number_problem("9434765918")
    assert problem == "NHS number '9434765918' fails the Modulus 11 check digit"


@pytest.mark.parametrize("number", KNOWN_VALID)
def test_every_single_digit_substitution_is_rejected(number: str) -> None:
    for position in range(10):
        for digit in "0123456789":
            if digit == number[position]:
                continue
            changed = number[:position] + digit + number[position + 1 :]
            assert not is_valid_nhs_number(changed), changed


def test_superscript_digit_gives_a_message_not_an_exception() -> None:
    assert nhs_number_problem("943476591²") is not None


def test_non_ascii_digits_are_not_an_nhs_number() -> None:
    assert not is_valid_nhs_number("\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19")
    assert not is_valid_nhs_number("٩٤٣٤٧٦٥٩١٩")


# --- the waiting-list entry ---------------------------------------------------------------


def test_entry_refuses_an_invalid_number_naming_it() -> None:
    with pytest.raises(ValidationError) as caught:
        entry(nhs_number="9434765918")
    message = str(caught.value)
    assert "nhs_number" in message
    assert "9434765918" in message
    assert "Modulus 11" in message


def test_entry_refuses_a_number_given_as_an_int() -> None:
    with pytest.raises(ValidationError) as caught:
        entry(nhs_number=9434765919)
    assert "nhs_number" in str(caught.value)
    assert "text" in str(caught.value)


def test_entry_strips_spaces_from_the_number() -> None:
    assert entry(nhs_number="943 476 5919").nhs_number == "9434765919"
    assert entry(nhs_number=" 9434765919 ").nhs_number == "9434765919"


def test_entry_refuses_spaced_invalid_number_naming_the_compact_form() -> None:
    with pytest.raises(ValidationError, match="9434765918"):
        entry(nhs_number="943 476 5918")


def test_entry_needs_an_nhs_number_or_a_local_id() -> None:
    with pytest.raises(ValueError, match="NHS number or a local id"):
        entry()
    with pytest.raises(ValueError, match="NHS number or a local id"):
        entry(nhs_number="", local_id="")
    assert entry(local_id="L-17").nhs_number is None
    assert entry(nhs_number="4010232137").local_id is None
    both = entry(nhs_number="4010232137", local_id="L-17")
    assert (both.nhs_number, both.local_id) == ("4010232137", "L-17")


def test_blank_nhs_number_is_none() -> None:
    assert entry(nhs_number="", local_id="L-1").nhs_number is None


# --- Modulus 11 over thousands of numbers -------------------------------------------------


def sampled_valid_numbers(stems: int = 2_000, seed: int = 11) -> list[str]:
    """Every valid number from `stems` random nine-digit stems (seeded, so the same every
    run): about one stem in eleven has check digit 10, so no valid number, and is left out."""
    rng = Random(seed)
    numbers = []
    for _ in range(stems):
        stem = f"{rng.randrange(10**9):09d}"
        check = mod11_check_digit(stem)
        if check is not None:
            numbers.append(f"{stem}{check}")
    return numbers


SAMPLED = sampled_valid_numbers()


def swapped(number: str, i: int, j: int) -> str:
    digits = list(number)
    digits[i], digits[j] = digits[j], digits[i]
    return "".join(digits)


def test_the_sample_is_thousands_of_valid_numbers() -> None:
    assert len(SAMPLED) > 1_700 and all(is_valid_nhs_number(n) for n in SAMPLED)


def test_every_single_digit_substitution_of_every_sampled_number_is_rejected() -> None:
    """Changing one digit by d changes the weighted sum by weight x d, with a weight of 1
    to 10 (the check digit counting once) and d of 1 to 9: never a multiple of 11, as 11
    is prime. So every substitution, check digit included, is caught."""
    tested = 0
    for number in SAMPLED:
        for position in range(10):
            for digit in "0123456789":
                if digit != number[position]:
                    changed = number[:position] + digit + number[position + 1 :]
                    assert not is_valid_nhs_number(changed), (number, changed)
                    tested += 1
    assert tested == len(SAMPLED) * 10 * 9


def test_every_adjacent_transposition_of_every_sampled_number_is_rejected() -> None:
    """Modulus 11 catches every one, the ninth digit swapped with the check digit too.

    A number is valid exactly when 10*d1 + 9*d2 + ... + 2*d9 + 1*c is a multiple of 11
    (11 - remainder is the check digit c; a remainder of 1 would need c = 10, so no valid
    number has that stem). Swapping two different neighbours a and b, whose weights differ
    by 1, changes that sum by a - b, which is 1 to 9 away from 0 and so never a multiple
    of 11. The ninth digit (weight 2) and the check digit (weight 1) differ by 1 as well:
    that swap is caught like the others: of the sampled swaps, none slips through.
    Any two digits swapped, neighbours or not, are caught for the same reason: the
    weights 10 to 1 are all different modulo 11. What Modulus 11 cannot catch is two
    errors at once, such as two digits each mistyped, whose changes can cancel."""
    tested = with_check_digit = 0
    for number in SAMPLED:
        for i in range(9):
            if number[i] != number[i + 1]:
                assert not is_valid_nhs_number(swapped(number, i, i + 1)), (number, i)
                tested += 1
                with_check_digit += i == 8
    assert tested > 8 * len(SAMPLED) and with_check_digit > 0.8 * len(SAMPLED)


def test_every_transposition_of_two_different_digits_is_rejected() -> None:
    for number in SAMPLED[:500]:
        for i in range(10):
            for j in range(i + 1, 10):
                if number[i] != number[j]:
                    assert not is_valid_nhs_number(swapped(number, i, j)), (number, i, j)


# --- a leading zero, from import to export ------------------------------------------------


def test_a_leading_zero_survives_import_the_store_and_the_export(
    store: Store, tmp_path: Path
) -> None:
    number = leading_zero_number()
    with store.write("test service, providers and staff") as txn:
        records.insert(txn, Service(name="Test service"))
        add_providers_and_staff(txn)
    extract = tmp_path / "extract.csv"
    extract.write_text(
        "nhs_number,initials,referral_date,risk_tier,provider\r\n"
        f"{number},AB,01/11/2026,3,{PROVIDERS['prime'].name}\r\n",
        encoding="utf-8",
    )
    assert import_file(store, ImportRequest(extract), TODAY).imported == 1

    stored = store.conn.execute(
        "SELECT nhs_number, typeof(nhs_number) FROM waiting_entry"
    ).fetchall()
    assert stored == [(number, "text")]

    out = io.StringIO()
    export_waiting_list(store, TODAY, out)
    (row,) = csv.DictReader(io.StringIO(out.getvalue()))
    assert row["nhs_number"] == number and number.startswith("0")
