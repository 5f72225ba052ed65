"""OpenAICompatProvider against a real llama_cpp.server (SmolLM2-135M on loopback)."""

from __future__ import annotations

import json
from typing import Any

import httpx2 as httpx
import pytest

from tests.conftest_llama import LLAMA_SERVER_MODEL, llama_server, smollm2_gguf  # noqa: F401
from zeph_tui.core.errors import ProviderError
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
)
from zeph_tui.core.providers.openai_compat import OpenAICompatProvider, to_openai_messages
from zeph_tui.core.providers.pricing import Price


async def _run(provider: OpenAICompatProvider, request: ModelRequest) -> list[StreamEvent]:
    try:
        return [event async for event in provider.stream(request)]
    finally:
        await provider.aclose()


def _stop(events: list[StreamEvent]) -> MessageStop:
    assert isinstance(events[-1], MessageStop)
    assert sum(isinstance(e, MessageStop) for e in events) == 1
    return events[-1]


@pytest.mark.slow
async def test_real_server_streams_an_answer(llama_server: str) -> None:  # noqa: F811
    provider = OpenAICompatProvider(None, base_url=llama_server, api_key="")
    request = ModelRequest(
        system="You are a helpful assistant.",
        messages=[Message("user", [TextPart("What is the capital of France?")])],
        max_tokens=48,
    )
    events = await _run(provider, request)
    assert provider.model == LLAMA_SERVER_MODEL  # discovered from GET /v1/models
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    assert len(deltas) >= 2, "the answer should arrive in several chunks"
    stop = _stop(events)
    assert stop.stop_reason in ("end_turn", "max_tokens")
    assert stop.parts == (TextPart("".join(deltas)),)
    assert "".join(deltas).strip()
    assert stop.usage.input_tokens > 0
    assert stop.usage.output_tokens > 0


@pytest.mark.slow
async def test_real_server_accepts_tool_history(llama_server: str) -> None:  # noqa: F811
    history = [
        Message("user", [TextPart("Read a.py")]),
        Message(
            "assistant", [TextPart("Reading."), ToolUsePart("call_1", "read", {"path": "a.py"})]
        ),
        Message("user", [ToolResultPart("call_1", "print('hi')"), TextPart("What does it print?")]),
    ]
    tool = ToolSpec(
        "read", "Read a file", {"type": "object", "properties": {"path": {"type": "string"}}}
    )
    provider = OpenAICompatProvider(LLAMA_SERVER_MODEL, base_url=llama_server)
    events = await _run(provider, ModelRequest("Be brief.", history, tools=[tool], max_tokens=16))
    assert _stop(events).stop_reason in ("end_turn", "max_tokens", "tool_use")


@pytest.mark.slow
async def test_http_error_becomes_provider_error(llama_server: str) -> None:  # noqa: F811
    provider = OpenAICompatProvider(None, base_url=f"{llama_server}/nope")
    with pytest.raises(ProviderError, match="cannot list models"):
        await _run(provider, ModelRequest("", [Message("user", [TextPart("hi")])]))
    provider = OpenAICompatProvider("m", base_url=f"{llama_server}/nope")
    with pytest.raises(ProviderError, match="HTTP 404"):
        await _run(provider, ModelRequest("", [Message("user", [TextPart("hi")])]))


async def test_connection_refused_becomes_provider_error() -> None:
    provider = OpenAICompatProvider("m", base_url="http://127.0.0.1:9/v1")
    with pytest.raises(ProviderError, match="ConnectError") as info:
        await _run(provider, ModelRequest("", [Message("user", [TextPart("hi")])]))
    assert isinstance(info.value.__cause__, httpx.ConnectError)


def _sse(*chunks: dict[str, Any]) -> bytes:
    return b"".join(f"data: {json.dumps(c)}\n\n".encode() for c in chunks) + b"data: [DONE]\n\n"


