"""How a list names a provider in a column too narrow for its whole name.

Providers of one service often share the start of their names ("Northbrook Community
Health NHS Trust", "Northbrook Community Links"), so cutting a name to fit a column can
make two of them look alike. Each provider is shown by, in order:

1. the short name set-up gave it (`short_name` in the service file, or the Set-up form);
2. its whole name, if it fits the column (`PROVIDER_WIDTH`);
3. a short form made from its name (`short_form`): the initial of each word, a word in
   capitals (NHS, CIC) kept whole and a joining word (and, of, the...) left out; then,
   from the last word back, whole words for as long as it fits in `SHORT_MOST`
   characters ("NCH NHS Trust", "NC Links", "BRR Ltd").

Two providers that would still look alike (one's short form is another's whole name, or
two names give the same form; compared in any case) are each shown by their short name or
short form and their id ("NC Links #3", "NC Links #7"), cut to leave the id in the column:
no two share one.

Pure: the store reads the providers and the lists show what this returns.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple

PROVIDER_WIDTH = 17
"""The waiting list's provider column, the last on its line, all of which shows at 160
columns beside the list's scrollbar: a name this long or shorter is shown whole."""
SHORT_MOST = 14
"""The most characters of a short name, set or made."""

JOINING_WORDS = frozenset({"and", "at", "for", "in", "of", "on", "the", "with"})


class ProviderName(NamedTuple):
    id: int
    name: str
    short_name: str | None


def _is_acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _initial(word: str) -> str:
    """The word's first letter or digit as a capital; none for a joining word or for
    punctuation alone ("&", "-")."""
    if word.casefold() in JOINING_WORDS:
        return ""
    return next((c.upper() for c in word if c.isalnum()), "")


def _joined(words: list[str], whole: list[bool]) -> str:
    """Initials run together, each whole word apart: "NCH NHS Trust"."""
    parts: list[str] = []
    run = ""
    for word, keep in zip(words, whole, strict=True):
        if keep:
            parts += [run, word]
            run = ""
        else:
            run += _initial(word)
    parts.append(run)
    return " ".join(part for part in parts if part)


def short_form(name: str, most: int = SHORT_MOST) -> str:
    """The name in at most `most` characters, the same every time for the same name:
    "Northbrook Community Health NHS Trust" -> "NCH NHS Trust"."""
    words = name.split()
    acronyms = [_is_acronym(word) for word in words]
    best = _joined(words, acronyms)
    if len(best) > most:
        return best[:most].rstrip()
    # The words from `first` on whole; the last word first, as the start of names that
    # look alike is what they share.
    for first in range(len(words) - 1, -1, -1):
        wider = _joined(words, [kept or n >= first for n, kept in enumerate(acronyms)])
        if len(wider) > most:
            break
        best = wider
    return best


def shown_names(providers: Iterable[ProviderName], width: int = PROVIDER_WIDTH) -> dict[int, str]:
    """Each provider's id and the name a list shows for it in a column `width` wide; no
    two the same, in any case."""
    found = list(providers)
    shown = {
        p.id: p.short_name or (p.name if len(p.name) <= width else short_form(p.name))
        for p in found
    }
    numbered: set[int] = set()
    while True:
        counts = Counter(label.casefold() for label in shown.values())
        # Labels ending in their own " #id" differ from each other, so every pair alike
        # has one not numbered yet; numbering it can only meet a name such as "NCL #3",
        # settled in the next round.
        alike = {
            i for i, label in shown.items() if counts[label.casefold()] > 1 and i not in numbered
        }
        if not alike:
            return shown
        for p in found:
            if p.id in alike:
                number = f" #{p.id}"
                base = (p.short_name or short_form(p.name))[: width - len(number)].rstrip()
                shown[p.id] = base + number
                numbered.add(p.id)
