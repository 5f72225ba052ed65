"""The rate-limit layer in the running agent: token buckets per category and the breaker.

The runtime stacks a RateLimitLayer on every session; the test gives it a
limiter with a fake clock so time moves only when the test says.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.turns import calls, scripted_session, tool_results
from zeph_tui.core.layers.safety import RateLimitLayer
from zeph_tui.core.safety import BreakerConfig, RateLimit, ToolRateLimiter


class Clock:
    def __init__(self) -> None:
        self.now_s = 1000.0

    def __call__(self) -> float:
        return self.now_s


async def run(runtime: Any, workspace: Path, script: Any, limiter: ToolRateLimiter) -> Any:
    async with scripted_session(runtime, workspace, script) as (session, fake):
        layers = [la for la in session.layers.layers if isinstance(la, RateLimitLayer)]
        assert len(layers) == 1  # wired by the runtime
        layers[0].limiter = limiter
        assert await session.prompt(["go"]) == "end_turn"
    return fake


async def test_bucket_per_category(runtime: Any, workspace: Path, anthropic_env: None) -> None:
    clock = Clock()
    limiter = ToolRateLimiter(
        {"read": RateLimit(rate_per_s=1.0, burst=2)}, breaker=None, clock=clock
    )
    read = ("read_file", {"path": "pkg/calc.py"})
    script = [
        calls(read, read, read, ("glob", {"pattern": "*.md"})),
        calls(read),
        {"blocks": [{"type": "text", "text": "ok"}]},
    ]

    def advancing(body: dict[str, Any], index: int) -> dict[str, Any]:
        if index == 1:
            clock.now_s += 1.0  # one token back
        return script[index]

    fake = await run(runtime, workspace, advancing, limiter)
    first = tool_results(fake.requests[1])
    assert [r["is_error"] for r in first] == [False, False, True, False]  # search: own bucket
    assert "rate limited: too many read calls" in first[2]["text"]
    assert "retry in" in first[2]["text"]
    assert tool_results(fake.requests[2])[0]["is_error"] is False


async def test_circuit_breaker_opens_after_failures_and_recovers(
    runtime: Any, workspace: Path, anthropic_env: None
) -> None:
    clock = Clock()
    limiter = ToolRateLimiter(
        {}, breaker=BreakerConfig(failure_threshold=3, cooldown_s=60.0), clock=clock
    )
    missing = [("read_file", {"path": f"missing{i}.py"}) for i in range(3)]
    ok = ("read_file", {"path": "pkg/calc.py"})
    script = [calls(m) for m in missing] + [
        calls(ok),  # circuit open: refused without running
        calls(("bash", {"command": "echo other categories still work"})),
        calls(ok),  # after the cool-down: the trial call passes and closes the circuit
        calls(ok),
        {"blocks": [{"type": "text", "text": "ok"}]},
    ]

    def advancing(body: dict[str, Any], index: int) -> dict[str, Any]:
        if index == 5:
            clock.now_s += 61.0
        return script[index]

    fake = await run(runtime, workspace, advancing, limiter)
    got = [tool_results(fake.requests[i])[0] for i in range(1, 8)]
    assert all(g["is_error"] and "file not found" in g["text"] for g in got[:3])
    assert got[3]["is_error"] and "paused after 3 consecutive failures" in got[3]["text"]
    assert got[4]["is_error"] is False and "other categories" in got[4]["text"]
    assert got[5]["is_error"] is False and "def add" in got[5]["text"]
    assert got[6]["is_error"] is False
    assert limiter.state("read") == "closed"


async def test_commands_exiting_non_zero_do_not_trip_the_breaker(
    runtime: Any, workspace: Path, anthropic_env: None
) -> None:
    limiter = ToolRateLimiter(
        {}, breaker=BreakerConfig(failure_threshold=2, cooldown_s=60.0), clock=Clock()
    )
    script = [calls(("bash", {"command": "exit 3"})) for _ in range(4)] + [
        calls(("bash", {"command": "sleep 5", "timeout_s": 0.2})),
        calls(("bash", {"command": "sleep 5", "timeout_s": 0.2})),
        calls(("bash", {"command": "echo never"})),
        {"blocks": [{"type": "text", "text": "ok"}]},
    ]
    fake = await run(runtime, workspace, script, limiter)
    got = [tool_results(fake.requests[i])[0] for i in range(1, 8)]
    assert all(g["text"].startswith("exit code 3") for g in got[:4])
    assert all("timed out" in g["text"] for g in got[4:6])  # real failures: counted
    assert "paused after 2 consecutive failures" in got[6]["text"]
