"""Benchmark: what a sub-agent costs to start and to keep, next to a top-level session.

In one process, on the real runtime, the real anthropic provider and the fake
Messages API (tests/fakes/anthropic_api.py on loopback), in the same run:

* ``task_to_first_request_ms``: the parent's ``task`` tool call announced
  (its ``tool_call`` event) -> the child's first model request arriving at the
  API (the child session opened, scoped, its system prompt built, the request
  sent). The parent's turn makes ``--runs`` task calls one after the other.
* baseline ``open_to_first_request_ms``: ``Runtime.open_session`` of a
  top-level session (``warm=False``, as ``zeph-tui run``) -> its first
  prompt's request arriving at the API.
* ``idle_child_kib`` / baseline ``idle_session_kib``: Python heap held per
  idle session after one one-request prompt (``tracemalloc``, ``--idle``
  sessions kept alive; children are kept by their host's run list).

Medians over ``--runs``. The machine may be shared: compare the paired
figures of one run, not figures of different runs.

Usage::

    .venv/bin/python bench/subagents.py [--runs 20] [--idle 30] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.core.agents.helpers import agent_of, write_agent  # noqa: E402
from tests.fakes.anthropic_api import FakeAnthropic  # noqa: E402
from tests.turns import AllowAll, Recorder  # noqa: E402


def _text(value: str) -> dict[str, Any]:
    return {"blocks": [{"type": "text", "text": value}]}


class Script:
    """Parent: ``runs`` task calls one by one, then an answer; child and top-level: an answer."""

    def __init__(self, runs: int) -> None:
        self.runs = runs
        self.arrivals: list[tuple[float, str | None, int]] = []  # (monotonic s, agent, messages)

    def __call__(self, body: dict[str, Any], index: int) -> dict[str, Any]:
        agent = agent_of(body)
        self.arrivals.append((time.monotonic(), agent, len(body["messages"])))
        first = body["messages"][0]["content"]
        first_text = first if isinstance(first, str) else first[0].get("text", "")
        if agent is None and first_text == "delegate":
            step = sum(1 for m in body["messages"] if m["role"] == "assistant")
            if step < self.runs:
                args = {"agent": "bench", "prompt": f"job {step}"}
                return {"blocks": [{"type": "tool_use", "name": "task", "input": args}]}
        return _text("ok")


class TaskTimes(Recorder):
    """Records ``time.monotonic()`` of each announced ``task`` call."""

    def __init__(self) -> None:
        super().__init__()
        self.task_calls: list[float] = []

    async def __call__(self, event: Any) -> None:
        if getattr(event, "name", None) == "task" and type(event).__name__ == "ToolCall":
            self.task_calls.append(time.monotonic())


async def measure(runs: int, idle: int) -> dict[str, Any]:
    from zeph_tui.core.providers.anthropic import AnthropicProvider
    from zeph_tui.core.runtime import Runtime

    root = Path(tempfile.mkdtemp(prefix="bench-subagents-"))
    os.environ["ZEPH_HOME"] = str(root / "home")
    os.environ.setdefault("ANTHROPIC_API_KEY", "bench-not-a-real-key")  # the fake ignores it
    workspace = root / "ws"
    workspace.mkdir()
    (workspace / "README.md").write_text("# bench\n")
    write_agent(workspace, "bench", "Read, Grep")
    script = Script(runs)
    runtime = await Runtime.start()
    async with FakeAnthropic(script) as fake:
        provider = AnthropicProvider(
            model="claude-sonnet-4-6", base_url=fake.base_url, max_retries=0
        )

        async def open_top(sink: Any = None) -> Any:
            return await runtime.open_session(
                workspace=workspace,
                sink=sink or Recorder(),
                approver=AllowAll(),
                mode="bypass",
                provider=provider,
                warm=False,
            )

        # warm both paths once (imports, SDK client, first connection)
        await (await open_top()).prompt(["warm"])

        # sub-agent start: task call -> the child's first request at the API
        times = TaskTimes()
        parent = await open_top(times)
        mark = len(script.arrivals)
        await parent.prompt(["delegate"])
        firsts = [t for t, agent, n in script.arrivals[mark:] if agent == "bench" and n == 1]
        task_ms = [(f - c) * 1000 for c, f in zip(times.task_calls, firsts, strict=True)]

        # baseline: a top-level session open -> its first request at the API
        open_ms = []
        for _ in range(runs):
            mark = len(script.arrivals)
            started = time.monotonic()
            session = await open_top()
            await session.prompt(["hello"])
            open_ms.append((script.arrivals[mark][0] - started) * 1000)

        # idle memory: children kept by their host vs top-level sessions kept by us
        host = parent.tools["task"].runner  # type: ignore[attr-defined]
        host.runs.clear()
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        for i in range(idle):
            await host.run("bench", f"idle {i}", parent.tool_context(f"idle_{i}"))
        gc.collect()
        child_kib = (tracemalloc.get_traced_memory()[0] - base) / idle / 1024
        kept = []
        base = tracemalloc.get_traced_memory()[0]
        for _ in range(idle):
            session = await open_top()
            await session.prompt(["hello"])
            kept.append(session)
        gc.collect()
        top_kib = (tracemalloc.get_traced_memory()[0] - base) / idle / 1024
        tracemalloc.stop()
        await provider.aclose()
    await runtime.aclose()
    shutil.rmtree(root, ignore_errors=True)
    return {
        "runs": runs,
        "idle_sessions": idle,
        "task_to_first_request_ms": statistics.median(task_ms),
        "baseline_open_to_first_request_ms": statistics.median(open_ms),
        "idle_child_kib": child_kib,
        "baseline_idle_session_kib": top_kib,
        "children_started": len(task_ms),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--idle", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(measure(args.runs, args.idle))
    if args.json:
        print(json.dumps(result))
        return
    print(f"sub-agents, median of {result['runs']} (paired, same run):")
    print(f"  task call -> child's first request   {result['task_to_first_request_ms']:8.1f} ms")
    print(
        f"  baseline: open -> first request      "
        f"{result['baseline_open_to_first_request_ms']:8.1f} ms"
    )
    print(f"  idle child session (heap)            {result['idle_child_kib']:8.1f} KiB")
    print(f"  baseline: idle top-level session     {result['baseline_idle_session_kib']:8.1f} KiB")


if __name__ == "__main__":
    main()
