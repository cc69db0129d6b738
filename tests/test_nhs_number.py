"""NHS numbers: text, ten digits, Modulus 11; and how a waiting-list entry refuses a bad one."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from huddle.models import WaitingEntry
from huddle.nhs_number import is_valid_nhs_number, nhs_check_digit, nhs_number_problem

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