def _delta(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


async def test_tool_calls_accumulated_by_index_and_usage_from_final_chunk() -> None:
    """The SSE shape OpenAI/vLLM send for two parallel tool calls, through httpx's transport."""
    body = _sse(
        _delta({"role": "assistant", "reasoning_content": "think"}),
        _delta({"content": "Let me look."}),
        _delta(
            {
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_a",
                        "type": "function",
                        "function": {"name": "read", "arguments": ""},
                    }
                ]
            }
        ),
        _delta(
            {
                "tool_calls": [
                    {
                        "index": 1,
                        "id": "call_b",
                        "type": "function",
                        "function": {"name": "grep", "arguments": '{"pat'},
                    }
                ]
            }
        ),
        _delta({"tool_calls": [{"index": 0, "function": {"arguments": '{"path": '}}]}),
        _delta({"tool_calls": [{"index": 1, "function": {"arguments": 'tern": "x"'}}]}),
        _delta({"tool_calls": [{"index": 0, "function": {"arguments": '"a.py"}'}}]}),
        _delta({}, "tool_calls"),
        {
            "choices": [],
            "usage": {
                "prompt_tokens": 120,
                "completion_tokens": 30,
                "prompt_tokens_details": {"cached_tokens": 100},
            },
        },
    )
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        assert request.headers["authorization"] == "Bearer sk-test"
        return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})

    provider = OpenAICompatProvider(
        "gpt-test",
        base_url="http://server.invalid/v1",
        api_key="sk-test",
        transport=httpx.MockTransport(handler),
        price=Price(1.0, 2.0, 0.5, 0.0),
    )
    tool = ToolSpec("read", "Read", {"type": "object"})
    events = await _run(
        provider, ModelRequest("sys", [Message("user", [TextPart("go")])], tools=[tool])
    )
    assert [e.text for e in events if isinstance(e, ThinkingDelta)] == ["think"]
    uses = [e.part for e in events if isinstance(e, ToolUse)]
    assert [(u.id, u.name, u.input) for u in uses] == [
        ("call_a", "read", {"path": "a.py"}),
        ("call_b", "grep", {}),
    ]
    assert uses[1].raw_input == '{"pattern": "x"'  # invalid JSON kept raw
    stop = _stop(events)
    assert stop.stop_reason == "tool_use"
    assert stop.parts == (ThinkingPart("think"), TextPart("Let me look."), *uses)
    assert (stop.usage.input_tokens, stop.usage.cache_read_tokens, stop.usage.output_tokens) == (
        20,
        100,
        30,
    )
    assert provider.cost_usd(stop.usage) == pytest.approx((20 * 1 + 100 * 0.5 + 30 * 2) / 1e6)
    sent = seen[0]
    assert sent["stream"] is True
    assert sent["stream_options"] == {"include_usage": True}
    assert sent["tools"] == [
        {
            "type": "function",
            "function": {"name": "read", "description": "Read", "parameters": {"type": "object"}},
        }
    ]


@pytest.mark.parametrize(
    ("finish", "expected"),
    [("stop", "end_turn"), ("length", "max_tokens"), ("content_filter", "refusal")],
)
async def test_finish_reason_mapping_and_estimated_usage(finish: str, expected: str) -> None:
    body = _sse(_delta({"content": "abcdefgh"}), _delta({}, finish))
    transport = httpx.MockTransport(lambda _: httpx.Response(200, content=body))
    provider = OpenAICompatProvider("m", base_url="http://server.invalid/v1", transport=transport)
    stop = _stop(await _run(provider, ModelRequest("", [Message("user", [TextPart("hi")])])))
    assert stop.stop_reason == expected
    assert stop.usage.output_tokens == 2  # estimated: 8 chars / 4
    assert stop.usage.input_tokens > 0
    assert provider.cost_usd(stop.usage) == 0.0


def test_message_mapping() -> None:
    history = [
        Message("user", [TextPart("look"), ImagePart("image/png", "AAAA")]),
        Message(
            "assistant", [ThinkingPart("hm", "sig"), ToolUsePart("c1", "read", {"p": 1}, "{bad")]
        ),
        Message("user", [ToolResultPart("c1", "boom", is_error=True)]),
    ]
    assert to_openai_messages("S", history) == [
        {"role": "system", "content": "S"},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "look"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
            ],
        },
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "read", "arguments": '{"p": 1}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "ERROR: boom"},
    ]
