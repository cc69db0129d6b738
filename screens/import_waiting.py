"""Importing a waiting-list extract from the screen: the file checked first, then confirmed.

The same import as `huddle import waiting-list` (store.waiting_import.import_file), run in
a thread worker with its own connection: enter checks every row as a dry run and shows
what the import would do; ctrl+s imports the file that was checked; escape leaves with
nothing written. The dialog dismisses with the import's summary line once it is written,
or None when it is cancelled.

In a browser tab of `huddle serve` the person may be anyone who can reach the page, so the
dialog reads (and writes a rejects file) only inside the imports folder named at `serve`
time; with none, it says imports happen from the command line and reads nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Literal

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Input, Label, ProgressBar, Static, Switch
from textual.worker import Worker, WorkerState, get_current_worker

from huddle.waiting_csv import ImportInput, ImportRefused
from store.waiting_import import ImportProgress, ImportRequest, ImportResult, import_file

# The form's fields, by the input each one gives the import, with the label it shows.
FIELDS: dict[ImportInput, str] = {
    "file": "File",
    "mapping": "Mapping",
    "encoding": "Encoding",
    "rejects": "Rejects file",
}

CHECK_FIRST = "Nothing is written until you press ctrl+s after the check."

Job = Literal["check", "import"]


def rejects_beside(path: Path) -> Path:
    """The default rejects file: week-47.csv's is week-47.rejects.csv, in the same folder."""
    return path.with_name(f"{path.stem}.rejects.csv")


def typed_path(text: str) -> Path:
    """A path as typed, made absolute so a message shows exactly where huddle looked."""
    return Path(text).expanduser().absolute()


def in_folder(folder: Path, text: str) -> Path | None:
    """A path typed in a browser, taken within `folder`; None when it leads out of it by
    `..`, by an absolute path or by a symbolic link (resolved before it is judged, so
    nothing outside is read, nor said to exist or not)."""
    root = folder.resolve()
    path = (root / text).resolve()
    return path if path.is_relative_to(root) else None


NO_IMPORTS_FOLDER = (
    "Imports happen from the command line here (huddle import waiting-list FILE): this "
    "browser session was started without an imports folder (huddle serve --imports DIR)."
)


class FormError(Exception):
    """A field the form cannot use as typed."""

    def __init__(self, field: ImportInput, message: str) -> None:
        super().__init__(message)
        self.field: ImportInput = field


# The worker's messages are for this dialog alone: they do not bubble up to the app.


@dataclass
class Progressed(Message, bubble=False):
    """How far the check or the import has got."""

    progress: ImportProgress


@dataclass
class Finished(Message, bubble=False):
    """The check or the import ran to its end (an import may still have been refused)."""

    request: ImportRequest
    result: ImportResult


@dataclass
class Refused(Message, bubble=False):
    """The file, mapping, encoding or rejects file refused as a whole (or, with no field,
    the database): nothing was written."""

    field: ImportInput | None
    reason: str


class _Stopped(Exception):
    """Raised from the progress callback when the dialog was closed during a check."""


