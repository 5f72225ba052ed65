"""Dashboard open: first paint, and how soon a prompt typed at first paint reaches the provider.

Each run is a fresh process (a new interpreter, a new ``ZEPH_HOME``, a small
git workspace) that starts the real dashboard (headless Textual through
``App.run_test``, the runtime and provider the app builds itself, SQLite) with
the openai-compatible provider pointed at the in-process loopback fake
(``tests/fakes/openai_api.py``, which timestamps every request). Times are
wall-clock milliseconds from the moment the parent spawned the process:

- ``paint_ms``: the first screen update (the app's ``_display`` hook, which
  the headless driver calls but does not print);
- ``ready_ms``: the session is open (the app's ``session_opened``);
- ``provider_ms``: the first chat completion request arrives at the fake;
- ``ready_to_provider_ms``: ``provider_ms - ready_ms``; ``lost``: no request
  came within ``--give-up-s`` of the session being ready.

Two ways to type the prompt ``hi`` + Enter (key events sent as the terminal
driver does): ``--enter-at paint`` (the moment of the first paint: before the
session exists) and ``--enter-at ready`` (the moment the session opened).

The baseline is the same bench run against the merge base with main (its
tree exported with ``git archive``), interleaved run by run with this tree, so
machine load hits both alike. Target (issue 18): a prompt typed at first paint
is never lost and reaches the provider within 300 ms of the session being ready.

Usage::

    .venv/bin/python bench/dashboard_open.py [--runs 10] [--base-rev REV]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ui_latency import commit_all  # noqa: E402 (a sibling bench script)


def make_repo(root: Path) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "README.md").write_text("# bench\n")
    (root / "pkg" / "__init__.py").write_text("")
    for i in range(20):
        (root / "pkg" / f"mod{i}.py").write_text(
            f"def f{i}(x: int) -> int:\n    return x + {i}\n\n\nclass C{i}:\n    value = {i}\n"
        )
    return commit_all(root)


def load_fake() -> Any:
    """This tree's fake server module, by path (the baseline tree's may lack timestamps)."""
    path = REPO / "tests" / "fakes" / "openai_api.py"
    spec = importlib.util.spec_from_file_location("bench_fake_openai", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


async def one_run(spawned_wall_s: float, enter_at: str, give_up_s: float) -> dict[str, Any]:
    fake_module = load_fake()
    home = Path(tempfile.mkdtemp(prefix="zeph-bench-open-"))
    workspace = make_repo(home / "repo")
    os.environ["ZEPH_HOME"] = str(home / "zeph")
    with fake_module.FakeOpenAI() as fake:
        os.environ.update(
            ZEPH_PROVIDER="openai",
            OPENAI_BASE_URL=fake.base_url,
            OPENAI_API_KEY="sk-bench-not-real",
            ZEPH_MODEL=fake_module.MODEL,
        )
        from textual import events

        from zeph_tui.ui import create_app

        app = create_app(workspace, mode="bypass")
        marks: dict[str, float] = {}

        def type_prompt() -> None:
            marks["enter"] = time.time()
            for key in ("h", "i", "enter"):
                event = events.Key(key, key if len(key) == 1 else None)
                event.set_sender(app)
                app._driver.send_message(event)  # as the terminal driver does

        original_display = app._display

        def display(screen: Any, renderable: Any) -> None:
            original_display(screen, renderable)
            if renderable is not None and "paint" not in marks:
                marks["paint"] = time.time()
                if enter_at == "paint":
                    type_prompt()

        original_opened = app.session_opened

        def session_opened(session: Any) -> None:
            original_opened(session)
            marks.setdefault("ready", time.time())
            if enter_at == "ready":
                type_prompt()

        app._display = display  # type: ignore[method-assign]
        app.session_opened = session_opened  # type: ignore[method-assign]
        async with app.run_test(size=(120, 36)) as pilot:
            deadline = time.monotonic() + 60
            while "ready" not in marks and time.monotonic() < deadline:
                await pilot.pause(0.005)
            give_up = time.monotonic() + give_up_s
            while not fake.requests and time.monotonic() < give_up:
                await pilot.pause(0.005)
            while fake.requests and app.last_stop_reason is None and time.monotonic() < give_up:
                await pilot.pause(0.01)
            app.exit(0)

    def ms(mark: str) -> float | None:
        return None if mark not in marks else round((marks[mark] - spawned_wall_s) * 1000, 1)

    provider_ms = None
    if fake.requests:
        provider_ms = round((fake.requests[0].wall_s - spawned_wall_s) * 1000, 1)
    ready_ms = ms("ready")
    return {
        "enter_at": enter_at,
        "paint_ms": ms("paint"),
        "enter_ms": ms("enter"),
        "ready_ms": ready_ms,
        "provider_ms": provider_ms,
        "ready_to_provider_ms": None
        if provider_ms is None or ready_ms is None
        else round(provider_ms - ready_ms, 1),
        "lost": provider_ms is None,
        "requests": len(fake.requests),
    }


def export_tree(rev: str) -> Path:
    """``rev``'s files in a temporary directory (``git archive``; the repository is untouched)."""
    out = Path(tempfile.mkdtemp(prefix="zeph-bench-base-"))
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", rev], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    return out


def spawn(src: Path, enter_at: str, give_up_s: float) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "OPENAI_BASE_URL", "ZEPH_PROVIDER"):
        env.pop(name, None)
    spawned = time.time()
    proc = subprocess.run(
        [sys.executable, __file__, "--one", str(spawned), "--enter-at", enter_at,
         "--give-up-s", str(give_up_s)],
        env=env, cwd=src, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    if proc.returncode != 0:
        raise SystemExit(f"run failed ({src}):\n{proc.stderr[-3000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def summary(rows: list[dict[str, Any]], key: str) -> str:
    values = [r[key] for r in rows if r[key] is not None]
    if not values:
        return "      -"
    return f"{statistics.median(values):7.0f} ({min(values):.0f}-{max(values):.0f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--base-rev", help="baseline revision (default: merge base with main)")
    parser.add_argument("--give-up-s", type=float, default=5.0)
    parser.add_argument("--one", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--enter-at", choices=("paint", "ready"), default="paint")
    parser.add_argument("--json", action="store_true", help="print every run as JSON too")
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(asyncio.run(one_run(args.one, args.enter_at, args.give_up_s))))
        return 0
    rev = args.base_rev or subprocess.run(
        ["git", "-C", str(REPO), "merge-base", "HEAD", "main"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    trees = {"this tree": REPO, f"baseline {rev[:9]}": export_tree(rev)}
    rows: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for i in range(args.runs):
        for name, src in trees.items():
            for enter_at in ("paint", "ready"):
                row = spawn(src, enter_at, args.give_up_s)
                rows.setdefault((name, enter_at), []).append(row)
                if args.json:
                    print(json.dumps({"tree": name, "run": i, **row}))
    keys = ("paint_ms", "ready_ms", "provider_ms", "ready_to_provider_ms")
    print(f"median (min-max) over {args.runs} runs each, ms from spawn; 2 cores, machine shared")
    print(f"{'tree':<20} {'Enter at':<8} " + " ".join(f"{k:>17}" for k in keys) + "  lost")
    for (name, enter_at), group in rows.items():
        lost = sum(r["lost"] for r in group)
        cols = " ".join(f"{summary(group, k):>17}" for k in keys)
        print(f"{name:<20} {enter_at:<8} {cols}  {lost}/{len(group)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
