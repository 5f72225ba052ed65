"""Benchmark: ``zeph-tui acp`` start-up against a stdlib-only minimal ACP agent.

Measures, per agent, over ``--runs`` spawns: wall time from spawn to the
``initialize`` response (ms), and the idle resident set size after it (MB,
``VmRSS`` from /proc). Reports medians and the zeph/minimal ratios (targets:
time ratio <= 2.0, RSS <= 40 MB). ``claude-code-acp`` (npm
``@zed-industries/claude-code-acp``) is measured too when installed globally;
it is never installed by this script.

Usage::

    .venv/bin/python bench/acp_startup.py [--runs 10] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": 1,
        "clientCapabilities": {},
        "clientInfo": {"name": "bench", "version": "1"},
    },
}

MINIMAL_AGENT = r"""
import json, sys
for line in sys.stdin:
    msg = json.loads(line)
    if msg.get("method") == "initialize":
        result = {"protocolVersion": 1, "agentCapabilities": {}, "authMethods": []}
        sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": msg["id"], "result": result}) + "\n")
        sys.stdout.flush()
"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def tree_rss_mb(pid: int) -> float:
    """RSS of ``pid`` plus its descendants (node launchers fork)."""
    total = rss_mb(pid)
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        for child in children.read_text().split():
            total += tree_rss_mb(int(child))
    return total


def measure(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Spawn ``cmd``, send initialize, return (ms to the response, idle RSS in MB)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    try:
        proc.stdin.write((json.dumps(INIT) + "\n").encode())
        proc.stdin.flush()
        line = proc.stdout.readline()
        elapsed_ms = (time.perf_counter() - started) * 1000
        reply = json.loads(line)
        if reply.get("id") != 1 or "result" not in reply:
            raise RuntimeError(f"bad initialize reply from {cmd}: {line[:200]!r}")
        time.sleep(0.3)  # idle: let lazy start-up work (if any) settle before reading RSS
        return elapsed_ms, tree_rss_mb(proc.pid)
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()


def run(runs: int) -> dict[str, dict[str, float]]:
    home = tempfile.mkdtemp(prefix="zeph-bench-")
    env = dict(os.environ, ZEPH_HOME=home)
    zeph = REPO / ".venv" / "bin" / "zeph-tui"
    agents: dict[str, list[str]] = {
        "minimal_stdlib": [sys.executable, "-c", MINIMAL_AGENT],
        "zeph_tui_acp": [str(zeph), "acp"]
        if zeph.exists()
        else [sys.executable, "-m", "zeph_tui", "acp"],
    }
    claude = shutil.which("claude-code-acp")
    if claude:
        agents["claude_code_acp"] = [claude]
    results: dict[str, dict[str, float]] = {}
    for name, cmd in agents.items():
        measure(cmd, env)  # warm the file cache
        samples = [measure(cmd, env) for _ in range(runs)]
        results[name] = {
            "init_ms_median": statistics.median(s[0] for s in samples),
            "init_ms_min": min(s[0] for s in samples),
            "rss_mb_median": statistics.median(s[1] for s in samples),
        }
    base, ours = results["minimal_stdlib"], results["zeph_tui_acp"]
    results["ratios"] = {
        "init_ms": ours["init_ms_median"] / base["init_ms_median"],
        "rss_mb": ours["rss_mb_median"] / base["rss_mb_median"],
    }
    shutil.rmtree(home, ignore_errors=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    results = run(args.runs)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for name, row in results.items():
        print(f"{name:16} " + "  ".join(f"{k}={v:.2f}" for k, v in row.items()))
    ok = results["ratios"]["init_ms"] <= 2.0 and results["zeph_tui_acp"]["rss_mb_median"] <= 40
    print("targets (time ratio <= 2.0, RSS <= 40 MB):", "met" if ok else "NOT met")
    if not shutil.which("claude-code-acp"):
        print("claude-code-acp: not installed globally, not measured")
    return 0


if __name__ == "__main__":
    sys.exit(main())
