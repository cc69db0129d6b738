"""Where the database lives and who is making the changes."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from platformdirs import user_data_path

from huddle.printable import unseen, unseen_words


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


def given_user(cli_value: str | None) -> tuple[str | None, str]:
    """Who a script says is acting: `--user`, else `HUDDLE_USER` (None when neither), with
    where it came from. store.sign_in.acting_as holds it to a person of the set-up.

    Refused (ValueError, naming where it came from) if it holds a control or format
    character: the name would be shown in every record's history, and an escape or a bidi
    override in it would forge or hide what the history says."""
    chosen, source = (
        (cli_value, "--user") if cli_value else (os.environ.get("HUDDLE_USER"), "HUDDLE_USER")
    )
    if not (chosen and chosen.strip()):
        return None, "--user"
    if (character := unseen(chosen)) is not None:
        raise ValueError(f"{source}: {unseen_words(character)}")
    return chosen.strip(), source


def login_name() -> str | None:
    """The name this computer knows the user by; a person whose set-up login it is acts
    without signing in."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        return None
    return None if unseen(name) is not None else name
