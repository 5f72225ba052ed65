"""``zeph-tui run``: one prompt, headless, until the turn ends.

Text mode streams the reply to stdout and tool activity to stderr. With
``--json`` each event is one JSON object per line, shaped like an ACP
``session/update`` ``update`` payload, and the last line is
``{"stopReason": "..."}``. Exit code 0 on ``end_turn``, 1 on other stop
reasons, 2 on a user's mistake before the turn (one line on stderr), 130
when interrupted. A turn that fails on the way (a full disk, a provider
that gave up) ends with ``refusal``, one line on stderr saying why, exit 1.

Without ``--yes`` nothing that needs approval runs: the call is denied and
the reason printed on stderr. Nobody can answer a question here: the model's
``ask_user`` gets a tool result saying so (:class:`NoPersonAsker`), and nothing
extra is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zeph_tui.core import (
    Elicitation,
    ElicitationAnswer,
    PermissionOutcome,
    PermissionRequest,
    ToolError,
)
from zeph_tui.core.events import (
    AgentMessageChunk,
    Event,
    ToolCall,
    ToolCallUpdate,
)

if TYPE_CHECKING:
    from zeph_tui.core import Runtime, Session
    from zeph_tui.core.ports import EventSink
    from zeph_tui.core.replay import TapeDeck

__all__ = [
    "CANNOT_ASK",
    "DenyingApprover",
    "NoPersonAsker",
    "open_headless",
    "open_tapes",
    "run",
    "run_in_workspace",
]

CANNOT_ASK = "cannot ask the person in `zeph-tui run` (non-interactive): decide yourself or say what you need"
"""What the model reads when it calls ``ask_user`` in ``zeph-tui run``."""


class DenyingApprover:
    """Headless approver: refuses, and says so on stderr."""

    async def request_permission(self, request: PermissionRequest) -> PermissionOutcome:
        print(
            f"zeph-tui: denied {request.tool_call.title}: {request.reason} "
            "(rerun with --yes to approve tool calls)",
            file=sys.stderr,
        )
        return "reject_once"


class NoPersonAsker:
    """Headless asker: nobody reads a question, so ``ask_user`` says so to the model."""

    async def elicit(self, request: Elicitation) -> ElicitationAnswer:
        raise ToolError(CANNOT_ASK)


class _Printer:
    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self._open_line = False

    async def __call__(self, event: Event) -> None:
        if self.as_json:
            sys.stdout.write(json.dumps(event.to_acp(), ensure_ascii=False) + "\n")
            sys.stdout.flush()
            return
        if isinstance(event, AgentMessageChunk):
            sys.stdout.write(event.text)
            sys.stdout.flush()
            self._open_line = not event.text.endswith("\n")
        elif isinstance(event, ToolCall):
            if self._open_line:  # the message before the call ends here, not in the next one
                sys.stdout.write("\n")
                sys.stdout.flush()
                self._open_line = False
            print(f"\n→ {event.title}", file=sys.stderr)
        elif isinstance(event, ToolCallUpdate) and event.status in ("completed", "failed"):
            mark = "✓" if event.status == "completed" else "✗"
            print(f"  {mark} {event.status}", file=sys.stderr)


def open_tapes(args: argparse.Namespace) -> TapeDeck | None:
    """The --record / --replay deck of a command (None without either); raises TapeError."""
    record, replay = getattr(args, "record", None), getattr(args, "replay", None)
    if record is None and replay is None:
        return None
    from zeph_tui.core.replay import open_tapes as open_deck

    return open_deck(record, replay)


async def open_headless(
    runtime: Runtime, workspace: Path, sink: EventSink, mode: str | None, *, json_lines: bool
) -> Session:
    """Open the session of a headless command (``run``, ``plan``, ``replay``), one way for all.

    Permission requests are refused (:class:`DenyingApprover`), questions to the
    person answered "cannot ask" (:class:`NoPersonAsker`), and nothing is warmed
    ahead (``warm=False``: one prompt pays only for what it uses, and the system
    prompt is built the same way on every run, which replay relies on). An
    unconfined shell is announced once: one stderr line, and with ``json_lines``
    also its ACP notice as a JSON line on stdout.

    Args:
        mode: the permission mode (None: the configured default).

    Raises:
        ZephError: the session could not be opened (e.g. StoreError, ConfigError).
    """
    notice = await asyncio.to_thread(runtime.sandbox_notice)
    if notice is not None:
        print(f"zeph-tui: {notice.line}", file=sys.stderr)
        if json_lines:
            print(json.dumps(notice.to_acp(), ensure_ascii=False), flush=True)
    return await runtime.open_session(
        workspace=workspace,
        sink=sink,
        approver=DenyingApprover(),
        asker=NoPersonAsker(),
        mode=mode,
        warm=False,
    )


async def _run(args: argparse.Namespace) -> int:
    from zeph_tui.core import Runtime

    prompt = sys.stdin.read() if args.prompt == "-" else args.prompt
    if not prompt.strip():  # the API rejects an empty message: say so before starting anything
        print(
            "zeph-tui: run: the prompt is empty (give the text, or '-' to read stdin)",
            file=sys.stderr,
        )
        return 2
    workspace: Path = args.workspace
    printer = _Printer(args.json)
    tapes = open_tapes(args)
    runtime = await Runtime.start(provider=args.provider, model=args.model)
    runtime.tapes = tapes or runtime.tapes
    try:
        session = await open_headless(
            runtime, workspace, printer, "bypass" if args.yes else None, json_lines=args.json
        )
        try:
            stop, failure = await _prompt(session, prompt)
        finally:
            await session.provider.aclose()
        if printer._open_line:
            print()
        if failure is not None:
            print(f"zeph-tui: {failure}", file=sys.stderr)
        if args.json:
            print(json.dumps({"stopReason": stop}), flush=True)
        if failure is not None:
            return 1
        return 0 if stop == "end_turn" else 1
    finally:
        await runtime.aclose()
        # collect subprocess transports a failed tool left behind while the loop is
        # alive; at exit they would print "Event loop is closed" tracebacks
        gc.collect()


async def _prompt(session: Session, prompt: str) -> tuple[str, str | None]:
    """Run the turn: ``(stop reason, None)``, or ``("refusal", one-line message)``.

    A failure inside the turn (a full disk, a provider that gave up) ends it
    with ``refusal`` (ACP: the turn is not continued), every tool call left
    open marked failed (:func:`~zeph_tui.core.failed_turn.end_failed_turn`).
    """
    from zeph_tui.core.failed_turn import end_failed_turn

    try:
        return await session.prompt([prompt]), None
    except Exception as exc:
        message = await end_failed_turn(session, exc)
        if message is None:
            raise
        return "refusal", message


class _OneLine(logging.Formatter):
    """Log records as ``zeph-tui: warning: ...`` on one line, never a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        return f"zeph-tui: {record.levelname.lower()}: {' '.join(record.getMessage().split())}"


def _log_to_stderr() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine())
    handler.setLevel(logging.WARNING)
    logging.basicConfig(level=logging.WARNING, handlers=[handler])


def run(args: argparse.Namespace) -> int:
    """Run ``zeph-tui run``; returns the exit code (see module doc)."""
    _log_to_stderr()
    return run_in_workspace(args, _run)


def run_in_workspace(
    args: argparse.Namespace, main: Callable[[argparse.Namespace], Coroutine[Any, Any, int]]
) -> int:
    """Check ``args.workspace`` (exit 2), then run ``main(args)`` (130 when interrupted)."""
    args.workspace = Path(args.workspace).resolve()
    if not args.workspace.is_dir():
        print(f"zeph-tui: workspace {args.workspace} is not a directory", file=sys.stderr)
        return 2
    try:
        return asyncio.run(main(args))
    except KeyboardInterrupt:
        return 130
