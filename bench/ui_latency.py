"""Dashboard responsiveness and memory while a command prints a lot.

A session of 1,000 stored messages is resumed in the real dashboard (headless
Textual, the real session, the real anthropic provider against the fake
Messages API, SQLite). The fake API runs in its own process
(``tests/fakes/anthropic_api.py`` on loopback,
``tests/ui/fake_api_process.py``) as the real API would: its
server (uvicorn, starlette) and its requests' parsing are not the
dashboard's memory or event loop. The model then runs a bash command that
prints ``--size-mb`` MB of 100-byte lines. From the Enter that sends the
prompt (so the first tool pane's mount beside the long resumed chat is
inside the window) until the turn ends, keys are typed into the prompt one at
a time and each key-press-to-render latency is timed: from handing the key
event to the app (as the terminal driver does) until the first screen update
composed after the prompt holds the character (the app's ``_display`` hook,
which the headless driver calls but does not print). RSS is sampled
throughout. The same 10 MB run on an empty session is the memory baseline.

Usage::

    .venv/bin/python bench/ui_latency.py    # empty 10 MB, 1,000 msgs 10 MB and 100 MB, own processes
    .venv/bin/python bench/ui_latency.py --size-mb 10 --json   # one run

Targets: key-to-render p95 <= 50 ms and max <= 100 ms, the first tool pane's
mount included (``mount_max_ms``: keys pressed before the pane existed and the
three after); peak RSS with 1,000 messages <= 150 MB, reported next to the
empty session's; peak RSS of the 100 MB run within a few MB of the 10 MB run
(output is kept to the last 2,000 lines per pane; the rest is in the archive).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def make_repo(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "README.md").write_text("# bench\n")
    return commit_all(root)


def commit_all(root: Path) -> Path:
    """``git init`` ``root`` and commit everything in it (a fixed bench identity)."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@e",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@e",
    }
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "init"]):
        subprocess.run(cmd, cwd=root, check=True, env=env)
    return root


async def seed_session(runtime: Any, workspace: Path, n_messages: int) -> str:
    from zeph_tui.core.providers.base import Message, TextPart

    sid = "sess_bench000000000000"
    await runtime.store.sessions.create(
        sid,
        str(workspace.resolve()),  # noqa: ASYNC240 (set-up, not measured)
        mode="bypass",
        provider="anthropic",
        model="claude-sonnet-4-6",
    )
    for i in range(n_messages):
        role = "user" if i % 2 == 0 else "assistant"
        text = (
            f"question {i}: how does module {i} work?"
            if role == "user"
            else f"Answer {i}: it **parses** the input, then `validates` it.\n\n- step one\n- step two"
        )
        await runtime.store.sessions.append_message(sid, Message(role, [TextPart(text)]))
    await runtime.store.sessions.update(sid, title="bench session")
    return sid


