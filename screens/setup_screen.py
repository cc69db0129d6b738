"""Key 7: the service's set-up. Its name, providers, people, risk tiers, meeting series,
the mobilisation programme with its workstreams, supervisors and the training cohort, one
section at a time (`tab` moves on). Every change is an edit of the current set-up made
the way a service file is (screens.setup_change): checked whole, planned, and written as
one audited transaction; a tier change and someone leaving show the plan first.

Nothing is deleted: `x` marks a provider, person or series as no longer in use (a person
then shows as LEFT wherever they are named), or in use again.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual import on, work
from textual.containers import Vertical
from textual.widgets import ContentSwitcher, Input, Static

from huddle.setup_edits import Document, set_active
from screens.base import HuddleScreen, read_and_post
from screens.keys import bindings
from screens.markup import escape
from screens.messages import LoadFailed
from screens.paged_list import PagedList
from screens.search_box import SearchBox
from screens.setup_change import (
    Applied,
    Change,
    ConfirmPlan,
    Planned,
    Refused,
    apply_and_post,
    plan_and_post,
    saved_words,
)
from screens.setup_forms import (
    Staff,
    ladder_form,
    person_form,
    provider_form,
    series_form,
    service_form,
    tier_form,
)
from screens.setup_lists import PeopleList, described
from screens.setup_programme_forms import (
    cohort_form,
    programme_form,
    supervisor_form,
    workstream_form,
)
from screens.setup_sections import (
    ADDS,
    IN_USE_OR_NOT,
    LISTS,
    SECTIONS,
    SETUP_COMMANDS,
    Highlighted,
    PeopleFound,
    SetupLoaded,
    head_words,
    sections_bar,
    summary,
)
from store.connection import Store
from store.people import everyone
from store.setup import SetupPlan
from store.setup_reads import (
    PersonLine,
    ProviderLine,
    SeriesSetupLine,
    SetupFacts,
    SetupQuery,
    count_people,
    setup_facts,
)


class SetupScreen(HuddleScreen):
    CSS_PATH = "setup.tcss"
    # Focus is given by section (a list, or nothing on Service): never to the hidden
    # search box, which would take the screen's letter keys as typing.
    AUTO_FOCUS = ""
    SCREEN_COMMANDS = SETUP_COMMANDS
    BINDINGS = bindings(SETUP_COMMANDS)

    def __init__(self) -> None:
        super().__init__()
        self.section = "service"
        self.revision = 0
        """Bumped at each read, so every list is read again."""
        self.search = ""
        """People: the start of a name or role typed into the search box."""
        self.facts: SetupFacts | None = None
        self.found = 0
        """How many people the search finds."""
        self.staff = Staff((), (), ())

    def compose_body(self) -> Iterable:
        with Vertical(id="setup"):
            yield Static(id="setup-sections")
            yield Static("Reading the set-up…", id="setup-head")
            people = PeopleList(id="list-people")
            yield SearchBox("The start of a name or a role — enter to go to the list", people)
            with ContentSwitcher(initial="section-service", id="setup-body"):
                yield Static(id="section-service")
                for section, listed in LISTS.items():
                    with Vertical(id=f"section-{section}"):
                        shown = (
                            people if section == "people" else listed.widget(id=f"list-{section}")
                        )
                        yield shown.column_titles(classes="list-header")
                        yield shown
            yield Static(id="setup-detail")

    def on_mount(self) -> None:
        self.query_one("#setup-sections", Static).update(sections_bar(self.section))
        for section in LISTS:
            self.watch(self._list(section), "cursor", self._read_highlighted, init=False)

    def on_screen_resume(self) -> None:
        self.load()
        if self.section in LISTS and not self.query_one(SearchBox).has_focus:
            self._list(self.section).focus()

    def _list(self, section: str) -> PagedList:
        return self.query_one(f"#list-{section}", PagedList)

    def _query(self, section: str) -> SetupQuery:
        return SetupQuery(self.revision, self.search if section == "people" else "")

    # --- reading ---------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.load()

    def load(self) -> None:
        """Read everything afresh (opened, back from a form, or changed elsewhere)."""
        self.revision += 1
        self._read({section: self._query(section) for section in LISTS})

    @work(thread=True, exclusive=True, exit_on_error=False, group="setup-read")
    def _read(self, queries: dict[str, SetupQuery]) -> None:
        def read(store: Store) -> SetupLoaded:
            with store.reading():
                facts = setup_facts(store)
                totals = {s: LISTS[s].count(store, query) for s, query in queries.items()}
                people = everyone(store)
            staff = Staff(people, facts.provider_names, facts.supervisor_names)
            return SetupLoaded(facts, totals, staff, queries["people"])

        read_and_post(self, read, lambda loaded: loaded)

    @on(LoadFailed)
    def _failed(self, message: LoadFailed) -> None:
        self.query_one("#setup-head", Static).update(
            f"[b]Could not read the set-up:[/b] {escape(message.reason)}. F5 tries again."
        )

    @on(SetupLoaded)
    def _loaded(self, message: SetupLoaded) -> None:
        if message.query.revision != self.revision:
            return  # another read has overtaken it
        self.facts, self.staff = message.facts, message.staff
        for section, total in message.totals.items():
            if section == "people" and message.query != self._query("people"):
                continue  # searched meanwhile: that search's count is on its way
            if section == "people":
                self.found = total
            self._list(section).show(self._query(section), total)
        self.query_one("#section-service", Static).update(summary(message.facts))
        self._show_head()
        self._read_highlighted()
        self.refresh_bindings()

    def _show_head(self) -> None:
        words = "Reading the set-up…"
        if self.facts is not None:
            words = head_words(self.section, self.facts, self.found, self.search)
        self.query_one("#setup-head", Static).update(escape(words))

    def _read_highlighted(self) -> None:
        detail = self.query_one("#setup-detail", Static)
        detail.display = self.section in LISTS
        if self.section in LISTS:
            section = self.section
            self._read_row(section, self._query(section), self._list(section).cursor)

    @work(thread=True, exclusive=True, exit_on_error=False, group="setup-row")
    def _read_row(self, section: str, query: SetupQuery, position: int) -> None:
        read_and_post(
            self,
            lambda store: next(iter(LISTS[section].page(store, query, position, 1)), None),
            lambda line: Highlighted(section, query, position, line),
        )

    @on(Highlighted)
    def _highlighted(self, message: Highlighted) -> None:
        if message.section != self.section or message.query != self._query(self.section):
            return  # the user has moved on
        self.query_one("#setup-detail", Static).update(escape(described(message.line)))

    # --- finding people --------------------------------------------------------------------

    def action_find(self) -> None:
        self.query_one(SearchBox).open(self.search)

    @on(Input.Changed, "#search")
    def _typed(self, event: Input.Changed) -> None:
        # Type-to-find: each key asks again (index ranges, so as quick among thousands).
        self.search = " ".join(event.value.split())
        self._list("people").cursor = 0
        self._find(self._query("people"))

    @on(SearchBox.Searched)
    def _searched(self, message: SearchBox.Searched) -> None:
        self.search = message.text
        self._find(self._query("people"))

    @work(thread=True, exclusive=True, exit_on_error=False, group="setup-find")
    def _find(self, query: SetupQuery) -> None:
        read_and_post(
            self, lambda store: count_people(store, query), lambda n: PeopleFound(query, n)
        )

    @on(PeopleFound)
    def _people_found(self, message: PeopleFound) -> None:
        if message.query != self._query("people"):
            return  # an answer to an earlier search
        self.found = message.total
        self._list("people").show(message.query, message.total)
        self._show_head()
        self._read_highlighted()

    # --- sections --------------------------------------------------------------------------

    def action_next_section(self, step: int) -> None:
        keys = [key for key, _ in SECTIONS]
        self.section = keys[(keys.index(self.section) + step) % len(keys)]
        self.query_one(SearchBox).display = False
        self.query_one("#setup-body", ContentSwitcher).current = f"section-{self.section}"
        if self.section in LISTS:
            self._list(self.section).focus()
        else:
            self.set_focus(None)
        self.query_one("#setup-sections", Static).update(sections_bar(self.section))
        self._show_head()
        self._read_highlighted()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Only the keys that do something in the section shown are in the footer.
        section = self.section
        if action == "add":
            return section in ADDS
        if action == "in_use":
            return section in IN_USE_OR_NOT
        if action == "find":
            return section == "people"
        if action == "programme":
            return section == "programme"
        return True

    # --- changes ---------------------------------------------------------------------------

    def _current(self) -> object | None:
        return self._list(self.section).current() if self.section in LISTS else None

    def action_add(self) -> None:
        if self.section == "programme" and self.facts and self.facts.programme is None:
            self.notify("Start the programme first: p", severity="warning")
            return
        self._open(None)

    def action_edit(self) -> None:
        if self.section == "service":
            if self.facts is not None:
                self.app.push_screen(service_form(self.facts), self._saved)
            return
        line = self._current()
        if line is None:
            self.notify("Move to a row first (or n adds one)", severity="warning")
            return
        self._open(line)

    def _open(self, line: object | None) -> None:
        staff = self.staff
        forms = {
            "providers": lambda: provider_form(line),
            "people": lambda: person_form(line, staff),
            "tiers": lambda: tier_form(line),
            "series": lambda: series_form(line, staff),
            "ladder": lambda: ladder_form(line, staff),
            "programme": lambda: workstream_form(line, staff),
            "supervisors": lambda: supervisor_form(line, staff),
            "cohort": lambda: cohort_form(line, staff),
        }
        if self.section in forms:
            self.app.push_screen(forms[self.section](), self._saved)

    def action_programme(self) -> None:
        if self.facts is not None:
            self.app.push_screen(programme_form(self.facts.programme, self.staff), self._saved)

    def _saved(self, plan: SetupPlan | None) -> None:
        if plan is not None:
            self.notify(saved_words(plan), title="Saved, with its audit rows")
            self.load()

    def action_in_use(self) -> None:
        line = self._current()
        table = IN_USE_OR_NOT.get(self.section)
        if not isinstance(line, PersonLine | ProviderLine | SeriesSetupLine) or table is None:
            self.notify("Move to a row first", severity="warning")
            return
        section, name, back = self.section, line.name, line.inactive_since is not None

        def edit(document: Document) -> None:
            set_active(document, section, name, back)

        if section == "people":
            said = f"{name} returns to the service" if back else f"{name} leaves the service"
        else:
            said = f"{name}: in use again" if back else f"{name}: no longer in use"
        self._plan(Change(edit, {(table, line.id): line.version}, confirm=True, said=said))

    @work(thread=True, exclusive=True, exit_on_error=False, group="setup-change")
    def _plan(self, change: Change) -> None:
        plan_and_post(self, change, self.app.clock.today())

    @work(thread=True, exclusive=True, exit_on_error=False, group="setup-change")
    def _apply(self, plan: SetupPlan) -> None:
        apply_and_post(self, plan, self.app.clock.today())

    @on(Planned)
    def _planned(self, message: Planned) -> None:
        plan = message.plan
        if plan.empty:
            self.notify("Nothing to change: the database already holds this")
            return
        self.app.push_screen(
            ConfirmPlan(message.change.said, plan.lines()),
            lambda apply: self._apply(plan) if apply else None,
        )

    @on(Applied)
    def _applied(self, message: Applied) -> None:
        self._saved(message.plan)

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        self.notify(str(message.error), title="Not saved", severity="error")
