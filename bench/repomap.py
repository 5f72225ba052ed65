"""Time the repo map on a real project: a copy of the installed ``textual`` package.

Run: ``.venv/bin/python bench/repomap.py [--budget TOKENS] [--task TEXT]``.

Prints the file count, the cold build time (fresh process state: grammars,
bm25s and numpy imported during the build, empty outline cache), the warm
time (outline cache filled), and the token estimate against the budget.
Target: cold <= 2 s on the project's 2-core machine. Wall time depends on
the machine's load, so CPU time and the load average are printed too. Always
exits 0; a miss is printed as ``MISS``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

COLD_TARGET_S = 2.0


def _copy_textual(into: Path) -> Path:
    spec = importlib.util.find_spec("textual")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("textual is not installed")
    target = into / "textual"
    source = Path(next(iter(spec.submodule_search_locations)))
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def _load() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "n/a"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=2048, help="budget in tokens")
    parser.add_argument("--task", default="scrollbar thumb is drawn wrong while dragging")
    parser.add_argument("--warm-runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = _copy_textual(Path(tmp))
        started, started_cpu = time.perf_counter(), time.process_time()
        from zeph_tui.core.code.repomap import build_repo_map

        cold = build_repo_map(root, task=args.task, budget_tokens=args.budget)
        cold_s = time.perf_counter() - started
        cold_cpu_s = time.process_time() - started_cpu

        warm_s: list[float] = []
        for _ in range(args.warm_runs):
            started = time.perf_counter()
            warm = build_repo_map(root, task=args.task, budget_tokens=args.budget)
            warm_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        no_task = build_repo_map(root, budget_tokens=args.budget)
        no_task_s = time.perf_counter() - started

    lines_of_text = cold.text.count("\n")
    verdict = "ok" if cold_s <= COLD_TARGET_S else "MISS"
    print("repo map bench: copy of the installed textual package")
    print(f"  files mapped        {len(cold.files)}")
    print(f"  cold build          {cold_s:.3f} s  (target <= {COLD_TARGET_S:.1f} s: {verdict})")
    print(f"  cold CPU time       {cold_cpu_s:.3f} s  (all threads; load average {_load()})")
    print(f"  warm build          {statistics.median(warm_s):.3f} s  (median of {len(warm_s)})")
    print(f"  warm, no task       {no_task_s:.3f} s")
    print(f"  tokens / budget     {cold.tokens} / {cold.budget_tokens}  ({lines_of_text} lines)")
    print(f"  symbols shown       {len(cold.symbols)}")
    print(f"  top files (task)    {', '.join(f.path.as_posix() for f in cold.files[:3])}")
    print(f"  top files (no task) {', '.join(f.path.as_posix() for f in no_task.files[:3])}")
    assert warm.text == cold.text, "warm and cold maps differ"
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
