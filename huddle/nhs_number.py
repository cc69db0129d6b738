"""NHS number validation (Modulus 11), kept as text so leading zeros survive."""


def nhs_check_digit(first_nine: str) -> int | None:
    """The Modulus 11 check digit for nine digits, or None where no valid number exists."""
    total = sum(
        int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True)
    )
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def nhs_number_problem(value: str) -> str | None:
    """Why `value` is not a valid NHS number, or None if it is."""
    # isascii: str.isdigit alone lets through superscripts and other scripts' digits.
    if len(value) != 10 or not (value.isascii() and value.isdigit()):
        return f"NHS number {value!r} must be exactly 10 digits"
    check = nhs_check_digit(value[:9])
    if check is None or check != int(value[9]):
        return f"NHS number {value!r} fails the Modulus 11 check digit"
    return None


def is_valid_nhs_number(value: str) -> bool:
    return nhs_number_problem(value) is None


def spaced(number: str | None) -> str:
    """Shown 3-3-4, as on NHS letters, so it is read back without slips; a dash if none."""
    return f"{number[:3]} {number[3:6]} {number[6:]}" if number else "—"
