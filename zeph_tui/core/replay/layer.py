"""Record and replay of model calls as runtime layers (``stream_model`` hook).

:class:`RecordLayer` passes the provider's stream through and appends the
request and every streamed item to a tape (:mod:`.tape`). :class:`ReplayLayer`
never calls the provider: it checks each request against the recorded one
(raising :class:`~.tape.ReplayDivergence`, a ``ProviderError``, on the first
difference, which ends the turn) and streams the recorded answer.
:class:`RecordedProvider` stands in for the recorded provider (name, model,
context window and Anthropic prices), so a replay needs no key and no network.
Tool calls run for real during a replay; their results reach the next
request, which is where a changed tool or workspace shows up as a divergence.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zeph_tui.core.errors import ProviderError
from zeph_tui.core.layers.base import Layer, ModelStream
from zeph_tui.core.providers.base import ModelRequest, StreamEvent, Usage
from zeph_tui.core.replay.tape import (
    TAPE_VERSION,
    Normaliser,
    ReplayDivergence,
    Tape,
    request_to_json,
    stream_from_json,
    stream_item_to_json,
)

__all__ = ["RecordLayer", "RecordedProvider", "ReplayLayer", "TapePlayer", "TapeWriter"]


class TapeWriter:
    """Appends calls to a tape file, header first; shared by a face's sessions.

    Args:
        path: the tape (truncated when the first call is written).
        header: header fields (workspace, provider, model, ...), tape form.
    """

    def __init__(self, path: Path, header: dict[str, Any]) -> None:
        self.path = path
        self.header = {"kind": "header", "version": TAPE_VERSION, **header}
        self.calls = 0
        self._lock = asyncio.Lock()

    async def write_call(self, request: dict[str, Any], stream: list[dict[str, Any]]) -> None:
        """Append one call (OSError when the file cannot be written)."""
        async with self._lock:
            lines = [] if self.calls else [self.header]
            lines.append({"kind": "call", "seq": self.calls, "request": request, "stream": stream})
            text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
            await asyncio.to_thread(self._append, text, truncate=not self.calls)
            self.calls += 1

    def _append(self, text: str, *, truncate: bool) -> None:
        with self.path.open("w" if truncate else "a", encoding="utf-8") as f:
            f.write(text)


@dataclass(slots=True)
class TapePlayer:
    """The calls of a loaded tape and how many were answered so far."""

    tape: Tape
    position: int = 0
    diverged: ReplayDivergence | None = field(default=None)

    @property
    def finished(self) -> bool:
        return self.position >= len(self.tape.calls)


class RecordLayer(Layer):
    """Records every model call of one session (request, streamed items) on a tape."""

    def __init__(self, writer: TapeWriter, normaliser: Normaliser) -> None:
        self.writer = writer
        self.normaliser = normaliser

    async def stream_model(  # type: ignore[override]
        self, request: ModelRequest, upstream: ModelStream
    ) -> AsyncGenerator[StreamEvent, None]:
        recorded = self.normaliser.to_tape(request_to_json(request))
        items: list[dict[str, Any]] = []
        try:
            async for item in upstream(request):
                items.append(stream_item_to_json(item))
                yield item
        except ProviderError as exc:
            items.append({"type": "error", "message": str(exc)})
            raise
        finally:
            await self.writer.write_call(recorded, self.normaliser.to_tape(items))


class ReplayLayer(Layer):
    """Answers every model call of one session from a tape, checking the request first."""

    def __init__(self, player: TapePlayer, normaliser: Normaliser) -> None:
        self.player = player
        self.normaliser = normaliser

    async def stream_model(  # type: ignore[override]
        self, request: ModelRequest, upstream: ModelStream
    ) -> AsyncGenerator[StreamEvent, None]:
        player = self.player
        seq = player.position
        calls = player.tape.calls
        try:
            if seq >= len(calls):
                raise ReplayDivergence(
                    seq, "call", f"{len(calls)} model calls (the tape ends)", "one more model call"
                )
            self.normaliser.check(
                seq, calls[seq]["request"], self.normaliser.to_tape(request_to_json(request))
            )
        except ReplayDivergence as exc:
            player.diverged = player.diverged or exc
            raise
        player.position += 1
        for raw in self.normaliser.from_tape(calls[seq]["stream"]):
            if raw.get("type") == "error":
                raise ProviderError(f"(replayed) {raw.get('message', '')}")
            yield stream_from_json(raw)


class RecordedProvider:
    """The provider a tape was recorded with, without its network (see module doc)."""

    def __init__(self, header: dict[str, Any]) -> None:
        self.name = str(header.get("provider", "replay"))
        self.model = str(header.get("model", "replay"))
        self.context_window_tokens = int(header.get("context_window_tokens", 200_000))

    async def stream(self, request: ModelRequest) -> AsyncIterator[StreamEvent]:
        raise ProviderError("replay: model calls are answered by the tape, not a provider")
        yield  # pragma: no cover - makes this an async generator

    def cost_usd(self, usage: Usage) -> float:
        if self.name != "anthropic":
            return 0.0
        from zeph_tui.core.providers.pricing import cost_usd

        return cost_usd(self.model, usage)

    async def aclose(self) -> None:
        return None
