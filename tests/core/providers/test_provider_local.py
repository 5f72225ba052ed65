"""LocalProvider: the bundled SmolLM2-135M GGUF run in-process by llama-cpp-python."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import jsonschema
import pytest

from tests.conftest_llama import smollm2_gguf  # noqa: F401
from zeph_tui.core.errors import ProviderError
from zeph_tui.core.providers.base import (
    Message,
    MessageStop,
    ModelRequest,
    StreamEvent,
    TextDelta,
    TextPart,
    ToolResultPart,
    ToolSpec,
    ToolUse,
    ToolUsePart,
)
from zeph_tui.core.providers.local import LocalProvider, bundled_model_path, tool_call_schema

pytestmark = pytest.mark.slow

WEATHER = ToolSpec(
    "get_weather",
    "Current weather of a city",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
READ = ToolSpec(
    "read_file",
    "Read a file of the project",
    {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]},
)


@pytest.fixture(scope="module")
def provider() -> LocalProvider:
    """One provider (one model load) shared by the module's tests."""
    return LocalProvider(n_ctx=4096)


async def _run(provider: LocalProvider, request: ModelRequest) -> list[StreamEvent]:
    return [event async for event in provider.stream(request)]


def _stop(events: list[StreamEvent]) -> MessageStop:
    assert isinstance(events[-1], MessageStop)
    assert sum(isinstance(e, MessageStop) for e in events) == 1
    return events[-1]


def test_bundled_model_is_found(smollm2_gguf: Path) -> None:  # noqa: F811
    assert smollm2_gguf == bundled_model_path()
    assert smollm2_gguf.suffix == ".gguf"
    assert smollm2_gguf.stat().st_size > 50_000_000


async def test_answers_a_prompt_in_process() -> None:
    progress: list[str] = []
    provider = LocalProvider(n_ctx=4096, on_progress=progress.append)
    request = ModelRequest(
        system="You are a helpful assistant. Answer in one short sentence.",
        messages=[Message("user", [TextPart("What is the capital of France?")])],
        max_tokens=128,
    )
    ticks = 0

    async def heartbeat() -> None:  # the loop must keep running while the model works
        nonlocal ticks
        while True:
            await asyncio.sleep(0.02)
            ticks += 1

    async with asyncio.TaskGroup() as tg:
        beat = tg.create_task(heartbeat())
        events = await _run(provider, request)
        beat.cancel()
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    assert len(deltas) >= 2
    stop = _stop(events)
    assert stop.stop_reason == "end_turn"
    assert stop.parts == (TextPart("".join(deltas)),)
    assert "".join(deltas).strip()
    assert stop.usage.input_tokens > 10
    assert stop.usage.output_tokens == len(deltas) + 1
    assert provider.cost_usd(stop.usage) == 0.0
    assert ticks >= 3  # a blocked loop would tick at most once
    assert progress[0].startswith("loading local model SmolLM2-135M")
    assert "loaded in" in progress[1]
    assert provider.context_window_tokens == 4096
    await provider.aclose()


async def test_grammar_constrained_tool_call(provider: LocalProvider) -> None:
    request = ModelRequest(
        system="",
        messages=[
            Message("user", [TextPart("What is the weather in Paris? Use the get_weather tool.")])
        ],
        tools=[READ, WEATHER],
        max_tokens=96,
    )
    events = await _run(provider, request)
    uses = [e.part for e in events if isinstance(e, ToolUse)]
    assert len(uses) == 1, events
    use = uses[0]
    assert use.name in {"get_weather", "read_file"}
    schema = next(t.input_schema for t in (READ, WEATHER) if t.name == use.name)
    jsonschema.validate(use.input, schema)  # the grammar forced schema-valid arguments
    assert json.loads(use.raw_input) == use.input
    assert use.id.startswith("call_")
    stop = _stop(events)
    assert stop.stop_reason == "tool_use"
    assert stop.parts == (use,)


async def test_tool_mode_reply_and_replayed_history(provider: LocalProvider) -> None:
    history = [
        Message("user", [TextPart("What is the weather in Paris?")]),
        Message("assistant", [ToolUsePart("call_1", "get_weather", {"city": "Paris"})]),
        Message("user", [ToolResultPart("call_1", "Sunny, 21 C")]),
    ]
    events = await _run(provider, ModelRequest("", history, tools=[WEATHER], max_tokens=96))
    stop = _stop(events)
    # Either a reply or another call, but always one well-formed part from the grammar.
    assert len(stop.parts) == 1
    part = stop.parts[0]
    if isinstance(part, TextPart):
        assert stop.stop_reason in ("end_turn", "max_tokens")
        assert [e.text for e in events if isinstance(e, TextDelta)] == [part.text]
    else:
        assert isinstance(part, ToolUsePart)
        assert part.name == "get_weather"
        jsonschema.validate(part.input, WEATHER.input_schema)


async def test_closing_early_stops_generation(provider: LocalProvider) -> None:
    request = ModelRequest(
        "", [Message("user", [TextPart("Write a long story about a dragon.")])], max_tokens=2000
    )
    stream = provider.stream(request)
    first = await anext(stream)
    assert isinstance(first, TextDelta)
    async with asyncio.timeout(30):
        await stream.aclose()  # the worker stops at its next token, not after 2000
    quick = ModelRequest(
        "Answer in one short sentence.", [Message("user", [TextPart("Say hi.")])], max_tokens=16
    )
    async with asyncio.timeout(60):  # the run lock was released
        events = await _run(provider, quick)
    assert isinstance(events[-1], MessageStop)


async def test_cancelled_consumer_leaves_the_model_usable(provider: LocalProvider) -> None:
    request = ModelRequest(
        "", [Message("user", [TextPart("Tell me a long tale.")])], max_tokens=2000
    )
    first = asyncio.Event()

    async def consume() -> None:
        async for event in provider.stream(request):
            if isinstance(event, TextDelta):
                first.set()

    task = asyncio.create_task(consume())
    await first.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    quick = ModelRequest(
        "Answer in one short sentence.", [Message("user", [TextPart("Say hi.")])], max_tokens=16
    )
    async with asyncio.timeout(60):
        events = await _run(provider, quick)
    assert isinstance(events[-1], MessageStop)


def test_tool_call_schema_shape() -> None:
    schema = tool_call_schema([WEATHER, READ], generic_args=frozenset({"read_file"}))
    jsonschema.validate({"tool": "get_weather", "arguments": {"city": "x"}}, schema)
    jsonschema.validate({"reply": "hello"}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"tool": "get_weather", "arguments": {}}, schema)
    assert schema["anyOf"][1]["properties"]["arguments"] == {"type": "object"}


async def test_missing_model_file_is_provider_error(tmp_path: Path) -> None:
    provider = LocalProvider(tmp_path / "absent.gguf")
    with pytest.raises(ProviderError, match="cannot load"):
        [e async for e in provider.stream(ModelRequest("", [Message("user", [TextPart("hi")])]))]


async def test_corrupt_model_file_is_provider_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    provider = LocalProvider(bad)
    with pytest.raises(ProviderError, match="cannot load"):
        await provider.load()
