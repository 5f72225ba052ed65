"""A provider that routes each model call over several named providers (``[routing]``).

:class:`RoutingProvider` is a :class:`~zeph_tui.core.providers.base.Provider`
wrapping others, so every face gets routing without knowing of it. Each
*route* is a named provider/model with a price per token. A *strategy* orders
the routes for one call:

* ``cascade``: cheapest first. A non-final route's answer is buffered and
  checked by :func:`check_answer`; it is emitted only when it passes, else the
  next dearer route is asked (the cheap call is still paid for and listed in
  the stop's ``charges``). The last route's answer streams as it arrives and
  is taken as it is.
* ``triage``: :func:`classify_prompt` sorts the prompt into a level (``easy``,
  ``medium``, ``hard``) by cheap rules, no model call; each level maps to a
  pool of routes (``[routing.triage]``), tried in order.
* ``latency``: :class:`LatencyStrategy` keeps an EMA of each route's time to
  first event (seconds) and its spread; each call draws a sample per route
  from a normal distribution around its EMA (Thompson sampling) and takes the
  smallest, so slower routes are still tried now and then.

Failover (all strategies): a call that fails before its first event with HTTP
429, 408, 409 or 5xx, a timeout or a connection error (see
:func:`is_transient`) moves on to the next route of the plan, through
``tenacity`` (one attempt per route, a short exponential wait between them).
Other errors, and any failure after the first event was passed on, end the
call with :class:`~zeph_tui.core.errors.ProviderError`.

Which route answered is :attr:`RoutingProvider.model` (``route:model``) after
each call, and every call behind one response is a
:class:`~zeph_tui.core.providers.base.ModelCharge` in the stop's ``charges``.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import re
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from zeph_tui.core.errors import ConfigError, ProviderError
from zeph_tui.core.providers.base import (
    MessageStop,
    ModelCharge,
    ModelRequest,
    Provider,
    StreamEvent,
    TextPart,
    ToolUsePart,
    Usage,
)
from zeph_tui.core.providers.pricing import Price

__all__ = [
    "LEVELS",
    "CascadeStrategy",
    "LatencyStrategy",
    "Route",
    "RoutingProvider",
    "Strategy",
    "TriageStrategy",
    "check_answer",
    "classify_prompt",
    "is_transient",
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


# ------------------------------------------------------------------ checks

_REFUSAL = re.compile(
    r"\bI(\s+|['’]m\s+)(can(no|['’])t|am unable to|unable to|not able to|won['’]?t|"
    r"will not)\s+(help|assist|comply|provide|do that|do this)",
    re.IGNORECASE,
)
_REFUSAL_HEAD_CHARS = 160
"""A refusal counts only when it opens the answer (within this many characters)."""


def check_answer(request: ModelRequest, stop: MessageStop) -> str | None:
    """The cascade's check of one answer; ``None`` when it passes, else the reason.

    An answer fails when:
      * ``refusal``: the stop reason is ``refusal``, or the text opens with a
        refusal ("I can't help with ...", "Sorry, I cannot assist ...");
      * ``empty``: no text and no tool call (whitespace counts as none);
      * ``malformed tool call``: a tool call names a tool the request did not
        declare, or its arguments are not a JSON object;
      * ``truncated``: the stop reason is ``max_tokens``.
    """
    if stop.stop_reason == "refusal":
        return "refusal"
    text = "".join(p.text for p in stop.parts if isinstance(p, TextPart))
    uses = [p for p in stop.parts if isinstance(p, ToolUsePart)]
    if not text.strip() and not uses:
        return "empty"
    if not uses and _REFUSAL.search(text[:_REFUSAL_HEAD_CHARS]):
        return "refusal"
    declared = {t.name for t in request.tools}
    for use in uses:
        if use.name not in declared:
            return f"malformed tool call: unknown tool {use.name!r}"
        if use.raw_input.strip():
            try:
                value = json.loads(use.raw_input)
            except ValueError:
                return f"malformed tool call: {use.name} arguments are not JSON"
            if not isinstance(value, dict):
                return f"malformed tool call: {use.name} arguments are not an object"
    if stop.stop_reason == "max_tokens":
        return "truncated"
    return None


_STATUS = re.compile(r"\bHTTP (\d{3})\b")
_TRANSIENT_NAMES = ("Timeout", "timed out", "ConnectError", "APIConnectionError", "RemoteProtocol")


def is_transient(exc: BaseException) -> bool:
    """True for failures worth another route: HTTP 408/409/429/5xx, timeouts, lost connections.

    Providers report the status as ``HTTP <code>`` in the ProviderError text
    (anthropic and openai-compatible both do).
    """
    if isinstance(exc, TimeoutError):
        return True
    if not isinstance(exc, ProviderError):
        return False
    text = str(exc)
    match = _STATUS.search(text)
    if match:
        code = int(match.group(1))
        return code in (408, 409, 429) or code >= 500
    return any(name in text for name in _TRANSIENT_NAMES)


# ------------------------------------------------------------------ strategies


class Strategy(Protocol):
    """Orders the routes for one call and learns from how it went."""

    cascade: bool
    """True: check non-final answers and escalate (see :func:`check_answer`)."""

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


# ------------------------------------------------------------------ the provider


class _Rejected(ProviderError):
    """A buffered cascade answer failed :func:`check_answer` (the next route is asked)."""


class RoutingProvider:
    """A Provider that sends each call to one of several routes (see module doc).

    Args:
        routes: at least one route; names must be unique.
        strategy: orders the routes per call.
        first_event_timeout_s: a route that sends nothing for this long fails
            over (seconds).
        failover_wait_s: first wait between failover attempts (doubles, up
            to 4x), seconds.
        clock: monotonic clock, seconds (for the latency strategy).

    Attributes:
        name: ``routing``.
        model: ``route:model`` of the route that answered last (before the
            first call: the first route of the plan for an empty request).
        context_window_tokens: the smallest window among the routes.
        attempts: ``(route name, outcome)`` of the last call, in order; outcome
            is ``ok``, ``failover: <error>`` or ``escalated: <reason>``.
    """

    name = "routing"

    def __init__(
        self,
        routes: Sequence[Route],
        strategy: Strategy,
        *,
        first_event_timeout_s: float = 60.0,
        failover_wait_s: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not routes:
            raise ConfigError("routing: no routes configured ([routing.models.NAME])")
        names = [r.name for r in routes]
        if len(set(names)) != len(names):
            raise ConfigError(f"routing: route names must be unique, got {names}")
        self.routes = list(routes)
        self.strategy = strategy
        self.first_event_timeout_s = first_event_timeout_s
        self.failover_wait_s = failover_wait_s
        self._clock = clock
        self.context_window_tokens = min(r.provider.context_window_tokens for r in routes)
        self.model = self.routes[0].label
        self.attempts: list[tuple[str, str]] = []
        self._last: tuple[Usage, float] | None = None

    async def warm(self) -> None:
        """Warm every route's provider that can be warmed (errors are left to the first call)."""
        from zeph_tui.core.providers.lazy import Warmable

        for route in self.routes:
            if isinstance(route.provider, Warmable):
                try:
                    await route.provider.warm()
                except ProviderError:
                    continue

    async def stream(self, request: ModelRequest) -> AsyncGenerator[StreamEvent, None]:
        """Stream one response from the route the strategy picks, failing over as needed.

        Failover and escalation happen before anything is passed on: a route
        is opened (its first event awaited, or its whole answer when it is a
        non-final cascade route) inside ``tenacity``'s attempts; only then do
        its events flow to the caller.

        Yields:
            The chosen route's events; its MessageStop carries ``charges``
            for every call made (escalated calls included).

        Raises:
            ProviderError: every route failed, or a non-transient failure, or
                a failure after the first event was passed on.
        """
        from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

        plan = self.strategy.plan(request)
        self.attempts = []
        charges: list[ModelCharge] = []
        retrying = AsyncRetrying(
            stop=stop_after_attempt(len(plan)),
            retry=retry_if_exception(lambda e: is_transient(e) or isinstance(e, _Rejected)),
            wait=wait_exponential(multiplier=self.failover_wait_s, max=4 * self.failover_wait_s),
            reraise=True,
        )
        tried = iter(plan)
        opened: _Opened | None = None
        async for attempt in retrying:
            with attempt:
                route = next(tried)
                final = route is plan[-1] or not self.strategy.cascade
                opened = await self._open(route, request, final, charges)
        assert opened is not None  # tenacity either ran an attempt that returned or raised
        try:
            for event in opened.buffered:
                if isinstance(event, MessageStop):
                    yield self._finish(opened.route, event, charges)
                    return
                yield event
            async for event in opened.source:
                if isinstance(event, MessageStop):
                    yield self._finish(opened.route, event, charges)
                    return
                yield event
            raise ProviderError(f"routing: {opened.route.name}: the stream ended without a stop")
        finally:
            await _close(opened.source)

    def _finish(self, route: Route, stop: MessageStop, charges: list[ModelCharge]) -> MessageStop:
        charges.append(ModelCharge(route.label, stop.usage, route.cost_usd(stop.usage)))
        self.attempts.append((route.name, "ok"))
        self.model = route.label
        self._last = (stop.usage, sum(c.cost_usd for c in charges))
        return MessageStop(stop.stop_reason, stop.usage, stop.parts, tuple(charges))

    async def _open(
        self, route: Route, request: ModelRequest, final: bool, charges: list[ModelCharge]
    ) -> _Opened:
        """Start a call on ``route``: await its first event (all of it when not ``final``).

        Raises:
            ProviderError: the route failed or sent nothing within the timeout.
            _Rejected: a non-final answer failed :func:`check_answer`.
        """
        started = self._clock()
        source = aiter(route.provider.stream(request))
        try:
            try:
                async with asyncio.timeout(self.first_event_timeout_s):
                    first = await anext(source)
            except TimeoutError as exc:
                raise ProviderError(f"routing: {route.name}: no answer in time") from exc
            except StopAsyncIteration:
                raise ProviderError(f"routing: {route.name}: empty stream") from None
            self.strategy.observe(route, self._clock() - started)
            buffered: list[StreamEvent] = [first]
            if not final:
                while not isinstance(buffered[-1], MessageStop):
                    buffered.append(await anext(source))
                stop = buffered[-1]
                assert isinstance(stop, MessageStop)
                reason = check_answer(request, stop)
                if reason is not None:
                    charges.append(ModelCharge(route.label, stop.usage, route.cost_usd(stop.usage)))
                    self.attempts.append((route.name, f"escalated: {reason}"))
                    raise _Rejected(reason)
        except _Rejected:
            await _close(source)
            raise
        except (ProviderError, StopAsyncIteration) as exc:
            await _close(source)
            if isinstance(exc, StopAsyncIteration):
                raise ProviderError(
                    f"routing: {route.name}: the stream ended without a stop"
                ) from None
            self.attempts.append((route.name, f"failover: {exc}"))
            raise
        except BaseException:
            await _close(source)
            raise
        return _Opened(route, source, buffered)

    def cost_usd(self, usage: Usage) -> float:
        """Dollar cost of ``usage``.

        For the usage of the last response this is every call behind it (each
        at its route's price, as in its ``charges``); any other usage is priced
        at the route that answered last.
        """
        if self._last is not None and self._last[0] is usage:
            return self._last[1]
        route = next((r for r in self.routes if r.label == self.model), self.routes[0])
        return route.cost_usd(usage)

    async def aclose(self) -> None:
        """Close every route's provider."""
        for route in self.routes:
            await route.provider.aclose()


@dataclass(slots=True)
class _Opened:
    route: Route
    source: AsyncIterator[StreamEvent]
    buffered: list[StreamEvent]


async def _close(source: AsyncIterator[StreamEvent]) -> None:
    aclose = getattr(source, "aclose", None)
    if aclose is not None:
        await aclose()
