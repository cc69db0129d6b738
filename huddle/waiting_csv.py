"""Reading a provider's waiting-list extract (CSV) and checking every row.

Pure: no SQLite, no Textual, no clock. The store hands in what it knows (providers,
people, risk tiers) as `Lookups` and `today` as a value; this module says, for each row,
either the `WaitingEntry` it describes or every problem with it, naming the column as the
file names it and the value as it was typed. Nothing is guessed: an ambiguous or
impossible date, an unknown tier or provider, or a second row for the same person is
refused, never repaired.

Line numbers are physical lines of the file (the header is line 1), so a reason points
at the line a person sees in a text editor, even when a quoted cell spans lines.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Literal

from pydantic import ValidationError

from huddle.csv_safety import SafeCsvWriter
from huddle.dates import parse_date, uk
from huddle.models import RiskTier, WaitingEntry, initials_problem
from huddle.printable import unseen, unseen_words

# The extract's columns, by huddle's names, in the order the user guide lists them.
COLUMNS = (
    "nhs_number",
    "local_id",
    "initials",
    "referral_date",
    "risk_tier",
    "referral_source",
    "provider",
    "case_owner",
    "last_contact_date",
    "safeguarding_flag",
)
REQUIRED = ("initials", "referral_date", "risk_tier", "provider")
IDENTIFIERS = ("nhs_number", "local_id")

# The WaitingEntry field each column fills.
FIELD_OF = {
    "nhs_number": "nhs_number",
    "local_id": "local_id",
    "initials": "initials",
    "referral_date": "referral_date",
    "risk_tier": "tier",
    "referral_source": "referral_source",
    "provider": "provider_id",
    "case_owner": "case_owner_id",
    "last_contact_date": "last_interim_contact",
    "safeguarding_flag": "safeguarding",
}
COLUMN_OF = {model_field: column for column, model_field in FIELD_OF.items()}

YES = frozenset({"yes", "y", "true", "1"})
NO = frozenset({"no", "n", "false", "0", ""})

# Reasons list at most this many names (of providers, of columns) before "...".
NAMES_SHOWN = 6


# The inputs of an import, as the command line's options and the screen's fields name them.
ImportInput = Literal["file", "mapping", "encoding", "rejects"]


class ImportRefused(ValueError):
    """The whole file is refused (unreadable, wrong encoding, columns missing): one line.

    `field` is the input to correct, so the import screen can show the reason beside it;
    None when the database, not anything typed, is what stops the import.
    """

    def __init__(self, message: str, field: ImportInput | None = None) -> None:
        super().__init__(message)
        self.field: ImportInput | None = field


def fold(name: str) -> str:
    """How names are compared: case-insensitive, ends trimmed, inner runs of spaces as one."""
    return " ".join(name.split()).casefold()


def _cut(text: str, most: int = 40) -> str:
    """`text` as Python writes it (an unseen character by its code), cut to `most`."""
    return repr(text[:most]) + ("..." if len(text) > most else "")


def _some(names: Iterable[str]) -> str:
    listed = list(names)
    shown = ", ".join(listed[:NAMES_SHOWN])
    return shown + (f" and {len(listed) - NAMES_SHOWN} more" if len(listed) > NAMES_SHOWN else "")


# --- mapping files --------------------------------------------------------------------------


def parse_mapping(text: str, source: str) -> dict[str, str]:
    """A saved mapping: a JSON object from huddle's column names to the extract's headers.

    Keys starting with `_` are notes (e.g. "_about": "SystmOne weekly extract") and are
    ignored, so a mapping file can say what it is for.
    """
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportRefused(
            f"mapping {source} is not valid JSON (line {error.lineno}, column {error.colno}: "
            f"{error.msg})",
            "mapping",
        ) from None
    except ValueError as error:
        # Valid JSON that Python will not read: a number of over 4,300 digits.
        raise ImportRefused(f"mapping {source} cannot be read ({error})", "mapping") from None
    if not isinstance(loaded, dict):
        raise ImportRefused(
            f'mapping {source} must be a JSON object such as {{"nhs_number": "NHS No"}}',
            "mapping",
        )
    mapping: dict[str, str] = {}
    for column, header in loaded.items():
        # A key or a header holding an unseen character would reach the reasons an import
        # gives (a header is matched, and then named, as the mapping spells it); a note
        # holding one could hide part of the file from whoever reviews it.
        for text, what in ((column, "key"), (header, "value")):
            if isinstance(text, str) and (character := unseen(text)) is not None:
                raise ImportRefused(
                    f"mapping {source}: the {what} of {_cut(column)}: {unseen_words(character)}",
                    "mapping",
                )
        if column.startswith("_"):
            continue
        if column not in FIELD_OF:
            raise ImportRefused(
                f"mapping {source} names {column!r}, which is not one of huddle's columns "
                f"({', '.join(COLUMNS)})",
                "mapping",
            )
        if not isinstance(header, str) or not header.strip():
            raise ImportRefused(
                f"mapping {source}: {column} must map to the extract's header text, not {header!r}",
                "mapping",
            )
        mapping[column] = header
    by_header: dict[str, str] = {}
    for column, header in mapping.items():
        if fold(header) in by_header:
            raise ImportRefused(
                f"mapping {source} maps both {by_header[fold(header)]} and {column} "
                f"to the header {header!r}",
                "mapping",
            )
        by_header[fold(header)] = column
    return mapping


def load_mapping(path: Path) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ImportRefused(f"no mapping file at {path}", "mapping") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ImportRefused(f"cannot read mapping {path}: {error}", "mapping") from None
    return parse_mapping(text, str(path))


# --- the header -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """Where each of huddle's columns is in the file, and what the file calls it."""

    header: tuple[str, ...]
    index: dict[str, int]  # huddle column -> position in a row
    label: dict[str, str]  # huddle column -> the file's header text

    @property
    def present_fields(self) -> frozenset[str]:
        """WaitingEntry fields the file gives; the others are left as they are on update."""
        return frozenset(FIELD_OF[column] for column in self.index)


