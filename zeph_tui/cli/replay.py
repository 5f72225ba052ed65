"""``zeph-tui replay PATH``: re-run a recorded session headless, say if it matched.

The prompts are the user turns of the tape (each call whose request ends in a
user message of text, not tool results); they are sent in order to
one session in ``--workspace`` with the recorded permission mode, model calls are answered
by the tape (:mod:`zeph_tui.core.replay`) and tools run for real. The last
stdout line is the verdict: ``replay: matched (N model calls)`` or
``replay: diverged at model call K, field F: recorded X, now Y`` (with
``--json``, events as ``run --json`` prints them, then ``{"replay": ...}``).

Exit codes: 0 matched, 1 diverged, 2 a user mistake (no such tape, not a
tape, no prompt in it, bad workspace), 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from zeph_tui.cli.run import _Printer, open_headless, run_in_workspace

__all__ = ["run", "tape_prompts"]


def tape_prompts(calls: list[dict[str, Any]], workspace: Path) -> list[str]:
    """The user prompts of a tape's calls, in order, with ``$WORKSPACE`` filled in."""
    from zeph_tui.core.replay.tape import WORKSPACE_MARK

    prompts = []
    for call in calls:
        last = (call["request"].get("messages") or [{}])[-1]
        parts = last.get("parts") or []
        if last.get("role") != "user" or any(p.get("type") == "tool_result" for p in parts):
            continue
        text = "".join(p.get("text", "") for p in parts if p.get("type") == "text")
        prompts.append(text.replace(WORKSPACE_MARK, str(workspace)))
    return prompts


def _verdict(args: argparse.Namespace, matched: bool, text: str) -> int:
    if args.json:
        print(json.dumps({"replay": "matched" if matched else "diverged", "detail": text}))
    else:
        print(f"\nreplay: {text}")
    return 0 if matched else 1


async def _replay(args: argparse.Namespace) -> int:
    from zeph_tui.core import Runtime, ZephError
    from zeph_tui.core.errors import ProviderError
    from zeph_tui.core.replay import ReplayDivergence, TapeDeck

    try:
        deck = TapeDeck.open(replay=Path(args.tape))
        assert deck.player is not None
        prompts = tape_prompts(deck.player.tape.calls, args.workspace)
        if not prompts:
            raise ZephError(f"tape {args.tape} holds no user prompt to replay")
        runtime = await Runtime.start()
    except ZephError as exc:
        print(f"zeph-tui: {exc}", file=sys.stderr)
        return 2
    runtime.tapes = deck
    player = deck.player
    try:
        session = await open_headless(  # as `run` does: the system prompt is built the same way
            runtime,
            args.workspace,
            _Printer(args.json),
            str(player.tape.header.get("mode", "ask")),
            json_lines=args.json,
        )
        for prompt in prompts:
            try:
                await session.prompt([prompt])
            except ReplayDivergence as exc:
                return _verdict(args, False, exc.verdict)
            except ProviderError as exc:  # recorded failures replay as they happened
                print(f"\nzeph-tui: {exc}", file=sys.stderr)
            except ZephError as exc:  # a malformed tape
                print(f"\nzeph-tui: {exc}", file=sys.stderr)
                return 2
        if not player.finished:
            calls = len(player.tape.calls)
            text = f"diverged: the session ended after {player.position} of {calls} model calls"
            return _verdict(args, False, text)
        return _verdict(args, True, f"matched ({player.position} model calls)")
    finally:
        await runtime.aclose()


def run(args: argparse.Namespace) -> int:
    """Run ``zeph-tui replay``; returns the exit code (see module doc)."""
    return run_in_workspace(args, _replay)
