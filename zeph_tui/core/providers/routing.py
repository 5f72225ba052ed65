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
import re
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from dataclasses import dataclass

from zeph_tui.core.errors import ConfigError, ProviderError
from zeph_tui.core.providers.base import (
    MessageStop,
    ModelCharge,
    ModelRequest,
    StreamEvent,
    TextPart,
    ToolUsePart,
    Usage,
)
from zeph_tui.core.providers.strategies import Route, Strategy

__all__ = ["RoutingProvider", "check_answer", "is_transient"]

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
