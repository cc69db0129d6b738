"""A screen of one record in full (an entry, an action, a commissioner query): read off
the UI thread whenever the screen comes up (opened, or back from a form or another
screen), its changes shown disabled until it has been read."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from textual import on, work
from textual.widgets import Static

from screens.base import HuddleScreen, read_and_post
from screens.markup import escape
from screens.messages import DetailLoaded, LoadFailed

if TYPE_CHECKING:
    from store import Store

D = TypeVar("D")


class DetailScreen(HuddleScreen, Generic[D]):
    """A subclass gives `read` and `show`, and composes a `#summary` Static."""

    WHAT: ClassVar[str] = "this record"
    """What it shows, for the line saying it could not be read."""

    def __init__(self) -> None:
        super().__init__()
        self.detail: D | None = None

    def read(self, store: Store) -> D:
        raise NotImplementedError

    def show(self, detail: D) -> None:
        raise NotImplementedError

    def on_screen_resume(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="detail")
    def load(self) -> None:
        read_and_post(self, self.read, DetailLoaded)

    @on(LoadFailed)
    def _show_failure(self, message: LoadFailed) -> None:
        self.query_one("#summary", Static).update(
            f"Could not read {self.WHAT}: {escape(message.reason)}"
        )

    @on(DetailLoaded)
    def _loaded(self, message: DetailLoaded) -> None:
        self.detail = message.detail
        self.show(message.detail)
        self.refresh_bindings()

    @property
    def read_detail(self) -> D:
        """The record as last read: the changes are enabled only once there is one."""
        assert self.detail is not None
        return self.detail

    def action_back(self) -> None:
        self.app.pop_screen()