def header_positions(header: list[str], source: str) -> tuple[list[str], dict[str, list[int]]]:
    """The header's cells as written (trimmed, any byte order mark gone), and where each
    folded name is: a name found at two positions is for the caller to refuse.

    A header cell holding an unseen character refuses the file, naming the column's
    position: the header is repeated in the rejects file and in every reason that names
    a column, and an escape in it would reach the screen or terminal showing them."""
    cells = [cell.strip().lstrip("\ufeff").strip() for cell in header]
    positions: dict[str, list[int]] = {}
    for position, cell in enumerate(cells):
        if (character := unseen(cell)) is not None:
            raise ImportRefused(
                f"{source}: column {position + 1} of the header ({_cut(cell)}): "
                f"{unseen_words(character)}",
                "file",
            )
        if cell:
            positions.setdefault(fold(cell), []).append(position)
    return cells, positions


def resolve_layout(header: list[str], mapping: dict[str, str], source: str) -> Layout:
    """Match the header to huddle's columns; refuse the file if a needed column is missing."""
    cells, positions = header_positions(header, source)
    index: dict[str, int] = {}
    label: dict[str, str] = {}
    for column in COLUMNS:
        wanted = mapping.get(column, column)
        found = positions.get(fold(wanted))
        if not found:
            if column in mapping:
                raise ImportRefused(
                    f"{source} has no column {wanted!r}, which the mapping names for {column} "
                    f"(the file's columns: {_some(c for c in cells if c)})",
                    "mapping",
                )
            continue
        if len(found) > 1:
            raise ImportRefused(
                f"{source} has the column {wanted!r} {len(found)} times in its header "
                f"(columns {', '.join(str(p + 1) for p in found)}); "
                "huddle cannot tell which to use",
                "file",
            )
        index[column] = found[0]
        label[column] = cells[found[0]]
    missing = [c for c in REQUIRED if c not in index]
    if not any(c in index for c in IDENTIFIERS):
        missing.append("nhs_number or local_id")
    if missing:
        named = [f"{c} (looked for {mapping[c]!r})" if c in mapping else c for c in missing]
        raise ImportRefused(
            f"{source} has no column for {', '.join(named)} "
            f"(the file's columns: {_some(c for c in cells if c) or 'none'}); "
            "if the extract names them differently, give --mapping FILE",
            "mapping" if any(c in mapping for c in missing) else "file",
        )
    return Layout(tuple(cells), index, label)


