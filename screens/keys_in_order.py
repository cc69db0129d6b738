"""Every key lands where it was aimed, in order, however fast it comes.

Textual sends each key to the focused widget as it arrives; what the key does (open a
form, mark a person and move on, save) happens a little later, as the widget, its screen
and the app handle it in turn. A fast typist's next key would reach the old widget:
`d` then "Close bay" lost "Clos" to the list under the form that `d` was opening. So a
key that may act (anything not typed into a text field) holds the keys after it until
every node it passes through has handled it, and a screen being opened holds them until
it is drawn; held keys then go on one at a time by the same rule. Text typed into a field
goes straight on. A screen may also take a key the moment it arrives (`take_key`: enter
in a form moves to the next field at once).
"""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.app import App
from textual.message_pump import MessagePump
from textual.widgets import Input

# How often a key's round is looked at while it has not completed: if the node it waits on
# has gone away (its screen closed) the round never completes, and the keys after it go on;
# a node that is only slow (a busy machine) is waited for, however long it takes.
LOOK_AGAIN = 0.5


class KeysInOrder(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self._held_keys: list[events.Key] | None = None
        """Keys pressed while an earlier one is still acting, let go once it has."""
        self._holding = False
        self._releasing = False

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            if self._held_keys is None and not self.screen.is_mounted:
                self.hold_keys()
                self.release_keys()
            if self._held_keys is not None:
                self._held_keys.append(event)
                return
            await self._send(event)
            return
        await super().on_event(event)

    async def _send(self, key: events.Key) -> None:
        take_key = getattr(self.screen, "take_key", None)
        if take_key is not None and take_key(key):
            return
        target = self.focused or self.screen
        if not isinstance(target, Input):
            self.hold_keys()
            self._when_handled(target, self.release_keys)
        await super().on_event(key)

    def _when_handled(self, node: MessagePump, done: Callable[[], None]) -> None:
        """`done` once `node`, and each node above it up to the app, has handled what was
        sent to it so far (so a key's bubbling, and the action it ran, are over)."""
        finished = False
        waiting_on = node

        def finish() -> None:
            nonlocal finished
            if not finished:
                finished = True
                timer.stop()
                done()

        def climb(current: MessagePump) -> None:
            nonlocal waiting_on
            parent = current._parent
            if current is self or parent is None:
                finish()
            else:
                waiting_on = parent
                parent.call_later(climb, parent)

        def look() -> None:
            gone = waiting_on is not self and (
                waiting_on._closing or waiting_on._closed or not waiting_on.is_attached
            )
            if gone:
                finish()

        timer = self.set_interval(LOOK_AGAIN, look)
        node.call_later(climb, node)

    def hold_keys(self) -> None:
        """Keep the keys that arrive from now on until `release_keys` (a form saving on its
        last enter holds the keys after it for whatever screen follows)."""
        self._holding = True
        if self._held_keys is None:
            self._held_keys = []

    def release_keys(self) -> None:
        """Let the held keys go, in the order pressed, each by the same rule."""
        self._holding = False
        if not self._releasing:
            self._releasing = True
            self.call_after_refresh(self._release_one)

    async def _release_one(self) -> None:
        self._releasing = False
        if self._holding:
            return  # the key let go last is still acting: it lets the rest go when done
        if not self.screen.is_mounted:
            self.release_keys()  # a key opened a screen: the rest go to it once drawn
            return
        if not self._held_keys:
            self._held_keys = None
            return
        await self._send(self._held_keys.pop(0))
        if not self._holding:
            self.release_keys()
