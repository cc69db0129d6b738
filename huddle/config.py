"""Where the database lives and who is making the changes."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from platformdirs import user_data_path


def data_folder() -> Path:
    return user_data_path("huddle", appauthor=False)


def default_db_path() -> Path:
    return data_folder() / "huddle.db"


def demo_db_path() -> Path:
    """The demo's own file beside the default one, so invented patients never mix in."""
    return data_folder() / "demo.db"


def resolve_db(cli_value: str | None) -> Path:
    """`--db`, else `HUDDLE_DB`, else the default path."""
    chosen = cli_value or os.environ.get("HUDDLE_DB")
    return Path(chosen).expanduser() if chosen else default_db_path()


def resolve_user(cli_value: str | None) -> str:
    """`--user`, else `HUDDLE_USER`, else the login name."""
    chosen = cli_value or os.environ.get("HUDDLE_USER")
    if chosen and chosen.strip():
        return chosen.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown user"
