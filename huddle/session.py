"""What kind of session the app is running in: a terminal, or a browser tab of
`huddle serve`, and what the person signed in may do there."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

IDLE_MINUTES = 15
"""A browser session with no key pressed for this long signs out (`huddle serve
--idle-minutes`): a wall screen or a desktop left open must not stay signed in."""


@dataclass
class Session:
    served: bool = False
    """A browser tab of `huddle serve`: it starts at the sign-in screen, idles out, and
    hands exports and minutes to the browser as downloads rather than to the server's disk."""
    imports: Path | None = None
    """The one folder a served session's file pickers read from (`huddle serve --imports`);
    None: imports happen from the command line."""
    idle_minutes: int = IDLE_MINUTES
    read_only: bool = False
    """A display session (the meeting room's wall screen): it shows Today and a running
    meeting, refreshes itself and records nothing."""
