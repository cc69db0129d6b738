"""A people list from HR (CSV: name, role, provider, and optionally active and login), read
as the people of a service file would be. Pure: text in, people and rejected rows out."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from pydantic import ValidationError

from huddle.printable import unseen, unseen_words
from huddle.service_file import PersonSpec

REQUIRED = ("name", "role", "provider")
COLUMNS = (*REQUIRED, "active", "login")
YES = {"yes", "y", "true", "1", ""}
NO = {"no", "n", "false", "0"}


@dataclass(frozen=True)
class PersonRow:
    line: int
    person: PersonSpec


@dataclass(frozen=True)
class RejectedPerson:
    line: int
    reason: str


@dataclass(frozen=True)
class PeopleList:
    rows: list[PersonRow]
    rejected: list[RejectedPerson]

    @property
    def rows_in(self) -> int:
        return len(self.rows) + len(self.rejected)


def read_people(text: str, source: str) -> PeopleList:
    """Every row checked; a header that lacks a column is refused whole (ValueError)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    written = next(reader, [])
    # An unseen character in a column's name would reach the terminal in the reason that
    # names it: refused, as an extract's header is, by the column's position.
    for position, cell in enumerate(written, 1):
        if (character := unseen(cell.strip().lstrip("\ufeff"))) is not None:
            raise ValueError(
                f"{source}: column {position} of the header: {unseen_words(character)}"
            )
    header = [" ".join(cell.split()).lower() for cell in written]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise ValueError(
            f"{source}: the header line needs the columns {', '.join(REQUIRED)} (and may have "
            f"active and login); missing: {', '.join(missing)}"
        )
    unknown = [column for column in header if column not in COLUMNS]
    if unknown:
        raise ValueError(
            f"{source}: unknown columns {', '.join(unknown)}: use {', '.join(COLUMNS)}"
        )
    rows: list[PersonRow] = []
    rejected: list[RejectedPerson] = []
    first_line: dict[str, int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            rejected.append(
                RejectedPerson(line, f"{len(cells)} cells where the header has {len(header)}")
            )
            continue
        values = dict(zip(header, cells, strict=True))
        active = values.pop("active", "").strip().lower()
        if active not in YES | NO:
            rejected.append(RejectedPerson(line, f"active: {active!r} is not yes or no"))
            continue
        # A blank login is none given: the person keeps the one set-up holds (people_import).
        login = values.pop("login", "").strip() or None
        try:
            person = PersonSpec.model_validate({**values, "login": login, "active": active in YES})
        except ValidationError as error:
            found = error.errors()[0]
            where = ".".join(str(part) for part in found["loc"])
            said = (
                "required: fill it in"
                if found["type"] == "string_too_short"
                else found["msg"].removeprefix("Value error, ")
            )
            rejected.append(RejectedPerson(line, f"{where}: {said}"))
            continue
        if person.name in first_line:
            rejected.append(
                RejectedPerson(
                    line, f"name: {person.name!r} is also on line {first_line[person.name]}"
                )
            )
            continue
        first_line[person.name] = line
        rows.append(PersonRow(line, person))
    return PeopleList(rows, rejected)
