"""The ``stream_model`` hook of the layer stack, and the tape's comparison."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.turns import Recorder, scripted_session
from zeph_tui.core.events import AgentMessageChunk
from zeph_tui.core.layers.base import Layer, LayerStack, ModelStream
from zeph_tui.core.providers.base import (
    MessageStop,
    ModelRequest,
    StreamEvent,
    TextDelta,
    TextPart,
    Usage,
)
from zeph_tui.core.replay.tape import Normaliser, ReplayDivergence, first_difference

REQUEST = ModelRequest(system="s", messages=[])


class Tagging(Layer):
    """Passes the stream through, prefixing text deltas with its name."""

    def __init__(self, name: str, trace: list[str]) -> None:
        self.name, self.trace = name, trace

    async def stream_model(  # type: ignore[override]
        self, request: ModelRequest, upstream: ModelStream
    ) -> AsyncGenerator[StreamEvent, None]:
        self.trace.append(self.name)
        async for item in upstream(request):
            yield TextDelta(self.name + item.text) if isinstance(item, TextDelta) else item


class Answering(Layer):
    """Short-circuits: answers without calling upstream."""

    async def stream_model(  # type: ignore[override]
        self, request: ModelRequest, upstream: ModelStream
    ) -> AsyncGenerator[StreamEvent, None]:
        yield TextDelta("from the layer")
        yield MessageStop("end_turn", Usage(1, 1), (TextPart("from the layer"),))


async def provider(request: ModelRequest) -> AsyncIterator[StreamEvent]:
    yield TextDelta("p")
    yield MessageStop("end_turn", Usage(), (TextPart("p"),))


async def collect(stream: AsyncIterator[StreamEvent]) -> list[StreamEvent]:
    return [item async for item in stream]


def test_no_stream_layer_uses_the_provider_stream_as_is() -> None:
    sentinel: Any = object()
    stack = LayerStack([Layer(), Layer()])
    assert stack.stream_model(REQUEST, lambda request: sentinel) is sentinel


async def test_stream_layers_wrap_outermost_first() -> None:
    trace: list[str] = []
    stack = LayerStack([Tagging("A", trace), Layer(), Tagging("B", trace)])
    items = await collect(stack.stream_model(REQUEST, provider))
    assert trace == ["A", "B"]  # A sees the call first; B is next to the provider
    assert items[0] == TextDelta("ABp")


async def test_short_circuit_in_a_real_session_sends_nothing(
    runtime: Any, workspace: Path, anthropic_env: None
) -> None:
    sink = Recorder()
    async with scripted_session(runtime, workspace, [], sink=sink) as (session, fake):
        session.layers.add(Answering())
        assert await session.prompt(["hi"]) == "end_turn"
        assert fake.requests == []
    assert "".join(e.text for e in sink.of(AgentMessageChunk)) == "from the layer"
    assert session.history[-1].text() == "from the layer"


def test_first_difference_names_the_field() -> None:
    old = {"messages": [{"parts": [{"text": "count to 50000 please"}]}], "max_tokens": 8}
    new = {"messages": [{"parts": [{"text": "count to 60000 please"}]}], "max_tokens": 8}
    path, recorded, now = first_difference(old, new) or ("", "", "")
    assert path == "messages[0].parts[0].text"
    assert recorded == '"count to 50000 please"' and now == '"count to 60000 please"'
    assert first_difference(old, old) is None
    assert first_difference({"a": [1]}, {"a": [1, 2]}) == ("a (length)", "1", "2")
    assert first_difference({"a": 1}, {"b": 1}) == ("a", "1", '"<absent>"')


def test_overflow_ids_are_masked_then_mapped(tmp_path: Path) -> None:
    norm = Normaliser(lambda s: s, tmp_path)
    norm.check(0, {"t": "overflow_id=ovf_aaaaaaaaaaaa"}, {"t": "overflow_id=ovf_bbbbbbbbbbbb"})
    answer = norm.from_tape({"id": "ovf_aaaaaaaaaaaa", "p": "$WORKSPACE/x"})
    assert answer == {"id": "ovf_bbbbbbbbbbbb", "p": f"{tmp_path}/x"}
    with pytest.raises(ReplayDivergence, match=r"model call 2, field t"):
        norm.check(1, {"t": "a"}, {"t": "b"})
    secret = Normaliser(lambda s: s.replace("hunter2", "[REDACTED]"), tmp_path)
    assert secret.to_tape({"k": f"{tmp_path}/hunter2"}) == {"k": "$WORKSPACE/[REDACTED]"}
