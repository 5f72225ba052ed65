"""Lazy, off-loop construction of a provider's heavy part (SDK client, local model).

A provider is built on the session's critical path, so its constructor only
records settings. The heavy part (the ``anthropic`` SDK, even imported lean
by :func:`~zeph_tui.core.providers.anthropic.sdk`, is ~0.4 s and ~30 MB here;
``llama_cpp`` plus a GGUF model more) is built by :class:`LazyResource`
in a worker thread: once, by the warm-up the runtime starts after the session
answered, or by the first model call, whichever comes first; a second caller
awaits the build already running instead of starting another. A failed
build raises :class:`~zeph_tui.core.errors.ProviderError` to every caller
that awaits it and is retried by the next one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar, runtime_checkable

from zeph_tui.core.errors import ProviderError

__all__ = ["LazyResource", "Warmable"]

T = TypeVar("T")

_BUILD_ERRORS = (ImportError, OSError, ValueError, RuntimeError, TypeError, AttributeError)


@runtime_checkable
class Warmable(Protocol):
    """A provider whose heavy part can be prepared ahead of the first model call."""

    async def warm(self) -> None:
        """Import the SDK / load the model now (idempotent).

        Raises:
            ProviderError: the SDK cannot be imported or the model cannot load.
        """
        ...


class LazyResource(Generic[T]):
    """One value built in a worker thread on first :meth:`get`, shared by all callers.

    Args:
        build: runs in a thread, returns the value; may raise ImportError,
            OSError, ValueError, RuntimeError (mapped to ProviderError).
        what: prefix of error messages, e.g. ``"anthropic: cannot load the SDK"``.
    """

    def __init__(self, build: Callable[[], T], *, what: str) -> None:
        self._build = build
        self._what = what
        self._value: T | None = None
        self._task: asyncio.Task[T] | None = None
        self._closed = False

    @property
    def ready(self) -> bool:
        """True once the value is built."""
        return self._value is not None

    def peek(self) -> T | None:
        """The value when built, else ``None`` (never builds)."""
        return self._value

    async def get(self) -> T:
        """The value, building it (or awaiting the build in flight) first.

        Raises:
            ProviderError: the build failed (the next call tries again) or the
                resource was closed.
        """
        if self._value is not None:
            return self._value
        if self._closed:
            raise ProviderError(f"{self._what}: the provider is closed")
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(asyncio.to_thread(self._build))
        task = self._task
        try:
            value = await asyncio.shield(task)  # a cancelled caller leaves the build to others
        except _BUILD_ERRORS as exc:
            raise ProviderError(f"{self._what}: {type(exc).__name__}: {exc}") from exc
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise  # we were cancelled, not the build
            raise ProviderError(f"{self._what}: the provider was closed") from None
        if self._closed:
            raise ProviderError(f"{self._what}: the provider is closed")
        self._value = value
        return value

    async def aclose(self) -> T | None:
        """Stop waiting for a build in flight; return the value to close, if one was built.

        The worker thread of a cancelled build finishes on its own and its
        result is dropped.
        """
        self._closed = True
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        value, self._value = self._value, None
        return value