# --- what the store knows ----------------------------------------------------------------------


@dataclass(frozen=True)
class Lookups:
    """Providers, people and tiers as the store holds them, keyed for name matching."""

    providers: dict[str, tuple[int, ...]]  # folded name -> provider ids
    provider_names: tuple[str, ...]
    people: dict[str, tuple[tuple[int, int], ...]]  # folded name -> (person id, provider id)
    tiers: dict[int, RiskTier]

    @classmethod
    def build(
        cls,
        providers: Iterable[tuple[int, str]],
        people: Iterable[tuple[int, str, int]],
        tiers: dict[int, RiskTier],
    ) -> Lookups:
        by_name: dict[str, list[int]] = {}
        names = []
        for provider_id, name in providers:
            by_name.setdefault(fold(name), []).append(provider_id)
            names.append(name)
        by_person: dict[str, list[tuple[int, int]]] = {}
        for person_id, name, provider_id in people:
            by_person.setdefault(fold(name), []).append((person_id, provider_id))
        return cls(
            providers={k: tuple(v) for k, v in by_name.items()},
            provider_names=tuple(names),
            people={k: tuple(v) for k, v in by_person.items()},
            tiers=dict(tiers),
        )


# --- rows ---------------------------------------------------------------------------------------


@dataclass
class ValidRow:
    line: int
    cells: list[str]
    entry: WaitingEntry


@dataclass
class RejectedRow:
    """A row that will not be imported, with every reason, and what identifies it (where
    that much could be read) so an entry it refers to is not taken as missing from the
    extract."""

    line: int
    cells: list[str]
    problems: list[tuple[str, str]]  # (column as the file names it, reason)
    provider_id: int | None = None
    nhs_number: str | None = None
    local_id: str | None = None

    @property
    def reason(self) -> str:
        return "; ".join(f"{where}: {why}" for where, why in self.problems)

    def lines(self) -> list[str]:
        return [f"line {self.line}: {where}: {why}" for where, why in self.problems]


def cells_miscounted(cells: list[str], width: int) -> str | None:
    """Why a row's cells do not fit a header `width` wide, or None when they do (empty
    cells past the header's end, as spreadsheets leave, are allowed)."""
    if len(cells) == width or (len(cells) > width and not any(c.strip() for c in cells[width:])):
        return None
    reason = f"has {len(cells)} cells but the header has {width}"
    if len(cells) > width:  # the rejects file keeps the header's width: say them here
        reason += f" (the extra cells: {', '.join(repr(c) for c in cells[width:])})"
    return reason


# A provider's own reference for a person; anything longer is not an identifier.
LOCAL_ID_MOST = 64


