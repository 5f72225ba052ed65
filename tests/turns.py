"""Helpers for tests that drive a real session with the scripted fake Messages API."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tests.fakes.anthropic_api import FakeAnthropic
from zeph_tui.core.events import Event
from zeph_tui.core.ports import Approver, PermissionOutcome, PermissionRequest, WorkspaceFS
from zeph_tui.core.providers.anthropic import AnthropicProvider
from zeph_tui.core.session.session import Session


class Recorder:
    """An EventSink that keeps every event."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    async def __call__(self, event: Event) -> None:
        self.events.append(event)

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]


class AllowAll:
    """An Approver that allows once and remembers what it was asked."""

    def __init__(self) -> None:
        self.requests: list[PermissionRequest] = []

    async def request_permission(self, request: PermissionRequest) -> PermissionOutcome:
        self.requests.append(request)
        return "allow_once"


def calls(*uses: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    """A fake-API script step: one ``tool_use`` block per ``(name, input)``, in order."""
    return {"blocks": [{"type": "tool_use", "name": n, "input": a} for n, a in uses]}


def use(name: str, **args: Any) -> dict[str, Any]:
    """A fake-API script step with one ``tool_use`` block."""
    return calls((name, args))


def _text(content: str | list[dict[str, Any]]) -> str:
    return content if isinstance(content, str) else "".join(c.get("text", "") for c in content)


def tool_results(body: dict[str, Any], *, every_message: bool = False) -> list[dict[str, Any]]:
    """The tool results of a recorded Messages API request, in order: ``[{text, is_error}]``.

    Only the last message's (which must be the user's) unless ``every_message``.
    """
    messages = body["messages"] if every_message else body["messages"][-1:]
    assert every_message or messages[0]["role"] == "user", messages[0]
    return [
        {"text": _text(block["content"]), "is_error": block.get("is_error", False)}
        for message in messages
        if isinstance(message["content"], list)
        for block in message["content"]
        if block.get("type") == "tool_result"
    ]


def result_texts(body: dict[str, Any], *, every_message: bool = False) -> list[str]:
    """The texts of :func:`tool_results`, in order."""
    return [r["text"] for r in tool_results(body, every_message=every_message)]


def only_result(body: dict[str, Any]) -> dict[str, Any]:
    """The one ``{text, is_error}`` of the last message (fails unless there is exactly one)."""
    results = tool_results(body)
    assert len(results) == 1, results
    return results[0]


@asynccontextmanager
async def scripted_session(
    runtime: Any,
    workspace: Path,
    script: Sequence[dict[str, Any]] | Callable[[dict[str, Any], int], dict[str, Any]],
    *,
    sink: Recorder | None = None,
    approver: Approver | None = None,
    mode: str = "bypass",
    provider_kwargs: Mapping[str, Any] | None = None,
    fs: WorkspaceFS | None = None,
    warm: bool = True,
) -> AsyncIterator[tuple[Session, FakeAnthropic]]:
    """A session on the real anthropic provider, talking to a fake serving ``script``.

    ``provider_kwargs`` go to :class:`AnthropicProvider` as well (e.g.
    ``context_window_tokens``); ``fs`` is the face's file access (default: the disk);
    ``warm=False`` opens without background warm-ups (a system prompt that does not
    depend on how far they got, as ``zeph-tui run`` opens).
    """
    async with FakeAnthropic(script) as fake:
        provider = AnthropicProvider(
            model="claude-sonnet-4-6",
            base_url=fake.base_url,
            max_retries=0,
            **dict(provider_kwargs or {}),
        )
        try:
            session = await runtime.open_session(
                workspace=workspace,
                sink=sink or Recorder(),
                approver=approver or AllowAll(),
                mode=mode,
                provider=provider,
                fs=fs,
                warm=warm,
            )
            yield session, fake
        finally:
            await provider.aclose()


ZEPH = str(Path(sys.executable).with_name("zeph-tui"))
"""The installed ``zeph-tui`` console script of this interpreter's environment."""


async def run_zeph(
    args: Sequence[str], cwd: Path, env: Mapping[str, str], timeout_s: float = 60
) -> tuple[int, str, str]:
    """Run ``zeph-tui ARGS`` as a real process; return (exit code, stdout, stderr)."""
    proc = await asyncio.create_subprocess_exec(
        ZEPH,
        *args,
        cwd=cwd,
        env=dict(env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout_s)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()
