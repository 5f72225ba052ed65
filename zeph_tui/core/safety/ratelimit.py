"""Tool rate limiting (token bucket) and a circuit breaker, per tool category.

:meth:`ToolRateLimiter.check` is called before a tool runs; the caller reports
the outcome with :meth:`~ToolRateLimiter.record_success` or
:meth:`~ToolRateLimiter.record_failure`.

* Token bucket: a category has ``burst`` tokens, refilled at ``rate_per_s``
  tokens per second; each check takes one token.
* Circuit breaker: after ``failure_threshold`` consecutive failures the
  category's circuit opens and checks fail for ``cooldown_s`` seconds. Then it
  is half-open: exactly one trial call passes; its success closes the circuit,
  its failure opens it again for another cool-down.

Time comes from an injectable monotonic clock (seconds, float), so tests
advance a fake clock instead of sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from zeph_tui.core.errors import ConfigError, ToolError

__all__ = ["BreakerConfig", "CircuitOpen", "RateLimit", "RateLimited", "ToolRateLimiter"]

CircuitState = Literal["closed", "open", "half_open"]


class RateLimited(ToolError):
    """A tool category is over its rate; ``retry_after_s`` tells when to try again."""

    def __init__(self, message: str, category: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.category = category
        self.retry_after_s = retry_after_s


class CircuitOpen(RateLimited):
    """A tool category's circuit breaker is open after repeated failures."""


@dataclass(frozen=True)
class RateLimit:
    """Token bucket settings: ``rate_per_s`` tokens per second, at most ``burst`` stored.

    Raises:
        ConfigError: ``rate_per_s <= 0`` or ``burst < 1``.
    """

    rate_per_s: float
    burst: int

    def __post_init__(self) -> None:
        if self.rate_per_s <= 0 or self.burst < 1:
            raise ConfigError("RateLimit needs rate_per_s > 0 and burst >= 1")


@dataclass(frozen=True)
class BreakerConfig:
    """Circuit breaker settings: open after ``failure_threshold`` consecutive failures.

    Raises:
        ConfigError: ``failure_threshold < 1`` or ``cooldown_s < 0``.
    """

    failure_threshold: int = 5
    cooldown_s: float = 30.0

    def __post_init__(self) -> None:
        if self.failure_threshold < 1 or self.cooldown_s < 0:
            raise ConfigError("BreakerConfig needs failure_threshold >= 1 and cooldown_s >= 0")


@dataclass
class _Bucket:
    tokens: float
    updated_s: float


@dataclass
class _Breaker:
    failures: int = 0
    opened_at_s: float | None = None
    trial_in_flight: bool = False


class ToolRateLimiter:
    """Per-category token buckets and circuit breakers.

    Args:
        limits: rate limit per category name (e.g. ``"bash"``, ``"fetch"``).
        default: limit for categories not in ``limits``; None means unlimited.
        breaker: circuit breaker settings for every category; None disables it.
        clock: monotonic clock in seconds; ``time.monotonic`` by default.
    """

    def __init__(
        self,
        limits: Mapping[str, RateLimit] | None = None,
        default: RateLimit | None = None,
        breaker: BreakerConfig | None = BreakerConfig(),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limits = dict(limits or {})
        self._default = default
        self._breaker_cfg = breaker
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._breakers: dict[str, _Breaker] = {}

    def state(self, category: str) -> CircuitState:
        """The circuit state of a category now."""
        br = self._breakers.get(category)
        if br is None or br.opened_at_s is None or self._breaker_cfg is None:
            return "closed"
        if self._clock() - br.opened_at_s >= self._breaker_cfg.cooldown_s:
            return "half_open"
        return "open"

    def check(self, category: str) -> None:
        """Admit one call in ``category`` or raise.

        Raises:
            CircuitOpen: the circuit is open, or half-open with its trial call
                still running.
            RateLimited: the bucket is empty; ``retry_after_s`` is the wait for
                one token.
        """
        now = self._clock()
        state = self.state(category)
        br = self._breakers.get(category)
        if state == "open" and br is not None and br.opened_at_s is not None:
            assert self._breaker_cfg is not None
            wait_s = self._breaker_cfg.cooldown_s - (now - br.opened_at_s)
            raise CircuitOpen(
                f"{category} tools are paused after {br.failures} consecutive failures; "
                f"retry in {wait_s:.1f} s",
                category,
                wait_s,
            )
        if state == "half_open" and br is not None and br.trial_in_flight:
            raise CircuitOpen(
                f"{category} tools are paused: a trial call is still running", category, 1.0
            )
        self._take_token(category, now)
        if state == "half_open" and br is not None:
            br.trial_in_flight = True

    def _take_token(self, category: str, now: float) -> None:
        limit = self._limits.get(category, self._default)
        if limit is None:
            return
        bucket = self._buckets.get(category)
        if bucket is None:
            bucket = self._buckets[category] = _Bucket(float(limit.burst), now)
        elapsed = max(0.0, now - bucket.updated_s)
        bucket.tokens = min(float(limit.burst), bucket.tokens + elapsed * limit.rate_per_s)
        bucket.updated_s = now
        if bucket.tokens < 1.0:
            wait_s = (1.0 - bucket.tokens) / limit.rate_per_s
            raise RateLimited(
                f"too many {category} calls: limit is {limit.rate_per_s:g}/s "
                f"(burst {limit.burst}); retry in {wait_s:.2f} s",
                category,
                wait_s,
            )
        bucket.tokens -= 1.0

    def record_success(self, category: str) -> None:
        """A call in ``category`` succeeded: reset failures, close the circuit."""
        self._breakers.pop(category, None)

    def record_failure(self, category: str) -> None:
        """A call in ``category`` failed: count it; open the circuit at the threshold."""
        if self._breaker_cfg is None:
            return
        br = self._breakers.setdefault(category, _Breaker())
        br.failures += 1
        if br.trial_in_flight or br.failures >= self._breaker_cfg.failure_threshold:
            br.opened_at_s = self._clock()
            br.trial_in_flight = False
