"""The person's own settings, kept in `config.toml` in the platformdirs config folder (on
Linux `~/.config/huddle/config.toml`): the theme they last chose, and their own keys.

    theme = "textual-light"

    [keys]                      # binding id = the keys, comma-separated (docs/keys.md)
    go-waiting-list = "f2"
    ov-observation = "o,ctrl+o"

Nothing in it can hold patient data, and a file that cannot be read never stops huddle
opening: what is wrong is said at start in words, and the defaults are used. Pure: the
keys are checked against the app's bindings by screens.keymap.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import tomlkit
from platformdirs import user_config_path

CONFIG_NAME = "config.toml"

_KEY = re.compile(r"^[a-z0-9_+-]+$|^[^\s,]$", re.IGNORECASE)
"""One key as Textual names it ("f2", "ctrl+o", "question_mark"), or one character."""


def config_path() -> Path:
    return user_config_path("huddle", appauthor=False) / CONFIG_NAME


@dataclass(frozen=True)
class UserConfig:
    """What the file says (`path` None: no file is used, as in tests and the demo's
    snapshots), and what in it could not be used, in words."""

    path: Path | None = None
    theme: str | None = None
    keys: dict[str, str] = field(default_factory=dict)
    """Binding id -> its keys, comma-separated, as Textual's `set_keymap` takes them."""
    problems: tuple[str, ...] = ()


def _keys(table: object, where: str) -> tuple[dict[str, str], list[str]]:
    if not isinstance(table, dict):
        return {}, [f'{where} [keys]: a table of binding id = "keys" (docs/keys.md)']
    keys, problems = {}, []
    for binding_id, value in table.items():
        said = f"{where} [keys] {binding_id}"
        if not isinstance(value, str) or not value.strip():
            problems.append(f'{said}: give the keys as text, e.g. "f2" or "o,ctrl+o"')
            continue
        wanted = [key.strip() for key in value.split(",")]
        if not all(_KEY.match(key) for key in wanted):
            problems.append(f'{said}: {value!r} is not a list of keys, e.g. "f2" or "o,ctrl+o"')
            continue
        keys[binding_id] = ",".join(wanted)
    return keys, problems


def read_config(path: Path) -> UserConfig:
    """The settings in `path`; none (and no problem) when there is no file yet."""
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return UserConfig(path)
    except (OSError, UnicodeDecodeError) as error:
        return UserConfig(path, problems=(f"{where}: cannot be read ({error}); defaults used",))
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return UserConfig(path, problems=(f"{where}: not TOML ({error}); defaults used",))
    problems = []
    theme = document.get("theme")
    if theme is not None and not isinstance(theme, str):
        problems.append(f'{where} theme: give a theme\'s name, e.g. "textual-light"')
        theme = None
    keys, key_problems = _keys(document.get("keys", {}), where)
    problems += key_problems
    unknown = sorted(set(document) - {"theme", "keys"})
    if unknown:
        problems.append(f"{where}: {', '.join(unknown)} is not a setting (theme, [keys])")
    return UserConfig(path, theme, keys, tuple(problems))


def remember_theme(path: Path, theme: str) -> None:
    """Write the theme into the file, keeping everything else in it as it was written
    (comments and the order of the keys included)."""
    try:
        document = tomlkit.parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        document = tomlkit.document()
    document["theme"] = theme
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written whole beside it and moved over it, so a crash mid-write leaves the old file.
    partial = path.with_name(f".{path.name}.new")
    partial.write_text(tomlkit.dumps(document), encoding="utf-8")
    partial.replace(path)
