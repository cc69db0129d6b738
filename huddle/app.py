"""The terminal app: modes for the top-level screens, global keys, palette, help.

Built by `make_app(store, clock)` so tests hand it a temporary database and a fixed date.
Breaches are judged against the later of the clock's today and the latest date the database
has seen; while the clock is behind that date, or `HUDDLE_TODAY` is set on a database that
is not a demo, everything reads as usual and nothing can be saved (store.clock_guard).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path

import platformdirs
from rich.cells import cell_len
from rich.segment import Segment
from textual import events, work
from textual.app import SystemCommand
from textual.binding import Binding
from textual.color import Color
from textual.filter import LineFilter
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen
from textual.theme import Theme
from textual.timer import Timer

from huddle.clock import Clock, JudgedClock
from huddle.commands import GLOBAL_COMMANDS, Command
from huddle.config import login_name
from huddle.dates import uk
from huddle.links import Capture, Link
from huddle.models import Meeting, MeetingKind, MeetingState
from huddle.printable import is_unseen, printable
from huddle.private_files import write_private
from huddle.session import Session
from huddle.user_config import UserConfig, remember_theme
from screens.action_form import new_action_form
from screens.actions import ActionsScreen
from screens.base import HuddleScreen
from screens.display import display_allows, follow_the_room
from screens.first_run import SetUp, first_run_form
from screens.form import FormScreen
from screens.help import HelpScreen
from screens.keymap import checked_keymap
from screens.keys import bindings
from screens.keys_in_order import KeysInOrder
from screens.meeting_forms import decision_form, risk_form
from screens.meetings import MeetingsScreen
from screens.mobilisation import MobilisationScreen
from screens.mobilisation_forms import go_live_risk_form
from screens.oversight import OversightScreen
from screens.runner import RunnerScreen
from screens.setup_screen import SetupScreen
from screens.sign_in import SignInScreen
from screens.today import TodayScreen
from screens.waiting_list import WaitingListScreen
from store import Store, driver
from store.clock_guard import keep_to, latest_seen, write_refusal
from store.connection import data_version
from store.meeting_reads import meeting_row, running_meeting
from store.mobilisation_reads import programme_of
from store.oversight import Evaluation, climb_escalations, evaluate_all
from store.people import everyone
from store.records import service
from store.sign_in import Acting
from store.startup import network_share_warning

# How often the app asks SQLite whether another connection has committed a change. The
# question (PRAGMA data_version) reads a counter in the write-ahead log's shared memory,
# so asking every second costs nothing measurable, and a change made in another terminal
# is on screen within a second plus the time to read it (docs/reliability.md).
WATCH_SECONDS = 1.0

IDLE_CHECK_SECONDS = 15.0
CATCH_UP_SECONDS = 120.0
"""While the app runs, how often the ladder is climbed and the rules evaluated again, so a
terminal left open all day climbs an escalation the day it runs out (within two minutes
of midnight), not at its next start."""
NOT_SIGNED_IN = "nobody is signed in"

GLOBAL_ACTIONS = frozenset(c.action.partition("(")[0] for c in GLOBAL_COMMANDS)


class UnseenFilter(LineFilter):
    """The one path by which no control or format character reaches the terminal from a
    screen: every line every widget draws passes through it. A record stored before its
    text was checked at the boundary can hold a terminal escape or a bidi override, which
    would clear the screen above it or reorder what follows. Each such character is
    replaced by as many '?' as the cells it was measured at (none, mostly), so the layout
    Textual worked out still holds."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [
            segment
            if segment.control or segment.text.isprintable()
            else Segment(_shown(segment.text), segment.style)
            for segment in segments
        ]


def _shown(text: str) -> str:
    return "".join("?" * cell_len(c) if is_unseen(c) else c for c in text)


