"""One supervised server per (definition, workspace root): lazy start, restart with backoff.

A slot starts its server on first use. When the process dies the next use
restarts it (tenacity exponential backoff) and replays ``didOpen`` for the
documents the slot had open; after ``max_restarts`` deaths it is "crashed"
and raises :class:`ServerUnavailable` until the bridge is rebuilt.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from .client import LspClient
from .detect import Detection, detect
from .errors import ServerUnavailable
from .registry import ServerDef
from .results import ServerState, ServerStatus

__all__ = ["ServerSlot", "Timing"]

Reopen = Callable[["ServerSlot", LspClient], None]


@dataclass
class Timing:
    """What a slot learned about its server's publishing habits.

    Attributes:
        followup_gap_s: largest seen gap between two publishes for one version.
        single_versions: versions seen with exactly one publish.
        empty_first_seen: a version was published empty, then non-empty.
    """

    followup_gap_s: float = 0.0
    single_versions: int = 0
    empty_first_seen: bool = False
    seen: collections.OrderedDict[tuple[str, int], tuple[int, float, bool]] = field(
        default_factory=collections.OrderedDict
    )


class ServerSlot:
    """Owns the :class:`LspClient` of one server for one root.

    Args:
        server: the definition.
        root: workspace root for this server.
        reopen: called as ``reopen(slot, client)`` after each (re)start to replay didOpen.
        max_restarts: deaths tolerated before the slot is "crashed".
        start_timeout_s: ``initialize`` timeout, seconds.
    """

    def __init__(
        self,
        server: ServerDef,
        root: Path,
        reopen: Reopen,
        *,
        max_restarts: int = 5,
        start_timeout_s: float = 30.0,
    ) -> None:
        self.server = server
        self.root = root
        self.client: LspClient | None = None
        self.detection: Detection | None = None
        self.restarts = 0
        self.timing = Timing()
        #: Per document URI, the version the current client last received.
        self.sent: dict[str, int] = {}
        self._reopen = reopen
        self._max_restarts = max_restarts
        self._start_timeout_s = start_timeout_s
        self._lock = asyncio.Lock()
        self._crashed_reason = ""
        self._closed = False

    @property
    def pull(self) -> bool:
        """Whether the running server answers ``textDocument/diagnostic``."""
        return self.client is not None and self.client.capabilities.diagnostic_provider is not None

    async def ensure(self) -> LspClient:
        """Return a running client, starting or restarting the server as needed.

        Raises:
            ServerUnavailable: missing/broken binary, start failure after
                retries, too many restarts, or the bridge is closed.
        """
        async with self._lock:
            if self.client is not None and self.client.alive:
                return self.client
            if self._closed:
                raise ServerUnavailable(f"{self.server.name}: bridge is closed")
            if self._crashed_reason:
                raise ServerUnavailable(self._crashed_reason)
            if self.client is not None:
                self.restarts += 1
                await self.client.aclose(timeout_s=1.0)
                self.client = None
                if self.restarts > self._max_restarts:
                    self._crashed_reason = (
                        f"{self.server.name}: died {self.restarts} times; not restarting"
                    )
                    raise ServerUnavailable(self._crashed_reason)
            self.detection = await detect(self.server)
            if not self.detection.available or self.detection.executable is None:
                raise ServerUnavailable(self.detection.describe())
            self.client = await self._start(self.detection.executable)
            self.sent = {}
            self._reopen(self, self.client)
            return self.client

    async def _start(self, executable: str) -> LspClient:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(3),
            wait=wait_exponential(multiplier=0.2, max=2.0),
            retry=retry_if_exception_type(ServerUnavailable),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                client = LspClient(self.server, executable, self.root)
                await client.start(timeout_s=self._start_timeout_s)
                client.on_publish = self._learn
                return client
        raise ServerUnavailable(f"{self.server.name}: could not start")  # pragma: no cover

    def _learn(self, uri: str, version: int | None, empty: bool, arrived_s: float) -> None:
        """Record publish habits per (uri, version); only versioned publishes teach."""
        if version is None:
            return
        seen = self.timing.seen
        key = (uri, version)
        previous = seen.get(key)
        if previous is None:
            seen[key] = (1, arrived_s, empty)
            self.timing.single_versions += 1
            while len(seen) > 64:
                seen.popitem(last=False)
            return
        count, first_s, first_empty = previous
        if count == 1:
            self.timing.single_versions -= 1
        seen[key] = (count + 1, first_s, first_empty)
        self.timing.followup_gap_s = max(self.timing.followup_gap_s, arrived_s - first_s)
        if first_empty and not empty:
            self.timing.empty_first_seen = True

    def settle_s(self, default_ms: int) -> float:
        """The wait for follow-up publishes after the first one for a version, seconds.

        Starts at the server's ``settle_ms`` (or ``default_ms``); once three
        versions were each published exactly once and none twice, it drops to
        zero; a seen follow-up sets it to 1.5 times the largest gap seen.
        """
        if self.timing.followup_gap_s > 0:
            return min(2.0, self.timing.followup_gap_s * 1.5 + 0.01)
        if self.timing.single_versions >= 3:
            return 0.0
        base_ms = self.server.settle_ms if self.server.settle_ms is not None else default_ms
        return base_ms / 1000

    def status(self) -> ServerStatus:
        """A snapshot for ``LspBridge.status()``."""
        state: ServerState
        detail = ""
        if self.detection is not None and not self.detection.available:
            state, detail = "missing", self.detection.describe()
        elif self._crashed_reason:
            state, detail = "crashed", self._crashed_reason
        elif self.client is None:
            state = "stopped"
        elif self.client.alive:
            state = "running"
            detail = self.detection.version if self.detection else ""
        else:
            state = "crashed"
            tail = " | ".join(list(self.client.stderr_tail)[-2:])
            detail = (
                f"exited with {self.client.returncode}; will restart on next use {tail}".strip()
            )
        mode = "" if self.client is None else ("pull" if self.pull else "push")
        return ServerStatus(self.server.name, state, detail, self.root, self.restarts, mode)

    async def aclose(self) -> None:
        """Stop the server for good."""
        async with self._lock:
            self._closed = True
            if self.client is not None:
                await self.client.aclose()