class KeyTimer:
    """Key-press-to-render latency: from handing a key to the app to the first
    screen update composed while the prompt shows it.

    Each screen update is recorded with the prompt's text at that moment, so
    an update that lands between two polls of the prompt still counts (timing
    "the first update after we saw the text" instead would wait for the next
    cursor blink, ~1 s, whenever the update came first).
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.displays: list[tuple[float, str]] = []
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is not None:
                self.displays.append((time.perf_counter(), app.prompt_input.text))

        app._display = display

    async def press(self, ch: str) -> float:
        from textual import events

        prompt = self.app.prompt_input
        expected = prompt.text + ch
        seen = len(self.displays)
        t0 = time.perf_counter()
        key = events.Key(ch, ch)
        key.set_sender(self.app)
        self.app._driver.send_message(key)
        while True:
            for shown_at, text in self.displays[seen:]:
                if text == expected:
                    return (shown_at - t0) * 1000
            seen = len(self.displays)
            await asyncio.sleep(0.0005)


async def run(size_mb: int, n_messages: int, keys: int) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix="zeph-bench-"))
    os.environ["ZEPH_HOME"] = str(home)
    os.environ["ANTHROPIC_API_KEY"] = "sk-ant-bench-not-real"
    from textual import events

    from tests.ui.fake_api_process import fake_api_process
    from zeph_tui.core.providers.anthropic import AnthropicProvider
    from zeph_tui.core.runtime import Runtime
    from zeph_tui.ui import create_app

    workspace = make_repo(home / "repo")
    runtime = await Runtime.start(home=home)
    sid = await seed_session(runtime, workspace, n_messages)
    lines = size_mb * 1_000_000 // 100
    command = (
        f'python3 -c "import sys\nw=sys.stdout.write\nfor i in range({lines}): '
        f"w('%09d ' % i + 'x' * 89 + chr(10))\""
    )
    script = [
        {
            "blocks": [
                {"type": "text", "text": "Running it."},
                {"type": "tool_use", "name": "bash", "input": {"command": command}},
            ]
        },
        {"blocks": [{"type": "text", "text": "Done."}]},
    ]
    latencies_ms: list[float] = []
    rss_samples: list[float] = []
    result: dict[str, Any] = {}
    with fake_api_process(script, home) as base_url:
        provider = AnthropicProvider(model="claude-sonnet-4-6", base_url=base_url, max_retries=0)
        app = create_app(workspace, runtime=runtime, provider=provider, mode="bypass", resume=sid)
        async with app.run_test(size=(160, 48)) as pilot:
            while app.session is None or app.session.id != sid:
                await pilot.pause(0.01)
            await app.workers.wait_for_complete()
            await pilot.pause(0.5)  # the resumed history is laid out
            rss_start = rss_mb()
            prompt = app.prompt_input
            timer = KeyTimer(app)
            idle_ms = []
            for i in range(30):  # baseline: the same keys with nothing streaming
                idle_ms.append(await timer.press("klmnopqrst"[i % 10]))
                await asyncio.sleep(0.02)
            prompt.load_text("run the big command")
            # Enter as the driver hands it over: ``pilot.press`` would wait for the app
            # to go idle, and a 10 MB turn ends inside that wait, the pane mount untimed
            app.last_stop_reason = None
            enter = events.Key("enter", "\r")
            enter.set_sender(app)
            app._driver.send_message(enter)
            while prompt.text:  # noqa: ASYNC110 (polled like the keys; submitted once empty)
                await asyncio.sleep(0.0005)
            started = time.perf_counter()
            mount_ms: list[float] = []  # keys pressed before the first pane existed, 3 after
            after_mount = 0
            while app.last_stop_reason is None and len(latencies_ms) < keys:
                had_pane = bool(app.tool_panes.panes)
                latency = await timer.press("abcdefghij"[len(latencies_ms) % 10])
                latencies_ms.append(latency)
                if not had_pane or after_mount < 3:
                    mount_ms.append(latency)
                    after_mount += had_pane
                rss_samples.append(rss_mb())
                await asyncio.sleep(0.02)  # a fast typist: 50 keys per second at most
            while app.last_stop_reason is None:
                await pilot.pause(0.05)
                rss_samples.append(rss_mb())
            elapsed_s = time.perf_counter() - started
            pane = next(iter(app.tool_panes.panes.values()))
            result = {
                "size_mb": size_mb,
                "messages_in_session": n_messages,
                "chat_widgets": len(app.chat.children),
                "stop_reason": app.last_stop_reason,
                "turn_s": round(elapsed_s, 2),
                "output_lines": pane.total_lines,
                "output_mb": round(pane.total_bytes / 1e6, 1),
                "pane_lines_kept": len(pane.shown_text.splitlines()),
                "idle_latency_p50_ms": round(statistics.median(idle_ms), 1),
                "idle_latency_p95_ms": round(sorted(idle_ms)[int(0.95 * (len(idle_ms) - 1))], 1),
                "keys_timed": len(latencies_ms),
                "latency_p50_ms": round(statistics.median(latencies_ms), 1)
                if latencies_ms
                else None,
                "latency_p95_ms": round(
                    sorted(latencies_ms)[int(0.95 * (len(latencies_ms) - 1))], 1
                )
                if latencies_ms
                else None,
                "latency_max_ms": round(max(latencies_ms), 1) if latencies_ms else None,
                "mount_keys": len(mount_ms),
                "mount_max_ms": round(max(mount_ms), 1) if mount_ms else None,
                "rss_start_mb": round(rss_start, 1),
                "rss_peak_mb": round(max(rss_samples or [rss_start]), 1),
                "rss_end_mb": round(rss_mb(), 1),
            }
        await provider.aclose()
    await runtime.aclose()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, help="one run of this size (default: 10 and 100)")
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--keys", type=int, default=300, help="keys timed at most per run")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if args.size_mb is not None:
        result = asyncio.run(run(args.size_mb, args.messages, args.keys))
        print(json.dumps(result) if args.json else json.dumps(result, indent=2))
        return 0
    results = []
    for size, messages in ((10, 0), (10, args.messages), (100, args.messages)):
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--size-mb",
                str(size),
                "--messages",
                str(messages),
                "--keys",
                str(args.keys),
                "--json",
            ],
            check=True,
            capture_output=True,
            text=True,
            cwd=REPO,
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    cols = [
        "messages_in_session",
        "size_mb",
        "turn_s",
        "output_lines",
        "pane_lines_kept",
        "chat_widgets",
        "idle_latency_p50_ms",
        "idle_latency_p95_ms",
        "keys_timed",
        "latency_p50_ms",
        "latency_p95_ms",
        "latency_max_ms",
        "mount_max_ms",
        "rss_start_mb",
        "rss_peak_mb",
        "rss_end_mb",
        "stop_reason",
    ]
    print("  ".join(cols))
    for r in results:
        print("  ".join(str(r[c]).rjust(len(c)) for c in cols))
    empty, small, big = results
    return _verdict(empty, small, big)


def _peak(run: dict[str, Any]) -> float:
    # a run too short to sample during the turn still has its end-of-turn RSS
    return float(max(run["rss_peak_mb"], run["rss_end_mb"]))


def _verdict(empty: dict[str, Any], small: dict[str, Any], big: dict[str, Any]) -> int:
    """Print the targets met or missed; 0 when all are met."""
    growth = _peak(big) - _peak(small)
    min_keys = 20  # a p95 of fewer samples is one spike
    timed = [r for r in (small, big) if r["keys_timed"] >= min_keys]
    for r in (small, big):
        if r["keys_timed"] < min_keys:
            print(
                f"{r['size_mb']} MB: turn too short for a p95 ({r['keys_timed']} key(s) timed); "
                "judged on the longer run"
            )
    p95_ok = bool(timed) and all(r["latency_p95_ms"] <= 50 for r in timed)
    max_ok = all(
        r["latency_max_ms"] is not None and r["latency_max_ms"] <= 100 for r in (small, big)
    )
    rss_ok = _peak(small) <= 150 and _peak(big) <= 150
    print(
        f"\np95 <= 50 ms: {'yes' if p95_ok else 'NO'}; max <= 100 ms (first pane mount "
        f"included, beside {small['messages_in_session']} messages): {'yes' if max_ok else 'NO'} "
        f"(mount window max {small['mount_max_ms']} / {big['mount_max_ms']} ms)"
    )
    print(
        f"peak RSS: {_peak(small):.1f} MB with {small['messages_in_session']} messages vs "
        f"{_peak(empty):.1f} MB with an empty session ({_peak(small) - _peak(empty):+.1f} MB); "
        f"<= 150 MB: {'yes' if rss_ok else 'NO'}"
    )
    print(f"peak RSS 100 MB vs 10 MB: {growth:+.1f} MB ({'bounded' if growth < 40 else 'GROWS'})")
    return 0 if p95_ok and max_ok and rss_ok and growth < 40 else 1


if __name__ == "__main__":
    sys.exit(main())
