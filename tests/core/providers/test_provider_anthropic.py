"""AnthropicProvider: the real ``anthropic`` SDK against the loopback fake Messages API."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import anthropic
import pytest

from tests.fakes.anthropic_api import FakeAnthropic
from tests.paths import REPO_ROOT
from zeph_tui.core.errors import ProviderError
from zeph_tui.core.providers.anthropic import AnthropicProvider
from zeph_tui.core.providers.base import (
    ImagePart,
    Message,
    MessageStop,
    ModelRequest,
    StreamEvent,
    TextDelta,
    TextPart,
    ThinkingDelta,
    ThinkingPart,
    ToolResultPart,
    ToolSpec,
    ToolUse,
    ToolUsePart,
    Usage,
)
from zeph_tui.core.providers.pricing import cost_usd, price_for

READ_TOOL = ToolSpec(
    "read", "Read a file", {"type": "object", "properties": {"path": {"type": "string"}}}
)
GREP_TOOL = ToolSpec(
    "grep", "Search", {"type": "object", "properties": {"pattern": {"type": "string"}}}
)


def _request(text: str = "hi", **kw: Any) -> ModelRequest:
    return ModelRequest(system="You are terse.", messages=[Message("user", [TextPart(text)])], **kw)


async def _collect(
    fake: FakeAnthropic, request: ModelRequest, model: str = "claude-sonnet-4-6"
) -> list[StreamEvent]:
    provider = AnthropicProvider(model, api_key="test-key", base_url=fake.base_url, max_retries=0)
    try:
        return [event async for event in provider.stream(request)]
    finally:
        await provider.aclose()


def _stop(events: list[StreamEvent]) -> MessageStop:
    stops = [e for e in events if isinstance(e, MessageStop)]
    assert len(stops) == 1
    assert events[-1] is stops[0]
    return stops[0]


async def test_text_streams_in_several_deltas() -> None:
    text = "Hello there, this answer arrives in pieces."
    async with FakeAnthropic([{"blocks": [{"type": "text", "text": text}]}]) as fake:
        events = await _collect(fake, _request())
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    assert len(deltas) > 3
    assert "".join(deltas) == text
    stop = _stop(events)
    assert stop.stop_reason == "end_turn"
    assert stop.parts == (TextPart(text),)
    body = fake.requests[0]
    assert body["stream"] is True
    assert body["model"] == "claude-sonnet-4-6"
    assert body["messages"] == [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]
    headers = fake.request_headers[0]
    assert "test-key" in (headers.get("x-api-key", "") + headers.get("authorization", ""))


async def test_thinking_deltas_and_signature_kept() -> None:
    script = [
        {
            "blocks": [
                {
                    "type": "thinking",
                    "thinking": "Let me consider the question.",
                    "signature": "SIG123",
                },
                {"type": "text", "text": "42"},
            ]
        }
    ]
    async with FakeAnthropic(script) as fake:
        events = await _collect(fake, _request(thinking_budget_tokens=2048, max_tokens=1024))
    thinking = "".join(e.text for e in events if isinstance(e, ThinkingDelta))
    assert thinking == "Let me consider the question."
    assert _stop(events).parts == (
        ThinkingPart("Let me consider the question.", "SIG123"),
        TextPart("42"),
    )
    body = fake.requests[0]
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert body["max_tokens"] > 2048


async def test_tool_use_with_split_json_and_cache_control() -> None:
    args = {"path": "src/zeph_tui/core/providers/anthropic.py", "limit": 20}
    script = [
        {
            "blocks": [
                {"type": "text", "text": "Reading."},
                {"type": "tool_use", "name": "read", "input": args},
            ]
        }
    ]
    async with FakeAnthropic(script) as fake:
        events = await _collect(fake, _request(tools=[GREP_TOOL, READ_TOOL]))
    uses = [e for e in events if isinstance(e, ToolUse)]
    assert len(uses) == 1
    assert uses[0].part.name == "read"
    assert uses[0].part.input == args
    assert json.loads(uses[0].part.raw_input) == args
    assert uses[0].part.id.startswith("toolu_")
    stop = _stop(events)
    assert stop.stop_reason == "tool_use"
    assert stop.parts == (TextPart("Reading."), uses[0].part)
    body = fake.requests[0]
    assert body["system"] == [
        {"type": "text", "text": "You are terse.", "cache_control": {"type": "ephemeral"}}
    ]
    assert "cache_control" not in body["tools"][0]
    assert body["tools"][1]["cache_control"] == {"type": "ephemeral"}
    assert body["tools"][1]["input_schema"] == READ_TOOL.input_schema


@pytest.mark.parametrize("where", ["block", "response"])
async def test_invalid_json_arguments_kept_raw(where: str) -> None:
    raw = '{"path": "a.py", "limit": '
    block: dict[str, Any] = {"type": "tool_use", "name": "read"}
    response: dict[str, Any] = {"blocks": [block]}
    (block if where == "block" else response)["raw_partial_json"] = raw
    async with FakeAnthropic([response]) as fake:
        events = await _collect(fake, _request(tools=[READ_TOOL]))
    (use,) = [e for e in events if isinstance(e, ToolUse)]
    assert use.part.input == {}
    assert use.part.raw_input == raw


async def test_closing_the_stream_early_releases_the_connection() -> None:
    slow = {"blocks": [{"type": "text", "text": "x" * 400}], "delay_ms": 20}
    async with FakeAnthropic([slow, {"blocks": [{"type": "text", "text": "next"}]}]) as fake:
        provider = AnthropicProvider(api_key="k", base_url=fake.base_url, max_retries=0)
        stream = provider.stream(_request())
        first = await anext(stream)
        assert isinstance(first, TextDelta)
        await stream.aclose()  # stops reading the ~60-event SSE stream after one delta
        events = [e async for e in provider.stream(_request())]
        await provider.aclose()
    assert _stop(events).parts == (TextPart("next"),)
    assert len(fake.requests) == 2


async def test_history_with_tool_results_images_and_thinking_is_sent() -> None:
    history = [
        Message("user", [TextPart("look"), ImagePart("image/png", "iVBORw0KGgo=")]),
        Message(
            "assistant",
            [
                ThinkingPart("hmm", "S1"),
                TextPart(""),
                ToolUsePart("toolu_1", "read", {"path": "a"}, '{"path":"a"}'),
            ],
        ),
        Message("user", [ToolResultPart("toolu_1", "no such file", is_error=True)]),
    ]

    def script(body: dict[str, Any], index: int) -> dict[str, Any]:
        result = body["messages"][-1]["content"][0]
        return {
            "blocks": [
                {"type": "text", "text": f"saw {result['content']} error={result['is_error']}"}
            ]
        }

    async with FakeAnthropic(script) as fake:
        events = await _collect(fake, ModelRequest(system="", messages=history))
    assert _stop(events).parts == (TextPart("saw no such file error=True"),)
    sent = fake.requests[0]["messages"]
    assert "system" not in fake.requests[0]
    assert sent[0]["content"][1] == {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="},
    }
    assert sent[1]["content"] == [
        {"type": "thinking", "thinking": "hmm", "signature": "S1"},
        {"type": "tool_use", "id": "toolu_1", "name": "read", "input": {"path": "a"}},
    ]
    assert sent[2]["content"] == [
        {
            "type": "tool_result",
            "tool_use_id": "toolu_1",
            "content": "no such file",
            "is_error": True,
        }
    ]


async def test_usage_and_cost() -> None:
    usage = {
        "input_tokens": 1000,
        "output_tokens": 500,
        "cache_read_input_tokens": 2000,
        "cache_creation_input_tokens": 400,
    }
    async with FakeAnthropic(
        [{"blocks": [{"type": "text", "text": "ok"}], "usage": usage}]
    ) as fake:
        events = await _collect(fake, _request(), model="claude-sonnet-4-6")
    got = _stop(events).usage
    assert got == Usage(1000, 500, 2000, 400)
    provider = AnthropicProvider("claude-sonnet-4-6", api_key="k", base_url=fake.base_url)
    # $3 in, $15 out, $0.30 cache read, $3.75 cache write per million tokens.
    expected = (1000 * 3 + 500 * 15 + 2000 * 0.3 + 400 * 3.75) / 1e6
    assert provider.cost_usd(got) == pytest.approx(expected)
    await provider.aclose()


def test_pricing_table_matches_families_and_defaults() -> None:
    assert price_for("claude-opus-4-1-20250805").output_per_mtok == 75.0
    assert price_for("claude-opus-4-5").input_per_mtok == 5.0
    assert price_for("claude-haiku-4-5-20251001").input_per_mtok == 1.0
    assert price_for("claude-sonnet-9").input_per_mtok == 3.0
    assert price_for("something-else").input_per_mtok == 3.0
    assert cost_usd("claude-haiku-4-5", Usage(1_000_000, 0)) == pytest.approx(1.0)


@pytest.mark.parametrize("reason", ["max_tokens", "refusal", "stop_sequence"])
async def test_stop_reasons_mapped(reason: str) -> None:
    async with FakeAnthropic(
        [{"blocks": [{"type": "text", "text": "partial"}], "stop_reason": reason}]
    ) as fake:
        events = await _collect(fake, _request())
    assert _stop(events).stop_reason == reason


@pytest.mark.parametrize(
    ("status", "kind"),
    [(500, "api_error"), (529, "overloaded_error"), (400, "invalid_request_error")],
)
async def test_http_errors_become_provider_error(status: int, kind: str) -> None:
    async with FakeAnthropic(
        [{"error": {"status": status, "type": kind, "message": "boom"}}]
    ) as fake:
        with pytest.raises(ProviderError, match=f"HTTP {status}") as info:
            await _collect(fake, _request())
    assert isinstance(info.value.__cause__, anthropic.APIStatusError)
    assert len(fake.requests) == 1  # max_retries=0: no retry


async def test_mid_stream_error_event_becomes_provider_error() -> None:
    script = [
        {
            "blocks": [{"type": "text", "text": "half"}],
            "stream_error": {"type": "overloaded_error", "message": "Overloaded"},
        }
    ]
    async with FakeAnthropic(script) as fake:
        with pytest.raises(ProviderError, match="Overloaded"):
            await _collect(fake, _request())


async def test_connection_refused_becomes_provider_error() -> None:
    async with FakeAnthropic([]) as fake:
        url = fake.base_url
    provider = AnthropicProvider(api_key="k", base_url=url, max_retries=0)
    with pytest.raises(ProviderError, match="APIConnectionError"):
        [e async for e in provider.stream(_request())]
    await provider.aclose()


async def test_non_streaming_json_shape() -> None:
    async with FakeAnthropic(
        [{"blocks": [{"type": "tool_use", "name": "read", "input": {"path": "x"}}]}]
    ) as fake:
        client = anthropic.AsyncAnthropic(api_key="k", base_url=fake.base_url, max_retries=0)
        message = await client.messages.create(
            model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": "hi"}]
        )
        await client.close()
    assert message.stop_reason == "tool_use"
    block = message.content[0]
    assert block.type == "tool_use"
    assert block.input == {"path": "x"}


def test_fake_runs_as_subprocess(tmp_path: Path) -> None:
    script = tmp_path / "script.json"
    script.write_text(json.dumps([{"blocks": [{"type": "text", "text": "from a subprocess"}]}]))
    port_file = tmp_path / "port"
    record = tmp_path / "record.jsonl"
    root = REPO_ROOT
    cmd = [
        sys.executable,
        "-m",
        "tests.fakes.anthropic_api",
        "--script",
        str(script),
        "--port-file",
        str(port_file),
        "--record-file",
        str(record),
    ]
    proc = subprocess.Popen(
        cmd, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        assert proc.stdout is not None
        port = proc.stdout.readline().decode().strip()  # printed once the port file is in place
        assert port, proc.communicate(timeout=10)[1].decode()
        assert port_file.read_text() == port
        client = anthropic.Anthropic(
            api_key="k", base_url=f"http://127.0.0.1:{port}", max_retries=0
        )
        with client.messages.stream(
            model="m", max_tokens=5, messages=[{"role": "user", "content": "q"}]
        ) as s:
            assert s.get_final_text() == "from a subprocess"
        client.close()
        assert json.loads(record.read_text().splitlines()[0])["messages"][0]["content"] == "q"
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