@dataclass
class RowChecker:
    """Checks rows one at a time, remembering identifiers to refuse a second row for the
    entry (the same NHS number or local id at the same provider). One person waiting with
    two providers is two entries, as the register holds them: the weekly reconciliation
    lists them, rather than an import refusing the second."""

    layout: Layout
    lookups: Lookups
    today: date
    _seen_nhs: dict[tuple[int | None, str], int] = field(default_factory=dict)
    _seen_local: dict[tuple[int, str], int] = field(default_factory=dict)
    # Extracts repeat the same few hundred dates and names, so each is read once.
    _dates: dict[str, date | str] = field(default_factory=dict)
    _providers: dict[str, int | str] = field(default_factory=dict)
    _owners: dict[tuple[str, int | None], int | str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._width = len(self.layout.header)
        self._columns = tuple(self.layout.index.items())
        self._tier_list = ", ".join(str(n) for n in sorted(self.lookups.tiers))
        self._order = {label: n for n, label in enumerate(self.layout.label.values())}

    def check(self, line: int, cells: list[str]) -> ValidRow | RejectedRow:
        miscounted = cells_miscounted(cells, self._width)
        if miscounted is not None:
            return RejectedRow(line, cells, [("row", miscounted)])
        value = {column: cells[position].strip() for column, position in self._columns}
        problems: dict[str, str] = {}  # huddle column -> reason
        nhs_number = value.get("nhs_number", "")
        local_id = value.get("local_id") or None
        if not nhs_number and not local_id:
            problems["identifiers"] = "neither an NHS number nor a local id: a row needs one"

        initials = value["initials"]
        if (problem := initials_problem(initials)) is not None:
            problems["initials"] = problem

        referral_date, last_contact = self._dates_of(value, problems)

        tier_text = value["risk_tier"]
        # Tiers are numbered 1 to 9: a longer run of digits is no tier, and int() would
        # refuse one of over 4,300 digits with an error rather than this row's reason.
        is_number = tier_text.isascii() and tier_text.isdigit() and len(tier_text) <= 9
        tier = int(tier_text) if is_number else None
        if tier not in self.lookups.tiers:
            problems["risk_tier"] = (
                f"{tier_text!r} is not one of the service's risk tiers ({self._tier_list})"
                if tier_text
                else "blank: a risk tier is required"
            )

        provider_id = self._provider(value["provider"], problems)
        case_owner_id = self._case_owner(value.get("case_owner", ""), provider_id, problems)

        flag = value.get("safeguarding_flag", "").casefold()
        if flag not in YES and flag not in NO:
            problems["safeguarding_flag"] = (
                f"{value['safeguarding_flag']!r} is not yes or no "
                "(use yes/no, y/n, true/false, 1/0, or leave blank for no)"
            )

        # A terminal escape or a line break in a cell would reach every screen, export and
        # set of minutes that shows it: refused here, naming the column.
        for column, text in value.items():
            if (character := unseen(text)) is not None:
                problems[column] = unseen_words(character)
        if local_id and len(local_id) > LOCAL_ID_MOST:
            problems["local_id"] = (
                f"{len(local_id)} characters: a local id is at most {LOCAL_ID_MOST}"
            )

        # The model has the last word (it checks the NHS number's Modulus 11 digit). Where a
        # value was refused above, a stand-in keeps its reason from being given twice.
        entry = None
        try:
            entry = WaitingEntry(
                local_id=local_id,
                nhs_number=nhs_number or None,
                initials="X" if "initials" in problems else initials,
                referral_date=referral_date or self.today,
                tier=1 if "risk_tier" in problems else tier,
                referral_source=value.get("referral_source", ""),
                provider_id=provider_id or 0,
                case_owner_id=case_owner_id,
                last_interim_contact=last_contact,
                safeguarding=flag in YES,
            )
        except ValidationError as error:
            for detail in error.errors():
                model_field = str(detail["loc"][0]) if detail["loc"] else "identifiers"
                column = COLUMN_OF.get(model_field, model_field)
                problems.setdefault(column, detail["msg"].removeprefix("Value error, "))

        # A valid NHS number (the model accepted it) identifies the entry at its provider.
        nhs_key = (
            nhs_number.replace(" ", "") if nhs_number and "nhs_number" not in problems else None
        )
        if nhs_key is not None:
            earlier = self._seen_nhs.setdefault((provider_id, nhs_key), line)
            if earlier != line:
                problems["nhs_number"] = f"same NHS number at this provider as line {earlier}"
        if local_id and provider_id is not None:
            earlier = self._seen_local.setdefault((provider_id, local_id), line)
            if earlier != line:
                problems["local_id"] = f"same local id at this provider as line {earlier}"

        if problems or entry is None:
            return RejectedRow(line, cells, self._named(problems), provider_id, nhs_key, local_id)
        return ValidRow(line, cells, entry)

    def _named(self, problems: dict[str, str]) -> list[tuple[str, str]]:
        """(column as the file names it, reason), in the file's column order."""
        label = self.layout.label
        named = []
        for column, reason in problems.items():
            if column == "identifiers":
                where = "/".join(label[c] for c in IDENTIFIERS if c in label)
            else:
                where = label.get(column, column)
            named.append((where, reason))
        return sorted(named, key=lambda item: self._order.get(item[0], -1))

    def _dates_of(self, value: dict[str, str], problems: dict[str, str]) -> tuple:
        referral_text = value["referral_date"]
        referral_date = self._date(referral_text, "referral_date", problems)
        if not referral_text:
            problems["referral_date"] = "blank: a referral date is required"
        elif referral_date is not None and referral_date > self.today:
            problems["referral_date"] = (
                f"{referral_text!r} is after today ({uk(self.today)}): "
                "a referral cannot be in the future"
            )
            referral_date = None
        contact_text = value.get("last_contact_date", "")
        last_contact = self._date(contact_text, "last_contact_date", problems)
        if last_contact is not None:
            if last_contact > self.today:
                problems["last_contact_date"] = (
                    f"{contact_text!r} is after today ({uk(self.today)})"
                )
                last_contact = None
            elif referral_date is not None and last_contact < referral_date:
                problems["last_contact_date"] = (
                    f"{contact_text!r} is before the referral date {referral_text!r}"
                )
                last_contact = None
        return referral_date, last_contact

    def _date(self, text: str, column: str, problems: dict[str, str]) -> date | None:
        if not text:
            return None
        parsed = self._dates.get(text)
        if parsed is None:
            try:
                parsed = parse_date(text, "date")
            except ValueError as error:
                parsed = str(error)
            self._dates[text] = parsed
        if isinstance(parsed, str):
            problems[column] = parsed
            return None
        return parsed

    def _provider(self, name: str, problems: dict[str, str]) -> int | None:
        found = self._providers.get(name)
        if found is None:
            found = self._providers[name] = self._find_provider(name)
        if isinstance(found, str):
            problems["provider"] = found
            return None
        return found

    def _find_provider(self, name: str) -> int | str:
        if not name:
            return "blank: every entry needs a provider"
        found = self.lookups.providers.get(fold(name), ())
        if len(found) == 1:
            return found[0]
        if not found:
            known = _some(self.lookups.provider_names)
            return f"{name!r} is not a provider in this database (known: {known})"
        return f"{name!r} matches {len(found)} providers; rename one of them"

    def _case_owner(
        self, name: str, provider_id: int | None, problems: dict[str, str]
    ) -> int | None:
        if not name:
            return None  # allowed: the weekly reconciliation lists unowned cases
        found = self._owners.get((name, provider_id))
        if found is None:
            found = self._owners[(name, provider_id)] = self._find_owner(name, provider_id)
        if isinstance(found, str):
            problems["case_owner"] = found
            return None
        return found

    def _find_owner(self, name: str, provider_id: int | None) -> int | str:
        found = self.lookups.people.get(fold(name), ())
        if not found:
            return f"{name!r} is not a person in this database: add them in Set-up (key 7)"
        if len(found) == 1:
            return found[0][0]
        # Two people of one name: the one at the entry's provider, if only one is.
        here = [person for person, at in found if at == provider_id]
        if len(here) == 1:
            return here[0]
        return f"{name!r} matches {len(found)} people; huddle cannot tell which"


# --- the file ---------------------------------------------------------------------------------


def codec_for(encoding: str | None) -> str:
    """UTF-8 (with or without a byte order mark) unless another encoding is named."""
    if encoding is None:
        return "utf-8-sig"
    try:
        name = codecs.lookup(encoding).name
        # rot13, base64 and the like are codecs but not text encodings: open() refuses
        # them with a LookupError, which a text wrapper over nothing raises here.
        io.TextIOWrapper(io.BytesIO(), encoding=name)
    except LookupError:
        raise ImportRefused(
            f"--encoding {encoding!r} is not an encoding huddle knows (e.g. utf-8, cp1252)",
            "encoding",
        ) from None
    return "utf-8-sig" if name in ("utf-8", "utf-8-sig") else name


class Extract:
    """An open extract: the header checked, the rows to come as (line, cells).

    Blank lines (and rows of empty cells) are skipped and not counted as rows.
    """

    def __init__(
        self,
        path: Path,
        encoding: str | None = None,
        mapping: dict[str, str] | None = None,
        layout: Callable[[list[str], str], Layout] | None = None,
    ) -> None:
        """`layout` matches the header (the cells, the file's name) to the columns wanted;
        by default a waiting-list extract's, through `mapping`."""
        self.path = Path(path)
        self.name = self.path.name
        self.named_encoding = encoding
        self.codec = codec_for(encoding)
        try:
            self._file: IO[str] = open(  # noqa: SIM115 - closed by close() / the with block
                self.path, encoding=self.codec, errors="strict", newline=""
            )
        except FileNotFoundError:
            raise ImportRefused(f"no file at {self.path}", "file") from None
        except OSError as error:
            raise ImportRefused(
                f"cannot read {self.path}: {error.strerror or error}", "file"
            ) from None
        self._size = os.fstat(self._file.fileno()).st_size
        self._reader = csv.reader(self._file, strict=True)
        self._records = self._guarded(self._nonblank())
        try:
            first = next(self._records, None)
            if first is None:
                raise ImportRefused(
                    f"{self.path} is empty: expected a header line and rows", "file"
                )
            self.header_line, header = first
            if layout is None:
                self.layout = resolve_layout(header, mapping or {}, str(self.path))
            else:
                self.layout = layout(header, str(self.path))
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Extract:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._file.close()

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        return self._records

    def share_read(self) -> float:
        """How much of the file has been read so far, from 0 to 1, for a progress bar: the
        position of the file itself, so it runs ahead of the rows by one buffer at most and
        costs no bookkeeping per row."""
        if not self._size:
            return 1.0
        return min(1.0, os.lseek(self._file.fileno(), 0, os.SEEK_CUR) / self._size)

    def _nonblank(self) -> Iterator[tuple[int, list[str]]]:
        reader, previous = self._reader, 0
        for cells in reader:
            start, previous = previous + 1, reader.line_num
            if any(cell.strip() for cell in cells):
                yield start, cells

    def _guarded(self, records: Iterator[tuple[int, list[str]]]) -> Iterator:
        try:
            yield from records
        except UnicodeError as error:
            # The file is what it is: the fix is to name its encoding. Mostly a
            # UnicodeDecodeError; utf-16 with no byte order mark raises its parent.
            raise ImportRefused(self._not_decodable(error), "encoding") from None
        except csv.Error as error:
            raise ImportRefused(
                f"{self.path} line {self._reader.line_num} is not valid CSV ({error})", "file"
            ) from None

    def _not_decodable(self, error: UnicodeError) -> str:
        """Say where the first undecodable byte is; suggest, never guess, an encoding."""
        data = self.path.read_bytes()
        try:
            data.decode(self.codec)
            where = ""
        except UnicodeError as found:
            where = ""  # the whole file is at fault (utf-16 with no byte order mark)
            if isinstance(found, UnicodeDecodeError):
                byte = data[found.start : found.start + 1].hex()
                line = data.count(b"\n", 0, found.start) + 1
                where = f" (byte 0x{byte} on line {line})"
        if self.named_encoding is None:
            return (
                f"{self.path} is not UTF-8{where}: if it was saved by Excel or another "
                "Windows program, name its encoding, e.g. --encoding cp1252"
            )
        reason = error.reason if isinstance(error, UnicodeDecodeError) else str(error)
        return f"{self.path} is not valid {self.named_encoding}{where} ({reason})"


# --- the rejects file ----------------------------------------------------------------------------


class RejectsWriter:
    """Every rejected row: its original cells, then `line` and `reason`, neutralised like an
    export. The file can be corrected and imported again (import ignores the extra columns)."""

    def __init__(self, stream: IO[str], header: Iterable[str]) -> None:
        self._header = list(header)
        self._writer = SafeCsvWriter(stream)
        self._writer.writerow([*self._header, "line", "reason"])
        self.count = 0

    def write(self, row: RejectedRow) -> None:
        cells = list(row.cells[: len(self._header)])
        cells += [""] * (len(self._header) - len(cells))
        self._writer.writerow([*cells, row.line, row.reason])
        self.count += 1
