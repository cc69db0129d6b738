"""The person's own keys (the `[keys]` of huddle.user_config) checked against every binding
of the app before `set_keymap` applies them. An id that is no binding's, or a key that
would take another binding's place where both work, is said in words at start and left
out, so the default key keeps working; nothing is silently lost.

Two bindings compete for a key when they are the same class's (or one inherits the
other's), when one is app-wide (it works on every screen), or when one is a screen's and
the other a widget's that can be focused on any screen (a list's `down`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from textual.app import App
from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode
from textual.keys import _normalize_key_list
from textual.screen import Screen


@dataclass(frozen=True)
class Bound:
    owner: type[DOMNode]
    """The class whose BINDINGS declare it."""
    binding: Binding
    keys: tuple[str, ...]
    """Its default keys, as Textual names them ("question_mark", not "?")."""


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def every_binding() -> dict[str, Bound]:
    """Every binding with an id, of every huddle class loaded (the app imports them all)."""
    found: dict[str, Bound] = {}
    for cls in _subclasses(DOMNode):
        if not cls.__module__.startswith(("huddle.", "screens.")):
            continue
        declared = [b for b in cls.__dict__.get("BINDINGS", ()) if isinstance(b, Binding)]
        for key, bindings in BindingsMap(declared).key_to_bindings.items():
            for binding in bindings:
                if binding.id:
                    was = found.get(binding.id)
                    keys = (*was.keys, key) if was else (key,)
                    found[binding.id] = Bound(cls, binding, keys)
    return found


def _compete(one: type, other: type) -> bool:
    if issubclass(one, other) or issubclass(other, one):
        return True
    if issubclass(one, App) or issubclass(other, App):
        return True
    return issubclass(one, Screen) != issubclass(other, Screen)


def checked_keymap(wanted: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The keymap to apply, and what was left out of it and why."""
    bindings = every_binding()
    problems: list[str] = []
    keymap: dict[str, str] = {}
    for binding_id, keys in wanted.items():
        if binding_id not in bindings:
            problems.append(
                f"keys: {binding_id!r} is no key of huddle's (docs/keys.md lists them); left out"
            )
            continue
        keymap[binding_id] = _normalize_key_list(keys)

    def in_force(binding_id: str) -> tuple[str, ...]:
        moved = keymap.get(binding_id)
        return tuple(moved.split(",")) if moved else bindings[binding_id].keys

    for binding_id in list(keymap):
        mine = bindings[binding_id]
        for other_id, other in bindings.items():
            if other_id == binding_id or not _compete(mine.owner, other.owner):
                continue
            taken = set(in_force(binding_id)) & set(in_force(other_id))
            if taken and binding_id in keymap:
                problems.append(
                    f"keys: {binding_id} = {wanted[binding_id]!r} clashes with {other_id} "
                    f"({other.binding.description}) on {', '.join(sorted(taken))}; left as "
                    f"{','.join(mine.keys)}"
                )
                del keymap[binding_id]
    return keymap, problems
