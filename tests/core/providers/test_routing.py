"""RoutingProvider against real loopback fakes with different costs and latencies.

Two or three fake servers (the scripted Anthropic Messages API fake, the
OpenAI-compatible fake) stand for a cheap and a strong model; the router is
built from a ``[routing]`` table by :func:`build_routing`, the path config.toml
takes. Latency choices are driven by the fakes' configured delays and a
seeded RNG; the tests assert on which route was chosen, never on times.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.openai_api import FakeOpenAI
from zeph_tui.core.errors import ConfigError, ProviderError
from zeph_tui.core.providers.base import (
    Message,
    MessageStop,
    ModelRequest,
    StreamEvent,
    TextDelta,
    TextPart,
    ToolSpec,
    ToolUsePart,
    Usage,
)
from zeph_tui.core.providers.resolve import build_routing
from zeph_tui.core.providers.routing import RoutingProvider, check_answer
from zeph_tui.core.providers.strategies import classify_prompt

ENV = {"ANTHROPIC_API_KEY": "sk-ant-test-key-not-real"}
READ = ToolSpec("read", "Read a file", {"type": "object", "properties": {}})
CHEAP = {"input_per_mtok": 1.0, "output_per_mtok": 2.0}
STRONG = {"input_per_mtok": 10.0, "output_per_mtok": 50.0}


def text(reply: str, *, usage: tuple[int, int] = (100, 10), **extra: Any) -> dict[str, Any]:
    """A fake step answering ``reply`` with ``usage`` = (input, output) tokens."""
    step: dict[str, Any] = {"blocks": [{"type": "text", "text": reply}] if reply else []}
    step["usage"] = {"input_tokens": usage[0], "output_tokens": usage[1]}
    return step | extra


def forever(step: dict[str, Any]) -> Any:
    return lambda body, index: step


def route(fake: FakeAnthropic, model: str, price: dict[str, float]) -> dict[str, Any]:
    return {"provider": "anthropic", "model": model, "base_url": fake.base_url, **price}


def request(prompt: str = "hello", *, tools: list[ToolSpec] | None = None) -> ModelRequest:
    return ModelRequest("sys", [Message("user", [TextPart(prompt)])], tools=tools or [READ])


async def collect(provider: RoutingProvider, req: ModelRequest) -> list[StreamEvent]:
    return [event async for event in provider.stream(req)]


def stop_of(events: list[StreamEvent]) -> MessageStop:
    assert isinstance(events[-1], MessageStop)
    return events[-1]


def streamed_text(events: list[StreamEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


# ------------------------------------------------------------------ cascade


async def test_cascade_keeps_a_good_cheap_answer_and_never_asks_the_strong_model() -> None:
    async with (
        FakeAnthropic(forever(text("Paris.", usage=(100, 10)))) as cheap,
        FakeAnthropic(forever(text("strong"))) as strong,
    ):
        router = build_routing(
            {
                "strategy": "cascade",
                # listed dearest first: the cascade orders by price, not by listing
                "models": {
                    "big": route(strong, "m-big", STRONG),
                    "small": route(cheap, "m-small", CHEAP),
                },
            },
            env=ENV,
        )
        try:
            events = await collect(router, request("capital of France?"))
        finally:
            await router.aclose()
        assert len(cheap.requests) == 1
        assert strong.requests == []
        assert streamed_text(events) == "Paris."
        stop = stop_of(events)
        assert [c.model for c in stop.charges] == ["small:m-small"]
        assert stop.charges[0].cost_usd == pytest.approx((100 * 1.0 + 10 * 2.0) / 1e6)
        assert router.model == "small:m-small"
        assert router.cost_usd(stop.usage) == pytest.approx(stop.charges[0].cost_usd)


BAD_ANSWERS = {
    "refusal text": text("I'm sorry, but I can't help with that."),
    "refusal stop": text("partial", stop_reason="refusal"),
    "empty": text(""),
    "unknown tool": {"blocks": [{"type": "tool_use", "name": "nosuch", "input": {}}]},
    "bad json args": {"blocks": [{"type": "tool_use", "name": "read", "raw_partial_json": '{"pa'}]},
}


@pytest.mark.parametrize("case", sorted(BAD_ANSWERS))
async def test_cascade_escalates_when_the_check_fails_and_pays_for_both(case: str) -> None:
    bad = BAD_ANSWERS[case] | {"usage": {"input_tokens": 100, "output_tokens": 10}}
    async with (
        FakeAnthropic(forever(bad)) as cheap,
        FakeAnthropic(forever(text("The strong answer.", usage=(200, 20)))) as strong,
    ):
        router = build_routing(
            {
                "models": {
                    "small": route(cheap, "m-small", CHEAP),
                    "big": route(strong, "m-big", STRONG),
                }
            },
            env=ENV,
        )
        try:
            events = await collect(router, request())
        finally:
            await router.aclose()
        assert (len(cheap.requests), len(strong.requests)) == (1, 1)
        assert streamed_text(events) == "The strong answer."  # nothing of the cheap answer leaks
        stop = stop_of(events)
        assert [c.model for c in stop.charges] == ["small:m-small", "big:m-big"]
        cheap_usd, strong_usd = (100 * 1 + 10 * 2) / 1e6, (200 * 10 + 20 * 50) / 1e6
        assert [c.cost_usd for c in stop.charges] == pytest.approx([cheap_usd, strong_usd])
        assert router.cost_usd(stop.usage) == pytest.approx(cheap_usd + strong_usd)
        assert stop.usage == Usage(200, 20)  # the answering call measures the context
        assert router.attempts[0][1].startswith("escalated: ")
        assert router.model == "big:m-big"


def test_the_check_passes_a_well_formed_tool_call_and_a_plain_answer() -> None:
    good_call = MessageStop(
        "tool_use", Usage(), (ToolUsePart("t1", "read", {"path": "a"}, '{"path": "a"}'),)
    )
    assert check_answer(request(), good_call) is None
    assert check_answer(request(), MessageStop("end_turn", Usage(), (TextPart("Sure: 4"),))) is None
    answer = MessageStop("end_turn", Usage(), (TextPart("I cannot help with that."),))
    assert check_answer(request(), answer) == "refusal"
    cut = MessageStop("max_tokens", Usage(), (TextPart("and then"),))
    assert check_answer(request(), cut) == "truncated"


# ------------------------------------------------------------------ triage

EASY = "what does git stash do?"
HARD = "Refactor the session module and redesign its concurrency so the deadlock goes away."


def test_the_triage_rules_sort_prompts_into_levels() -> None:
    assert classify_prompt(request(EASY)) == "easy"
    assert classify_prompt(request("fix the typo in README")) == "medium"
    assert classify_prompt(request(HARD)) == "hard"
    assert classify_prompt(request("x " * 800)) == "hard"


async def test_triage_sends_easy_and_hard_prompts_to_different_pools() -> None:
    with FakeOpenAI() as small:
        async with FakeAnthropic(forever(text("deep answer"))) as big:
            router = build_routing(
                {
                    "strategy": "triage",
                    "models": {
                        "small": {
                            "provider": "openai",
                            "model": "fake-model",
                            "base_url": small.base_url,
                            **CHEAP,
                        },
                        "big": route(big, "m-big", STRONG),
                    },
                    "triage": {"easy": ["small"], "medium": ["small"], "hard": ["big"]},
                },
                env=ENV,
            )
            try:
                easy = await collect(router, request(EASY))
                easy_model = router.model
                hard = await collect(router, request(HARD))
                hard_model = router.model
            finally:
                await router.aclose()
        assert easy_model == "small:fake-model"
        assert streamed_text(easy).startswith("Hello from the fake")
        assert hard_model == "big:m-big"
        assert streamed_text(hard) == "deep answer"
        assert len(big.requests) == 1  # the easy prompt never reached the strong model
        # the OpenAI fake reports 12 prompt tokens and one completion token per 7 characters
        small_stop = stop_of(easy)
        assert small_stop.charges[0].cost_usd == pytest.approx(
            (small_stop.usage.input_tokens * 1.0 + small_stop.usage.output_tokens * 2.0) / 1e6
        )
        assert small_stop.usage.input_tokens == 12


def test_triage_refuses_a_pool_naming_an_unknown_model() -> None:
    table = {
        "strategy": "triage",
        "models": {
            "small": {"provider": "openai", "model": "m", "base_url": "http://127.0.0.1:9/v1"}
        },
        "triage": {"hard": ["huge"]},
    }
    with pytest.raises(ConfigError, match=r"routing\.triage\.hard: unknown model 'huge'"):
        build_routing(table, env=ENV)


# ------------------------------------------------------------------ latency


async def test_latency_moves_to_the_faster_fake_and_keeps_exploring() -> None:
    # The slow fake pauses 40 ms before each SSE event, the fast one not at all.
    async with (
        FakeAnthropic(forever(text("slow", delay_ms=40))) as slow,
        FakeAnthropic(forever(text("fast"))) as fast,
    ):
        router = build_routing(
            {
                "strategy": "latency",
                "seed": 7,
                "latency": {"alpha": 0.3, "explore": 1.0},
                "models": {
                    "slow": route(slow, "m-slow", CHEAP),
                    "fast": route(fast, "m-fast", CHEAP),
                },
            },
            env=ENV,
        )
        choices: list[str] = []
        try:
            for _ in range(24):
                await collect(router, request())
                choices.append(router.model.split(":")[0])
        finally:
            await router.aclose()
    assert set(choices[:4]) == {"slow", "fast"}  # both tried early (an untried route goes first)
    assert choices[4:].count("fast") >= 14  # settled on the faster fake within a few turns
    assert "slow" in choices[6:]  # and still explores the slower one now and then


# ------------------------------------------------------------------ failover


@pytest.mark.parametrize("status", [429, 503])
async def test_a_429_or_5xx_fails_over_to_the_next_route(status: int) -> None:
    limited = {"error": {"status": status, "type": "rate_limit_error", "message": "slow down"}}
    async with (
        FakeAnthropic(forever(limited)) as first,
        FakeAnthropic(forever(text("from the backup", usage=(50, 5)))) as backup,
    ):
        router = build_routing(
            {
                "strategy": "triage",
                "models": {
                    "first": route(first, "m1", CHEAP),
                    "backup": route(backup, "m2", STRONG),
                },
                "triage": {"easy": ["first", "backup"]},
            },
            env=ENV,
        )
        try:
            events = await collect(router, request(EASY))
        finally:
            await router.aclose()
    assert len(first.requests) == 1  # max_retries 0: the router fails over, the SDK does not retry
    assert streamed_text(events) == "from the backup"
    assert router.attempts[0][0] == "first" and router.attempts[0][1].startswith("failover: ")
    assert f"HTTP {status}" in router.attempts[0][1]
    stop = stop_of(events)
    assert [c.model for c in stop.charges] == ["backup:m2"]  # a refused call costs nothing
    assert stop.charges[0].cost_usd == pytest.approx((50 * 10 + 5 * 50) / 1e6)


async def test_a_400_does_not_fail_over() -> None:
    bad = {"error": {"status": 400, "type": "invalid_request_error", "message": "bad request"}}
    async with (
        FakeAnthropic(forever(bad)) as first,
        FakeAnthropic(forever(text("never"))) as backup,
    ):
        router = build_routing(
            {
                "strategy": "triage",
                "models": {
                    "first": route(first, "m1", CHEAP),
                    "backup": route(backup, "m2", STRONG),
                },
                "triage": {"easy": ["first", "backup"]},
            },
            env=ENV,
        )
        try:
            with pytest.raises(ProviderError, match="HTTP 400"):
                await collect(router, request(EASY))
        finally:
            await router.aclose()
    assert backup.requests == []


async def test_when_every_route_is_limited_the_last_error_is_raised() -> None:
    limited = {"error": {"status": 429, "type": "rate_limit_error", "message": "slow down"}}
    async with FakeAnthropic(forever(limited)) as a, FakeAnthropic(forever(limited)) as b:
        router = build_routing(
            {"models": {"a": route(a, "m1", CHEAP), "b": route(b, "m2", STRONG)}}, env=ENV
        )
        try:
            with pytest.raises(ProviderError, match="HTTP 429"):
                await collect(router, request())
        finally:
            await router.aclose()
    assert (len(a.requests), len(b.requests)) == (1, 1)


def test_a_routed_stop_keeps_its_charges_on_a_tape() -> None:
    from zeph_tui.core.providers.base import ModelCharge
    from zeph_tui.core.replay.tape import stream_from_json, stream_item_to_json

    stop = MessageStop(
        "end_turn",
        Usage(200, 20),
        (TextPart("ok"),),
        (
            ModelCharge("small:m-small", Usage(100, 10), 0.00012),
            ModelCharge("big:m-big", Usage(200, 20), 0.003),
        ),
    )
    assert stream_from_json(stream_item_to_json(stop)) == stop
    plain = MessageStop("end_turn", Usage(1, 2), (TextPart("ok"),))
    assert "charges" not in stream_item_to_json(plain)  # tapes of one model are unchanged
    assert stream_from_json(stream_item_to_json(plain)) == plain
