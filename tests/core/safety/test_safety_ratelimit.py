"""Token bucket and circuit breaker with a fake monotonic clock (no sleeping)."""

from __future__ import annotations

import pytest

from zeph_tui.core.errors import ConfigError, ToolError
from zeph_tui.core.safety import BreakerConfig, CircuitOpen, RateLimit, RateLimited, ToolRateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now_s = 1000.0

    def __call__(self) -> float:
        return self.now_s

    def advance(self, seconds: float) -> None:
        self.now_s += seconds


def test_burst_then_refill() -> None:
    clock = FakeClock()
    limiter = ToolRateLimiter({"bash": RateLimit(rate_per_s=2.0, burst=3)}, clock=clock)
    for _ in range(3):
        limiter.check("bash")
    with pytest.raises(RateLimited) as info:
        limiter.check("bash")
    assert isinstance(info.value, ToolError)
    assert info.value.category == "bash"
    assert info.value.retry_after_s == pytest.approx(0.5)
    assert "bash" in str(info.value)
    assert "2/s" in str(info.value)
    clock.advance(0.49)
    with pytest.raises(RateLimited):
        limiter.check("bash")
    clock.advance(0.02)
    limiter.check("bash")
    clock.advance(100)
    for _ in range(3):  # refill is capped at burst
        limiter.check("bash")
    with pytest.raises(RateLimited):
        limiter.check("bash")


def test_categories_are_independent_and_default_applies() -> None:
    clock = FakeClock()
    limiter = ToolRateLimiter({"fetch": RateLimit(1.0, 1)}, default=RateLimit(10.0, 2), clock=clock)
    limiter.check("fetch")
    with pytest.raises(RateLimited):
        limiter.check("fetch")
    limiter.check("grep")
    limiter.check("grep")
    with pytest.raises(RateLimited):
        limiter.check("grep")
    unlimited = ToolRateLimiter(clock=clock)
    for _ in range(1000):
        unlimited.check("anything")


def test_circuit_opens_after_consecutive_failures_and_half_opens() -> None:
    clock = FakeClock()
    limiter = ToolRateLimiter(
        breaker=BreakerConfig(failure_threshold=3, cooldown_s=30), clock=clock
    )
    limiter.record_failure("mcp")
    limiter.record_failure("mcp")
    limiter.record_success("mcp")  # resets the count
    limiter.record_failure("mcp")
    limiter.record_failure("mcp")
    assert limiter.state("mcp") == "closed"
    limiter.check("mcp")
    limiter.record_failure("mcp")
    assert limiter.state("mcp") == "open"
    with pytest.raises(CircuitOpen) as info:
        limiter.check("mcp")
    assert "3 consecutive failures" in str(info.value)
    assert info.value.retry_after_s == pytest.approx(30)
    limiter.check("bash")  # other categories unaffected
    clock.advance(29.9)
    with pytest.raises(CircuitOpen):
        limiter.check("mcp")
    clock.advance(0.1)
    assert limiter.state("mcp") == "half_open"
    limiter.check("mcp")  # the one trial call
    with pytest.raises(CircuitOpen, match="trial"):
        limiter.check("mcp")
    limiter.record_success("mcp")
    assert limiter.state("mcp") == "closed"
    limiter.check("mcp")


def test_failed_trial_reopens_immediately() -> None:
    clock = FakeClock()
    limiter = ToolRateLimiter(
        breaker=BreakerConfig(failure_threshold=2, cooldown_s=10), clock=clock
    )
    limiter.record_failure("x")
    limiter.record_failure("x")
    clock.advance(10)
    limiter.check("x")
    limiter.record_failure("x")
    assert limiter.state("x") == "open"
    with pytest.raises(CircuitOpen):
        limiter.check("x")
    clock.advance(10)
    assert limiter.state("x") == "half_open"


def test_rate_limited_half_open_check_does_not_use_the_trial() -> None:
    clock = FakeClock()
    limiter = ToolRateLimiter({"x": RateLimit(1.0, 1)}, breaker=BreakerConfig(1, 5), clock=clock)
    limiter.check("x")
    limiter.record_failure("x")
    clock.advance(0.5)
    with pytest.raises(CircuitOpen):
        limiter.check("x")
    clock.advance(4.5)  # half-open, bucket full again
    limiter.check("x")
    limiter.record_success("x")
    with pytest.raises(RateLimited) as info:
        limiter.check("x")
    assert not isinstance(info.value, CircuitOpen)


def test_breaker_disabled() -> None:
    limiter = ToolRateLimiter(breaker=None, clock=FakeClock())
    for _ in range(100):
        limiter.record_failure("x")
    limiter.check("x")
    assert limiter.state("x") == "closed"


def test_invalid_settings() -> None:
    with pytest.raises(ConfigError):
        RateLimit(0, 1)
    with pytest.raises(ConfigError):
        RateLimit(1, 0)
    with pytest.raises(ConfigError):
        BreakerConfig(0, 1)
