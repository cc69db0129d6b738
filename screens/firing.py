"""A trigger's firing, opened from its escalation (`g`): what fired, on which
observations, whether it has cleared, and the escalation it opened."""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from huddle.dates import uk
from huddle.oversight import shown
from store.oversight_reads import FiredTrigger


class FiringScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Back", id="firing-back", tooltip="Back to the escalation"),
    ]
    DEFAULT_CSS = """
    FiringScreen { align: center middle; }
    FiringScreen > VerticalScroll {
        width: 100; max-width: 100%; height: auto; max-height: 90%;
        border: thick $error; background: $panel; padding: 0 1;
    }
    """

    def __init__(self, firing: FiredTrigger, today: date) -> None:
        super().__init__()
        self.firing = firing
        self.today = today

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            # The rule's and metric's names are the service's own words: never markup.
            yield Static(firing_words(self.firing, self.today), markup=False)
        yield Footer(compact=True)


def firing_words(firing: FiredTrigger, today: date) -> str:
    lines = [
        f"TRIGGER FIRED {uk(firing.fired_on)}: {firing.rule}",
        f"Metric: {firing.metric}",
        f"Why: {firing.why}",
        "Observations behind it:",
        *(
            f"  {uk(date.fromisoformat(o['period']))}  {shown(o['value'])}"
            for o in firing.observations
        ),
        (
            f"CLEARED {uk(firing.cleared_on)}: {firing.cleared_why}"
            if firing.cleared_on
            else "Standing: not cleared"
        ),
        f"On the agenda of: {firing.series}",
        firing.words(today).split(" · ", 1)[-1] if firing.action_id else "No escalation opened",
    ]
    return "\n".join(lines)