class HuddleApp(KeysInOrder):
    CSS_PATH = "app.tcss"
    MODES = {
        "today": TodayScreen,
        "waiting": WaitingListScreen,
        "meetings": MeetingsScreen,
        "actions": ActionsScreen,
        "mobilisation": MobilisationScreen,
        "oversight": OversightScreen,
        "setup": SetupScreen,
    }
    DEFAULT_MODE = "today"
    # Shown on every screen in the line of app-wide keys (screens.base.AppKeys), which
    # leaves the footer to the screen's own keys.
    BINDINGS = bindings(GLOBAL_COMMANDS, show=False)
    # Each screen's TCSS lays itself out for the terminal it is on: below 100 columns
    # (80x24 and up) a screen is "-narrow", up to 140 "-laptop", wider "-wide"; below 35
    # rows "-short". Set on every screen by Textual as the terminal is resized.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-laptop"), (140, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (35, "-tall")]

    def __init__(
        self,
        store: Store,
        clock: Clock,
        service_name: str,
        is_demo: bool,
        first_run: bool = False,
        session: Session | None = None,
        config: UserConfig | None = None,
    ) -> None:
        self.signing_in = not store.actor
        """Nobody acts yet (a browser tab, or a terminal whose login is no person's): the
        app opens on the sign-in screen, and nothing else is read until someone signs in."""
        if self.signing_in:
            self.DEFAULT_MODE = "sign-in"
            store.not_acting = NOT_SIGNED_IN
        super().__init__()
        self.add_mode("sign-in", partial(SignInScreen, service_name))
        self._filters.append(UnseenFilter())
        self.first_run = first_run
        """Opened on a database with no provider or person yet: "Set up your service"."""
        self.session = session or Session()
        self.seconds: Callable[[], float] = time.monotonic
        """The computer's own steady count of seconds, for idle sign-out: never the date a
        demo is set to, nor a wall clock that can be stepped back."""
        self.wall_time: Callable[[], datetime] = datetime.now
        """The computer's own time, by which lockouts run (store.sign_in)."""
        self.active_at = self.seconds()
        """When a key was last pressed or the mouse clicked: a browser session idle for
        `session.idle_minutes` signs out."""
        self.catch_up_seconds = CATCH_UP_SECONDS
        self._watching: Timer | None = None
        """The look for other terminals' changes, started once someone acts."""
        self.store = store
        keep_to(store, clock)
        self.clock = JudgedClock(clock, latest_seen(store.conn))
        """What the screens read by: today never before a date the database has seen."""
        self.write_refusal = write_refusal(store)
        """Why nothing can be saved, said in a banner on every screen; None when it can."""
        self.is_demo = is_demo
        self.room_meeting_id: int | None = None
        """The meeting open in the runner, which `d`, `a` and `r` record into."""
        self.location_warning = network_share_warning(store.path)
        """Said in a banner on every screen while the database sits on a network share."""
        self.title = f"huddle — {service_name or 'new service'}{' — DEMO' if is_demo else ''}"
        self.config = config or UserConfig()
        """The person's own settings file (huddle.user_config): their theme and keys."""
        self.keymap, problems = checked_keymap(self.config.keys)
        """The keys in force where the person moved them: binding id -> keys."""
        self.start_problems = [*self.config.problems, *problems]
        """What in the settings could not be used, said when the app opens."""
        if self.config.theme is not None:
            if self.config.theme in self.available_themes:
                self.theme = self.config.theme
            else:
                self.start_problems.append(
                    f"theme: {self.config.theme!r} is no theme of huddle's (ctrl+p, Change "
                    "theme, lists them); the default is used"
                )

    def on_mount(self) -> None:
        if self.keymap:
            self.set_keymap(self.keymap)
        for problem in self.start_problems:
            self.notify(problem, title="Settings not used", severity="warning", timeout=30)
        if self.config.path is not None:
            self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self.session.served:
            self.set_interval(IDLE_CHECK_SECONDS, self.sign_out_if_idle)
        if not self.signing_in:
            self._start()

    def _start(self) -> None:
        """Once someone acts: catch up, and keep what is on screen fresh."""
        self.catch_up()
        self.seen_version = data_version(self.store)
        self.fresh_at = self.clock.now()
        self.sub_title = f"data as at {self.fresh_at:%H:%M:%S}"
        if self._watching is None:
            self._watching = self.set_interval(WATCH_SECONDS, self.watch_database)
            self.set_interval(self.catch_up_seconds, self.catch_up)
        if self.first_run:
            form = first_run_form(self.store, self.clock.today(), login_name())
            self.push_screen(form, self._set_up)

    def signed_in(self, acting: Acting) -> None:
        """The sign-in screen found who is at the keyboard: every audit row from now on
        carries their name, and the service's screens open."""
        self.store.actor, self.store.via = acting.name, acting.via
        self.store.not_acting = acting.may_not_write
        self.session.read_only = acting.read_only
        self.write_refusal = write_refusal(self.store)
        self.signing_in = False
        self.active_at = self.seconds()
        self.notify(f"Signed in as {acting.name}", title="Welcome")
        self.switch_mode("today")
        self._start()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown) and not event.is_forwarded:
            self.active_at = self.seconds()
        await super().on_event(event)

    def sign_out_if_idle(self) -> None:
        # A display (the wall screen) is never touched: it stays signed in.
        if self.signing_in or self.session.read_only:
            return
        if self.seconds() - self.active_at >= 60 * self.session.idle_minutes:
            self.run_worker(
                self.sign_out(
                    f"signed out after {self.session.idle_minutes} minutes with no key pressed"
                )
            )

    async def sign_out(self, why: str) -> None:
        """Back to the sign-in screen with nothing of the service left behind it: every
        other screen is closed, and nothing more is recorded until someone signs in."""
        self.signing_in = True
        self.store.actor, self.store.via = "", "unchecked"
        self.store.not_acting = NOT_SIGNED_IN
        self.session.read_only = False
        self.write_refusal = write_refusal(self.store)
        self.room_meeting_id = None
        await self.switch_mode("sign-in")
        while len(self.screen_stack) > 1:
            self.pop_screen()
        for mode in [m for m in self._screen_stacks if m != "sign-in"]:
            await self.remove_mode(mode)
            self.add_mode(mode, self.MODES[mode])
        screen = self.screen
        if isinstance(screen, SignInScreen):
            screen.clear(why)

    def _set_up(self, done: SetUp | None) -> None:
        found = service(self.store)
        if done is not None:
            # Whoever set the service up is now on its staff list, and acts as that person
            # (known by this computer's login from now on, when it is one).
            self.store.actor = done.me
            self.store.via = "first set-up"
            if done.login is None:
                self.notify(
                    f"This computer's login is no login name huddle can keep, so next time "
                    f'huddle asks you to sign in: set your password now with huddle --user "'
                    f'{done.me}" user password "{done.me}"',
                    title="Your password",
                    severity="warning",
                    timeout=30,
                )
        changes = done.changes if done else 0
        if changes and found is not None:
            self.title = f"huddle — {found.name}"
            self.notify(
                f"{changes} changes saved. Press 3 to start the first meeting; 7 adds people, "
                "series and the rest of the set-up.",
                title="Service set up",
            )

    def watch_database(self) -> None:
        """Has another terminal (or a worker of this one) committed a change since the last
        look? If so, the screen reads afresh. Either way the header says how fresh what is
        on screen is, and says so loudly when the database cannot be asked."""
        try:
            version = data_version(self.store)
        except driver.Error as error:
            self.sub_title = f"NOT UPDATING since {self.fresh_at:%H:%M:%S}: {error}"
            return
        if version != self.seen_version:
            self.seen_version = version
            # Another terminal's write may have moved the latest date seen past today.
            self.clock.seen = latest_seen(self.store.conn)
            self._reread()
        self.fresh_at = self.clock.now()
        self.sub_title = f"data as at {self.fresh_at:%H:%M:%S}"
        if self.session.read_only:
            follow_the_room(self)

    def _reread(self) -> None:
        """What coming back to the screen does (each screen reads afresh then), keeping
        the user's place and focus. Under a form or question nothing is read: the screen
        reads afresh anyway when it is closed."""
        screen = self.screen
        reread = getattr(screen, "on_screen_resume", None)
        if isinstance(screen, ModalScreen) or reread is None:
            return
        focused = self.focused
        reread()
        if focused is not None and focused.is_attached:
            # Where it was, not scrolled to: a page the user scrolled stays put.
            focused.focus(scroll_visible=False)

    @work(thread=True, exit_on_error=False, group="catch-up")
    def catch_up(self) -> None:
        """At start-up, and every `catch_up_seconds` while the app runs: evaluate every
        trigger rule and climb every escalation past its rung's timeframe (each writes
        only when there is something to record), then say what happened and read the
        screen again. Not while nothing can be saved: the banner says why, and the next
        catch-up does it."""
        today = self.clock.today()
        with self.store.in_this_thread() as store:
            if write_refusal(store) is not None:
                return
            climbed = climb_escalations(store, today)
            found = evaluate_all(store, today)
        self.call_from_thread(self._caught_up, climbed, found)

    def _caught_up(self, climbed: int, found: Evaluation) -> None:
        for firing in found.fired:
            self.notify(firing.why, title="TRIGGER FIRED: escalation opened", severity="warning")
        if climbed:
            self.notify(f"{climbed} escalations climbed a rung (6 Oversight shows them)")
        # What it wrote is on screen now rather than at the next look: the same look, so a
        # screen the watcher has already read afresh is not read twice.
        self.watch_database()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every notification is plain text: what it says comes from the records (a decision
        typed as "Hold [/] discharge", a trigger's why, a file's name), never markup, and no
        character in it can drive the terminal."""
        super().notify(
            printable(message),
            title=printable(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def deliver_screenshot(
        self,
        filename: str | None = None,
        path: str | None = None,
        time_format: str | None = None,
    ) -> str | None:
        """The palette's Screenshot: the screen can show patients' details, so on this
        computer it is written owner-only (0600), never over another file, in the user's
        Downloads folder (or `path`), and where it went is said on screen. In a browser it
        is the browser's download, as any file sent there."""
        if self.session.served:
            return super().deliver_screenshot(filename, path, time_format)
        folder = Path(path).expanduser() if path else platformdirs.user_downloads_path()
        when = self.wall_time().strftime(time_format or "%Y-%m-%d %H%M%S")
        target = folder / (filename or f"huddle screenshot {when}.svg")
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_private(target, lambda out: out.write(self.export_screenshot()))
        except OSError as error:
            self.notify(str(error), title="Screenshot not saved", severity="error")
            return None
        self.notify(f"{target} (readable by you only)", title="Screenshot saved")
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.signing_in:
            # Before anyone signs in, no key reaches the service: not a screen, not the
            # palette; only moving between the two fields, and quitting.
            return action in ("quit", "focus_next", "focus_previous")
        if self.session.read_only and not display_allows(action, parameters):
            return False  # a display session offers no key to record with
        # While a form is open its typed text is not saved yet: none of huddle's app-wide
        # keys may take the user away from it (escape closes it, ctrl+s saves it).
        return not (action in GLOBAL_ACTIONS and isinstance(self.screen, FormScreen))

    def meeting_in_room(self) -> Meeting | None:
        """The meeting open in the runner, else today's meeting in progress, if any."""
        if self.room_meeting_id is not None:
            found = meeting_row(self.store, self.room_meeting_id)
            if found.state != MeetingState.SIGNED_OFF:
                return found
        return running_meeting(self.store, self.clock.today())

    def _capture(self) -> tuple[Capture, str] | None:
        """What `d`, `a` or `r` record could belong to: see `capture`; about what the
        cursor is on (not the cursor's own meeting, an action's source: only the row)."""
        screen = self.screen
        if not isinstance(screen, HuddleScreen):
            return None
        about = replace(screen.cursor_link(), meeting_id=None)
        return self.capture(about if about else Link())

    def capture(self, about: Link | None = None) -> tuple[Capture, str]:
        """What a record made now belongs to, for its form to show and change, and the
        agenda section it is recorded under. The meeting is chosen at once only from its
        runner or a screen opened from it (not for a commissioner query's step, which is
        the query's alone); elsewhere the meeting in progress is offered, not chosen."""
        runner = next((s for s in reversed(self.screen_stack) if isinstance(s, RunnerScreen)), None)
        query_step = about is not None and about.query_id is not None
        if runner is not None:
            view = runner.view
            signed = view is None or view.meeting.state == MeetingState.SIGNED_OFF
            meeting = None if signed else view.meeting
        else:
            meeting = self.meeting_in_room()
        capture = Capture(
            meeting_label=f"{meeting.series} ({uk(meeting.held_on)})" if meeting else "",
            meeting_id=meeting.id if meeting else None,
            in_meeting=runner is not None and meeting is not None and not query_step,
            about=about or Link(),
        )
        section = runner.section if runner is not None and runner.section else ""
        return capture, section or (meeting.section if meeting else "")

    def _recorded(self, what: str) -> Callable[[object], None]:
        def said(saved: object) -> None:
            if saved is not None:
                words = getattr(saved, "title", None) or getattr(saved, "text", "")
                due = getattr(saved, "due_date", None)
                self.notify(
                    f"{words}" + (f" — due {uk(due)}" if due else ""), title=f"{what} recorded"
                )
                if isinstance(self.screen, RunnerScreen):
                    self.screen.load()

        return said

    def _no_meeting(self, what: str) -> None:
        # Recorded outside a meeting it would be on no screen and in no minutes.
        self.notify(
            f"{what} is recorded in a meeting: press 3 to start or resume one",
            title="No meeting in progress",
            severity="warning",
        )

    def action_new_action(self) -> None:
        captured = self._capture()
        if captured is None:
            return
        capture, _ = captured
        form = new_action_form(self.store, self.clock.today(), capture, everyone(self.store))
        self.push_screen(form, self._recorded("Action"))

    def action_new_decision(self) -> None:
        captured = self._capture()
        if captured is None:
            return
        capture, section = captured
        if capture.meeting_id is None:
            self._no_meeting("A decision")
            return
        form = decision_form(self.store, section, capture, everyone(self.store))
        self.push_screen(form, self._recorded("Decision"))

    def action_new_risk(self) -> None:
        captured = self._capture()
        if captured is None:
            return
        capture, section = captured
        programme = programme_of(self.store)
        meeting = meeting_row(self.store, capture.meeting_id) if capture.in_meeting else None
        mobilising = meeting is not None and meeting.kind == MeetingKind.MOBILISATION
        if programme is not None and (mobilising or isinstance(self.screen, MobilisationScreen)):
            # The standing item: what could make go-live unsafe, in its register.
            staff = everyone(self.store)
            chair = next((p.name for p in staff if meeting and p.id == meeting.chair_id), "")
            form = go_live_risk_form(
                self.store,
                self.clock.today(),
                programme,
                meeting if mobilising else None,
                staff,
                chair,
            )
            self.push_screen(form, self._recorded("Go-live risk"))
            return
        if capture.meeting_id is None:
            self._no_meeting("A risk or concern")
            return
        form = risk_form(self.store, self.clock.today(), section, capture, everyone(self.store))
        self.push_screen(form, self._recorded("Risk or concern"))

    def _remember_theme(self, theme: Theme) -> None:
        """The theme chosen is kept for the next run, in the settings file."""
        path = self.config.path
        if path is None or theme.name == self.config.theme:
            return
        try:
            remember_theme(path, theme.name)
        except (OSError, ValueError) as error:
            self.notify(f"{path}: {error}", title="Theme not remembered", severity="warning")
            return
        self.config = replace(self.config, theme=theme.name)

    def get_key_display(self, binding: Binding) -> str:
        shown = super().get_key_display(binding)
        # F2 as the keyboard says it, where Textual writes f2 (huddle's own keys say F5).
        return shown.upper() if re.fullmatch(r"f\d{1,2}", shown) else shown

    def key_of(self, command: Command) -> str:
        """The key a command has now: the person's own where they moved it."""
        moved = self.keymap.get(command.id)
        if moved is None:
            return command.key_display
        return self.get_key_display(Binding(moved.split(",")[0], command.action))

    def action_help(self) -> None:
        screen_commands = getattr(self.screen, "SCREEN_COMMANDS", ())
        self.push_screen(HelpScreen(screen_commands, str(self.store.path), self.key_of))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        own = screen.SCREEN_COMMANDS if isinstance(screen, HuddleScreen) else ()
        for command in (*GLOBAL_COMMANDS, *own):
            if command.in_palette:
                target = self if command in GLOBAL_COMMANDS else screen
                yield SystemCommand(
                    command.title,
                    f"{self.key_of(command)} · {command.help}",
                    partial(target.run_action, command.action),
                )


def make_app(
    store: Store,
    clock: Clock,
    *,
    first_run: bool = False,
    session: Session | None = None,
    config: UserConfig | None = None,
) -> HuddleApp:
    """`first_run`: open on "Set up your service" (`huddle` does on a new database).
    `config`: the person's settings file; none (tests, snapshots) leaves the defaults."""
    found = service(store)
    return HuddleApp(
        store,
        clock,
        service_name=found.name if found else "",
        is_demo=bool(found and found.is_demo),
        first_run=first_run,
        session=session,
        config=config,
    )
