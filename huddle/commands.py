"""One list of the app's commands: it drives the key bindings, the footer, the palette
and the help screen, so they cannot drift apart. Pure data: no textual import."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    id: str
    key: str
    key_display: str
    action: str
    title: str
    help: str
    in_palette: bool = True
    in_footer: bool = True
    """False for a screen's rarer keys when all of them would not fit 160 columns: still
    in the palette and in help (`?`)."""

    @property
    def short_title(self) -> str:
        """For the line of app-wide keys: `a action` says what `a New action` does."""
        return self.title.removeprefix("New ")


GLOBAL_COMMANDS: tuple[Command, ...] = (
    Command(
        "go-today",
        "1",
        "1",
        "switch_mode('today')",
        "Today",
        "The since-last-huddle picture: breaches, contacts overdue, overdue actions",
    ),
    Command(
        "go-waiting-list",
        "2",
        "2",
        "switch_mode('waiting')",
        "Waiting list",
        "By risk tier: breaches, breaching this week, interim contacts overdue",
    ),
    Command(
        "go-meetings",
        "3",
        "3",
        "switch_mode('meetings')",
        "Safety brief",
        "Start or resume the safety brief or any meeting of a series; the meetings log",
    ),
    Command(
        "go-actions",
        "4",
        "4",
        "switch_mode('actions')",
        "Actions",
        "Every action: mine, late, due this week, by owner or source; commissioner queries",
    ),
    Command(
        "go-mobilisation",
        "5",
        "5",
        "switch_mode('mobilisation')",
        "Mobilisation",
        "Go-live readiness: verdict, workstream RAG with history, go-live risks, training",
    ),
    Command(
        "go-oversight",
        "6",
        "6",
        "switch_mode('oversight')",
        "Oversight",
        "Metrics against tolerance, fired triggers, and the escalation log with owners and rungs",
    ),
    Command(
        "go-setup",
        "7",
        "7",
        "switch_mode('setup')",
        "Set-up",
        "The service's providers, people, risk tiers, meeting series, escalation ladder and"
        " mobilisation programme",
    ),
    Command(
        "new-action",
        "a",
        "a",
        "new_action",
        "New action",
        "Record an action with an owner and a due date, linked to what the cursor is on",
    ),
    Command(
        "new-decision",
        "d",
        "d",
        "new_decision",
        "New decision",
        "Record a decision (text, rationale, owner) in the meeting in progress",
    ),
    Command(
        "new-risk",
        "r",
        "r",
        "new_risk",
        "New risk",
        "Record a risk or concern with its owner in the meeting in progress; on Mobilisation"
        " or in its meeting, what could make go-live unsafe",
    ),
    Command(
        "help", "question_mark", "?", "help", "Help", "Keys, commands and where the database lives"
    ),
    # The palette has its own "Quit the application" entry.
    Command(
        "quit",
        "q",
        "q",
        "quit",
        "Quit",
        "Leave huddle (everything recorded is already saved)",
        in_palette=False,
    ),
)
