"""Sign in: the first screen of every browser tab of `huddle serve`, and of a terminal whose
login is no person's login in the set-up. Nothing of the service is read before it."""

from __future__ import annotations

from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from huddle.identity import Someone, matching
from screens.markup import escape
from store.sign_in import Acting, SignInRefused, people, sign_in

SHOWN_MATCHES = 5


class SignInScreen(Screen[None]):
    """Name (type part of it: the people it could be are listed under it) and password.
    Each refusal says why and what to do; the app takes over once someone is signed in."""

    DEFAULT_CSS = """
    SignInScreen { align: center middle; }
    SignInScreen #sign-in { width: 64; max-width: 100%; height: auto; border: round $accent;
        padding: 1 2; }
    SignInScreen #sign-in-title { text-style: bold; margin-bottom: 1; }
    SignInScreen #sign-in-matches { color: $text-muted; height: auto; }
    SignInScreen #sign-in-message { margin-top: 1; height: auto; }
    """
    AUTO_FOCUS = "#sign-in-name"

    def __init__(self, service_name: str) -> None:
        super().__init__()
        self.service_name = service_name
        self.staff: list[Someone] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="sign-in"):
            title = f"Sign in to huddle — {self.service_name or 'new service'}"
            yield Static(escape(title), id="sign-in-title")
            yield Label("Your name or login")
            yield Input(id="sign-in-name", placeholder="type part of your name")
            yield Static(id="sign-in-matches")
            yield Label("Password")
            yield Input(id="sign-in-password", password=True)
            yield Static(id="sign-in-message")

    def on_mount(self) -> None:
        # Names only: who may sign in is all this screen reads of the service.
        self.staff = people(self.app.store)

    def say(self, words: str) -> None:
        self.query_one("#sign-in-message", Static).update(escape(words))

    def clear(self, words: str = "") -> None:
        """Back to empty fields (signed out), saying why."""
        self.query_one("#sign-in-name", Input).value = ""
        self.query_one("#sign-in-password", Input).value = ""
        self.query_one("#sign-in-matches", Static).update("")
        self.say(words)
        self.query_one("#sign-in-name", Input).focus()

    @on(Input.Changed, "#sign-in-name")
    def _show_matches(self, event: Input.Changed) -> None:
        found = matching(self.staff, event.value) if event.value.strip() else []
        shown = ", ".join(p.name for p in found[:SHOWN_MATCHES])
        more = len(found) - SHOWN_MATCHES
        words = (shown + (f" and {more} more" if more > 0 else "")) if found else ""
        if event.value.strip() and not found:
            words = "no one on the staff list matches"
        self.query_one("#sign-in-matches", Static).update(escape(words))

    def take_key(self, key: events.Key) -> bool:
        """Enter in the name, taken as the app receives it (HuddleApp.on_event): the focus
        moves to the password at once, so the keys after it go there however fast they
        come; the name is completed once the keys before it have reached the name field."""
        name = self.query_one("#sign-in-name", Input)
        if key.key != "enter" or self.focused is not name:
            return False
        name.call_later(self._complete_name)
        self.set_focus(self.query_one("#sign-in-password", Input))
        return True

    def _complete_name(self) -> None:
        name = self.query_one("#sign-in-name", Input)
        found = matching(self.staff, name.value)
        if len(found) == 1:
            # The one person the words can mean: their full name, to be sure who signs in.
            name.value = found[0].name

    @on(Input.Submitted, "#sign-in-password")
    def _submit(self, event: Input.Submitted) -> None:
        name = self.query_one("#sign-in-name", Input).value
        if not name.strip():
            self.say("type your name first")
            self.query_one("#sign-in-name", Input).focus()
            return
        event.input.value = ""
        self.say("checking…")
        self._check(name, event.value)

    @work(thread=True, exclusive=True, group="sign-in")
    def _check(self, name: str, password: str) -> None:
        # scrypt takes a noticeable fraction of a second by design: off the screen's thread.
        now = self.app.wall_time()
        try:
            with self.app.store.in_this_thread() as store:
                acting = sign_in(store, name, password, now)
        except SignInRefused as refusal:
            self.app.call_from_thread(self._refused, str(refusal))
            return
        self.app.call_from_thread(self._signed_in, acting)

    def _refused(self, words: str) -> None:
        self.say(words)
        self.query_one("#sign-in-password", Input).focus()

    def _signed_in(self, acting: Acting) -> None:
        self.clear()
        self.app.signed_in(acting)
