"""Short full garbage-collector passes while a person types (the dashboard's key latency).

A full (generation 2) pass of CPython's collector walks every tracked object:
with textual, the provider SDK and a resumed chat loaded that is ~280,000
objects and 60-100 ms with the event loop stopped, so a key pressed then
renders late. What is alive once the session is open and the warm-ups have
ended (modules, classes, the resumed chat's widgets) lives as long as the
dashboard, so it is moved out of the collector's sight with :func:`gc.freeze`
(a full pass then takes ~10 ms). Measured by ``bench/ui_latency.py``.

Frozen objects are never collected, so the heap is unfrozen whenever the
chat's widgets are dropped (a cleared conversation, another session, the
app's exit): what became garbage is collected by the ordinary passes again.
"""

from __future__ import annotations

import gc

__all__ = ["HeapFreezer"]


class HeapFreezer:
    """Freezes the heap once per opened session, when its chat is laid out and its
    warm-ups have ended (both long-lived by then); :meth:`release` unfreezes it.

    Never freezes twice for one session: a second freeze after :meth:`release`
    could freeze the dropped widgets before a full pass collected them.
    """

    def __init__(self) -> None:
        self._waiting: set[str] = set()

    def arm(self) -> None:
        """A session was opened: freeze once ``"chat"`` and ``"warm-up"`` are :meth:`done`."""
        self._waiting = {"chat", "warm-up"}

    def done(self, what: str) -> None:
        """``what`` (``"chat"`` laid out, ``"warm-up"`` ended) is ready; the last one freezes."""
        if what in self._waiting:
            self._waiting.discard(what)
            if not self._waiting:
                gc.freeze()  # ~0 ms: moves the objects, walks nothing

    def release(self) -> None:
        """Give the frozen objects back to the collector (and forget a pending freeze)."""
        self._waiting.clear()
        gc.unfreeze()
