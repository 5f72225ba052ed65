"""Routes and routing strategies of ``[routing]``: which provider/model to ask, in which order.

A :class:`Route` is a named provider/model with its price per token. A
:class:`Strategy` orders the routes for one call and learns from each answer:

* :class:`CascadeStrategy` (``cascade``): cheapest first;
* :class:`TriageStrategy` (``triage``): :func:`classify_prompt` sorts the prompt
  into a level (``easy``, ``medium``, ``hard``) by cheap rules, each level with
  its pool of routes;
* :class:`LatencyStrategy` (``latency``): an EMA of the time to first event per
  route, with Thompson sampling so slower routes are still tried now and then.

The provider that runs a plan (buffering, checks, failover) is
:class:`zeph_tui.core.providers.routing.RoutingProvider`.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from zeph_tui.core.errors import ConfigError
from zeph_tui.core.providers.base import ModelRequest, Provider, Usage
from zeph_tui.core.providers.pricing import Price

__all__ = [
    "LEVELS",
    "CascadeStrategy",
    "LatencyStrategy",
    "Level",
    "Route",
    "Strategy",
    "TriageStrategy",
    "classify_prompt",
]

Level = Literal["easy", "medium", "hard"]
LEVELS: tuple[Level, ...] = ("easy", "medium", "hard")
"""Triage levels, easiest first."""


@dataclass(slots=True, eq=False)  # compared and hashed by identity
class Route:
    """One named provider/model of ``[routing]``.

    Attributes:
        name: the route's name in config (``[routing.models.NAME]``).
        provider: the provider it calls.
        price: US dollars per million tokens; ``None`` = the provider's own
            :meth:`~zeph_tui.core.providers.base.Provider.cost_usd`.
    """

    name: str
    provider: Provider
    price: Price | None = None

    @property
    def label(self) -> str:
        """``name:model`` as shown in the status bar and ``_meta.model``."""
        return f"{self.name}:{self.provider.model}" if self.provider.model else self.name

    def cost_usd(self, usage: Usage) -> float:
        """Dollar cost of ``usage`` (token counts) on this route."""
        p = self.price
        if p is None:
            return self.provider.cost_usd(usage)
        return p.cost_usd(usage)

    @property
    def unit_cost(self) -> float:
        """Dollars of a nominal call (1000 tokens in, 1000 out), to order routes by price."""
        return self.cost_usd(Usage(1000, 1000))


class Strategy(Protocol):
    """Orders the routes for one call and learns from how it went."""

    cascade: bool
    """True: check non-final answers and escalate (see :func:`zeph_tui.core.providers.routing.check_answer`)."""

    def plan(self, request: ModelRequest) -> list[Route]:
        """Routes to try, in order (the first is preferred, the rest are failovers)."""
        ...

    def observe(self, route: Route, first_event_s: float) -> None:
        """``route`` produced its first event after ``first_event_s`` seconds."""
        ...


class CascadeStrategy:
    """Cheapest route first (by :attr:`Route.unit_cost`), escalate on a failed check."""

    cascade = True

    def __init__(self, routes: Sequence[Route]) -> None:
        self.routes = sorted(routes, key=lambda r: r.unit_cost)

    def plan(self, request: ModelRequest) -> list[Route]:
        return list(self.routes)

    def observe(self, route: Route, first_event_s: float) -> None:
        return


_HARD_WORDS = re.compile(
    r"\b(refactor|architect\w*|design|migrat\w*|debug\w*|race|deadlock|concurren\w*|prove|"
    r"optimi[sz]\w*|security|vulnerab\w*|across|whole (code|repo)\w*|rewrite|performance)\b",
    re.IGNORECASE,
)
_MEDIUM_WORDS = re.compile(
    r"\b(fix|implement|add|write|test|explain why|change|update|bug|error|traceback)\b",
    re.IGNORECASE,
)


def classify_prompt(request: ModelRequest) -> Level:
    """Cheap rules (no model call) sorting the last user message into a level.

    ``hard``: more than 1200 characters, or two or more words of large work
    (refactor, design, migrate, debug, race, optimise, security, ...), or one
    of them plus a code block. ``medium``: one such word, a code block, a
    stack trace or a word of ordinary change work (fix, implement, add, test,
    ...), or more than 300 characters. ``easy``: the rest (questions, small
    talk, lookups).
    """
    text = ""
    for message in reversed(request.messages):
        if message.role == "user" and message.text().strip():
            text = message.text()
            break
    hard_hits = len(_HARD_WORDS.findall(text))
    code = "```" in text or "Traceback (most recent call last)" in text
    if len(text) > 1200 or hard_hits >= 2 or (hard_hits and code):
        return "hard"
    if hard_hits or code or _MEDIUM_WORDS.search(text) or len(text) > 300:
        return "medium"
    return "easy"


class TriageStrategy:
    """Each level of :func:`classify_prompt` maps to a pool of routes, tried in order.

    Args:
        pools: level -> routes; a level without a pool uses the next harder
            level's pool, then the next easier one's.
        classify: the classifier (default :func:`classify_prompt`).
    """

    cascade = False

    def __init__(
        self,
        pools: dict[Level, list[Route]],
        classify: Callable[[ModelRequest], Level] = classify_prompt,
    ) -> None:
        if not any(pools.values()):
            raise ConfigError("routing: triage needs at least one pool of routes")
        self.pools = pools
        self.classify = classify
        self.last_level: Level | None = None

    def plan(self, request: ModelRequest) -> list[Route]:
        level = self.classify(request)
        self.last_level = level
        index = LEVELS.index(level)
        for candidate in (*LEVELS[index:], *reversed(LEVELS[:index])):
            if self.pools.get(candidate):
                primary = list(self.pools[candidate])
                break
        rest = [r for lvl in LEVELS for r in self.pools.get(lvl, []) if r not in primary]
        return primary + list(dict.fromkeys(rest))

    def observe(self, route: Route, first_event_s: float) -> None:
        return


@dataclass(slots=True)
class _Estimate:
    mean_s: float = 0.0
    var_s2: float = 0.0
    samples: int = 0


@dataclass(slots=True)
class LatencyStrategy:
    """Thompson sampling over an EMA of time to first event (seconds) per route.

    Each route's estimate is an EMA of its first-event time (weight
    ``alpha`` for the newest sample) and an EMA of the squared deviation.
    A call draws, per route, ``normal(mean, sd)`` with
    ``sd = max(sqrt(var), explore * mean, min_sd_s)`` and prefers the route
    with the smallest draw; an untried route comes first, so each is measured
    once early. The remaining routes follow in order of their draws
    (failover order).

    Args:
        routes: the routes.
        alpha: EMA weight of the newest sample, 0 < alpha <= 1.
        explore: spread as a fraction of the mean; larger explores more.
        rng: random source (seed it for reproducible choices).
    """

    routes: list[Route]
    alpha: float = 0.3
    explore: float = 0.5
    min_sd_s: float = 0.001
    rng: random.Random = field(default_factory=random.Random)
    estimates: dict[str, _Estimate] = field(default_factory=dict)
    cascade: bool = False

    def _draw(self, route: Route) -> float:
        est = self.estimates.get(route.name)
        if est is None or est.samples == 0:
            return -math.inf  # untried: try it now
        sd = max(math.sqrt(est.var_s2), self.explore * est.mean_s, self.min_sd_s)
        return self.rng.gauss(est.mean_s, sd)

    def plan(self, request: ModelRequest) -> list[Route]:
        draws = [(self._draw(r), i, r) for i, r in enumerate(self.routes)]
        return [r for _, _, r in sorted(draws)]

    def observe(self, route: Route, first_event_s: float) -> None:
        est = self.estimates.setdefault(route.name, _Estimate())
        if est.samples == 0:
            est.mean_s, est.var_s2 = first_event_s, 0.0
        else:
            delta = first_event_s - est.mean_s
            est.mean_s += self.alpha * delta
            est.var_s2 = (1 - self.alpha) * (est.var_s2 + self.alpha * delta * delta)
        est.samples += 1