class ImportWaitingScreen(ModalScreen[str | None]):
    CSS_PATH = "import_waiting.tcss"
    BINDINGS = [
        # A priority binding, so enter checks from every field (a switch would toggle).
        Binding(
            "enter",
            "check",
            "Check",
            id="import-check",
            tooltip="Check every row of the file and show what the import would do; "
            "nothing is written",
            priority=True,
        ),
        Binding(
            "ctrl+s",
            "import_now",
            "Import",
            key_display="^s",
            id="import-confirm",
            tooltip="Import the checked file as one audited write",
        ),
        Binding(
            "escape",
            "cancel",
            "Cancel",
            id="import-cancel",
            tooltip="Close without importing: nothing is written",
        ),
    ]

    def __init__(self, served: bool = False, imports: Path | None = None) -> None:
        super().__init__()
        self.served, self.imports = served, imports
        self.no_imports = served and imports is None
        """A browser session with no imports folder: nothing can be read."""
        self.running: Job | None = None  # while a worker runs
        self.checked: ImportRequest | None = None  # the form as it was checked
        self.check_result: ImportResult | None = None
        self.started_with: ImportRequest | None = None  # the form when the worker started

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Import a waiting-list extract (CSV)", id="title")
            yield from self._field(
                "file",
                Input(
                    placeholder="name of the extract in the imports folder, e.g. week-47.csv"
                    if self.served
                    else "path of the extract, e.g. ~/week-47.csv",
                    id="file",
                    disabled=self.no_imports,
                ),
            )
            yield from self._field(
                "mapping",
                Input(
                    placeholder="optional: a mapping file (JSON) naming your headers", id="mapping"
                ),
            )
            yield from self._field(
                "encoding",
                Input(placeholder="blank for UTF-8; cp1252 for Excel's plain CSV", id="encoding"),
            )
            with Horizontal(classes="field"):
                yield Label("Skip invalid", classes="label")
                yield Switch(False, id="skip")
                yield Label(
                    "import the valid rows; every rejected row goes to the rejects file",
                    id="skip-help",
                )
            yield from self._field(
                "rejects",
                Input(
                    placeholder="blank: FILE.rejects.csv beside the file",
                    id="rejects",
                    disabled=True,
                ),
            )
            yield Static(self._opening_words(), id="status")
            yield ProgressBar(total=100, show_eta=False, id="progress")
            with VerticalScroll(id="report"):
                yield Static("", id="summary")
                yield DataTable(id="rejected", cursor_type="row", zebra_stripes=True)
                yield Static("", id="missing")
        yield Footer(compact=True)

    def _field(self, field: ImportInput, widget: Input) -> ComposeResult:
        with Horizontal(classes="field"):
            yield Label(FIELDS[field], classes="label")
            yield widget
        yield Static("", id=f"{field}-error", classes="field-error")

    def _opening_words(self) -> str:
        if self.no_imports:
            return NO_IMPORTS_FOLDER
        if self.imports is not None:
            return (
                f"Files are read from the imports folder {self.imports} only. Type the "
                f"file's name, then press enter to check it. {CHECK_FIRST}"
            )
        return f"Type the file's path, then press enter to check it. {CHECK_FIRST}"

    def on_mount(self) -> None:
        self.query_one("#rejected", DataTable).add_columns("Line", "Column", "Reason")
        if self.no_imports:
            for field in self.query(Input):
                field.disabled = True
            self.query_one("#skip", Switch).disabled = True
            return
        self.query_one("#file", Input).focus()

    def _path(self, field: ImportInput, text: str) -> Path:
        """Where a typed path leads: as typed in a terminal; in a browser, only within the
        imports folder."""
        if not self.served:
            return typed_path(text)
        if self.imports is None:
            raise FormError(field, NO_IMPORTS_FOLDER)
        path = in_folder(self.imports, text)
        if path is None:
            raise FormError(
                field,
                f"{text}: only files in the imports folder ({self.imports}) can be used "
                "from a browser; type the name of a file in it",
            )
        return path

    # --- the form ----------------------------------------------------------------------------

    @on(Switch.Changed, "#skip")
    def _skip_changed(self, event: Switch.Changed) -> None:
        self.query_one("#rejects", Input).disabled = not event.value

    def _read_form(self) -> ImportRequest:
        """The import the form asks for; FormError names the first field it cannot use."""
        text = {field: self.query_one(f"#{field}", Input).value.strip() for field in FIELDS}
        if not text["file"]:
            raise FormError("file", "type the path of the CSV file to import")
        path = self._path("file", text["file"])
        skip = self.query_one("#skip", Switch).value
        rejects = None
        if skip:
            rejects = (
                self._path("rejects", text["rejects"]) if text["rejects"] else rejects_beside(path)
            )
            # Checked now so the import cannot be refused for it after a long check; the
            # file itself is created, never overwritten, only when the import runs.
            if rejects.exists():
                raise FormError(
                    "rejects",
                    f"{rejects} already exists: huddle never overwrites a file; "
                    "type the name of a new one",
                )
        return ImportRequest(
            path,
            encoding=text["encoding"] or None,
            mapping=self._path("mapping", text["mapping"]) if text["mapping"] else None,
            rejects=rejects,
            skip_invalid=skip,
        )

    def _show_error(self, field: ImportInput | None, reason: str) -> None:
        if field is None:
            self._say(f"Refused, nothing written: {reason}")
            return
        error = self.query_one(f"#{field}-error", Static)
        error.update(Text(f"{FIELDS[field]}: {reason}"))
        error.display = True
        self._say(f"{FIELDS[field]}: correct it, then press enter to check again.")
        target = self.query_one(f"#{field}", Input)
        if not target.disabled:
            target.focus()

    def _clear_errors(self) -> None:
        for error in self.query(".field-error"):
            error.display = False

    def _say(self, words: str) -> None:
        self.query_one("#status", Static).update(Text(words))

    # --- keys --------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("check", "import_now"):
            if self.no_imports:
                return False
            return None if self.running else True
        if action == "cancel":
            # An import being written is one transaction that cannot be left half-way.
            return None if self.running == "import" else True
        return True

    def action_check(self) -> None:
        self._clear_errors()
        try:
            form = self._read_form()
        except FormError as error:
            self._show_error(error.field, str(error))
            return
        self.checked, self.check_result = None, None
        self._show_report(None, "")
        # The check writes no rejects file: the import would then find it there and refuse.
        self._start("check", replace(form, dry_run=True, rejects=None), form)

    def action_import_now(self) -> None:
        self._clear_errors()
        if self.checked is None or self.check_result is None:
            self._say(f"Check the file first: press enter. {CHECK_FIRST}")
            return
        try:
            form = self._read_form()
        except FormError as error:
            self._show_error(error.field, str(error))
            return
        if form != self.checked:
            self._say("The form has changed since the check: press enter to check it again.")
            return
        if self.check_result.blocked:
            self._say(self._blocked_words(self.check_result))
            return
        self._start("import", form, form)

    def action_cancel(self) -> None:
        self.workers.cancel_node(self)  # a check stops at its next progress report
        self.dismiss(None)

    # --- the worker --------------------------------------------------------------------------

    def _start(self, kind: Job, request: ImportRequest, form: ImportRequest) -> None:
        self.running = kind
        self.refresh_bindings()
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=100, progress=0)
        bar.display = True
        verb = "Checking" if kind == "check" else "Importing"
        self._say(f"{verb} {request.path.name}…")
        self.started_with = form
        self._import(request, self.app.clock.today())

    @work(thread=True, exclusive=True, exit_on_error=False, group="import")
    def _import(self, request: ImportRequest, today: date) -> None:
        worker = get_current_worker()

        def report(progress: ImportProgress) -> None:
            if worker.is_cancelled:
                raise _Stopped
            self.post_message(Progressed(progress))

        # sqlite connections belong to the thread that opened them: import on our own.
        try:
            with self.app.store.in_this_thread() as store:
                result = import_file(store, request, today, report)
        except ImportRefused as refused:
            self.post_message(Refused(refused.field, str(refused)))
            return
        except _Stopped:
            return
        if not worker.is_cancelled:
            self.post_message(Finished(request, result))

    @on(Progressed)
    def _show_progress(self, message: Progressed) -> None:
        progress = message.progress
        self.query_one("#progress", ProgressBar).update(progress=progress.share * 100)
        if progress.stage == "checking":
            self._say(f"Checking: {progress.done:,} rows checked…")
        elif progress.done == progress.total:
            # A bulk load still rebuilds the list's indexes, then commits: seconds at 100,000.
            self._say(f"Saving: all {progress.total:,} changes written, committing them…")
        else:
            self._say(f"Writing: {progress.done:,} of {progress.total:,} changes…")

    def _finish(self) -> None:
        self.running = None
        self.refresh_bindings()
        self.query_one("#progress", ProgressBar).display = False

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        self._finish()
        self._show_error(message.field, message.reason)

    @on(Worker.StateChanged)
    def _failed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        what = "check the file" if self.running == "check" else "import the file"
        self._finish()
        self._say(f"Could not {what}: {event.worker.error}")

    @on(Finished)
    def _finished(self, message: Finished) -> None:
        kind = self.running
        self._finish()
        result = message.result
        if kind == "check":
            self.checked, self.check_result = self.started_with, result
            self._show_report(
                result, f"Checked {message.request.path.name}: what the import would do"
            )
            if result.blocked:
                self._say(self._blocked_words(result))
            else:
                self._say("Checked, nothing written yet: ctrl+s to import, escape to cancel.")
            return
        if result.applied:
            written = result.summary()
            if message.request.rejects is not None and result.invalid:
                written += f"; rejected rows in {message.request.rejects}"
            self.dismiss(written)
            return
        # The file changed after the check and now has invalid rows: refused as a whole.
        self.checked, self.check_result = None, None
        self._show_report(result, f"{message.request.path.name} has changed since the check")
        self._say(self._blocked_words(result))

    # --- the report --------------------------------------------------------------------------

    @staticmethod
    def _blocked_words(result: ImportResult) -> str:
        return (
            f"Not imported, nothing written: {result.invalid:,} of {result.rows_in:,} rows are "
            "invalid and the import is all-or-nothing. Correct them in the file, or switch on "
            "Skip invalid to import the rest (every rejected row goes to the rejects file); "
            "then press enter to check again."
        )

    def _show_report(self, result: ImportResult | None, heading: str) -> None:
        summary = self.query_one("#summary", Static)
        table = self.query_one("#rejected", DataTable)
        missing = self.query_one("#missing", Static)
        table.clear()
        if result is None:
            summary.update("")
            missing.update("")
            table.display = False
            return
        lines = [f"{heading}:", result.summary()]
        if result.blocked:
            lines.append(
                f"With Skip invalid on, the other {result.rows_in - result.invalid:,} rows "
                f"would go in: {result.new:,} new, {result.changed:,} updated, "
                f"{result.same:,} unchanged, {result.holding:,} held for a person."
            )
        if not result.blocked:
            lines += result.report()
        if result.invalid:
            shown = len(result.shown_rejects)
            more = f" (the first {shown})" if result.invalid > shown else ""
            lines.append(f"Rejected rows{more}:")
        summary.update(Text("\n".join(lines)))
        for row in result.shown_rejects:
            for column, reason in row.problems:
                table.add_row(str(row.line), Text(column), Text(reason))
        table.display = bool(result.invalid)
        missing.update(Text("\n".join(self._missing_lines(result))))

    @staticmethod
    def _missing_lines(result: ImportResult) -> list[str]:
        if not result.missing:
            return []
        verb = "are marked" if result.applied else "will be marked"
        lines = [
            f"Not in this extract: {result.missing:,} waiting entries of the file's providers. "
            f"They {verb} for the huddle to confirm, never deleted:"
        ]
        lines += [f"  {entry.describe()}" for entry in result.shown_missing]
        if result.missing > len(result.shown_missing):
            lines.append(
                f"  … and {result.missing - len(result.shown_missing):,} more "
                "(huddle export waiting-list shows each one's not_in_extract_since)"
            )
        return lines
