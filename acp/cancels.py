"""Cancels that overtook their request: a bounded, expiring memory of request ids.

A ``$/cancel_request`` may arrive before the request it names: over HTTP each
message is its own POST, and a client may cancel a request it queued but has
not written yet. ACP v1 (``$/cancel_request``, protocol/v1/cancellation) says
the receiver MUST still answer that request once, with a result or ``-32800``.
The JSON-RPC layer therefore remembers such ids, and a request arriving with
one is answered ``-32800`` at once, without running.

A cancel naming a request answered recently is late, not early, and is
ignored, so a client that reuses ids is not surprised by a stale cancel.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

__all__ = ["CancelMemory"]


class CancelMemory:
    """Ids cancelled before their request arrived, and ids answered recently.

    Args:
        limit: most ids each set holds; the oldest are forgotten first (a cancel
            storm for ids never sent costs at most ``limit`` entries).
        ttl_s: how long an early cancel waits for its request, in seconds.
        clock: monotonic seconds (injectable for tests).
    """

    def __init__(
        self,
        limit: int = 1024,
        ttl_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limit = limit
        self._ttl_s = ttl_s
        self._clock = clock
        self._early: OrderedDict[Hashable, float] = OrderedDict()
        self._answered: OrderedDict[Hashable, None] = OrderedDict()

    def __len__(self) -> int:
        """How many early cancels are remembered now."""
        return len(self._early)

    def cancel(self, key: Hashable) -> bool:
        """Note a cancel for an id not running now; True when it is early (remembered)."""
        if key in self._answered:
            return False
        self._early.pop(key, None)
        self._early[key] = self._clock() + self._ttl_s
        self._trim(self._early)
        return True

    def take(self, key: Hashable) -> bool:
        """Whether a request arriving with ``key`` was cancelled already (forgets it)."""
        deadline = self._early.pop(key, None)
        now = self._clock()
        while self._early and next(iter(self._early.values())) < now:
            self._early.popitem(last=False)
        return deadline is not None and deadline >= now

    def started(self, key: Hashable) -> None:
        """A request with ``key`` is running: a cancel naming it is no longer late."""
        self._answered.pop(key, None)

    def answered(self, key: Hashable) -> None:
        """The request with ``key`` is done: a cancel naming it from now on is late."""
        self._answered.pop(key, None)
        self._answered[key] = None
        self._trim(self._answered)

    def _trim(self, ids: OrderedDict[Hashable, Any]) -> None:
        while len(ids) > self._limit:
            ids.popitem(last=False)
