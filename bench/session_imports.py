"""What an ACP session imports, and when, and what each heavy package costs.

Part 1, per provider: ``zeph-tui acp`` under the import recorder of
tests/heavy_modules.py (an audit hook that tags each import with the
warm-up it runs for), driven through initialize, session/new and one
prompt (``hi``) against the loopback fakes; prints the heavy packages
imported on the critical path (no warm-up) and in each warm-up.

Part 2, per heavy package, each in a fresh interpreter: import time (ms),
RSS growth (MB, ``VmRSS``) and memory allocated by Python during the import
(MB, tracemalloc); ``anthropic:lean`` is the SDK as the provider imports it
(:func:`zeph_tui.core.providers.anthropic.sdk`, client and messages resource).

Usage::

    .venv/bin/python bench/session_imports.py [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.session_open import (
    FIRST_OUTPUT,
    INIT,
    REPO,
    Peer,
    agent_env,
    provider_env,
    start_fakes,
    zeph_cmd,
)
from tests.heavy_modules import HEAVY_MODULES, import_recorder

COST_PROBE = """
import json, sys, time, tracemalloc
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
before, started = rss(), time.perf_counter()
tracemalloc.start()
if sys.argv[1] == "anthropic:lean":  # what AnthropicProvider imports (its stream included)
    from zeph_tui.core.providers.anthropic import sdk
    sdk().AsyncAnthropic(api_key="k").messages
else:
    __import__(sys.argv[1])
current, peak = tracemalloc.get_traced_memory()
print(json.dumps({"import_ms": (time.perf_counter() - started) * 1000,
                  "rss_mb": rss() - before, "traced_mb": current / 2**20}))
"""


async def record(provider: str, home: Path, urls: tuple[str, str]) -> dict[str, list[str]]:
    """Heavy packages by phase (``critical`` or the warm-up kind) for one session."""
    log = home / "imports.json"
    cmd = zeph_cmd(provider)
    cmd[1:3] = ["-c", import_recorder(str(log))]  # python -c <recorder> acp ...
    env = agent_env(REPO, home, provider_env(provider, *urls))
    peer = await Peer.spawn(cmd, env)
    try:
        await peer.request("initialize", INIT)
        new = await peer.request("session/new", {"cwd": str(REPO), "mcpServers": []})
        params = {"sessionId": new["sessionId"], "prompt": [{"type": "text", "text": "hi"}]}
        turn = asyncio.create_task(peer.request("session/prompt", params))
        if provider == "local":
            await peer.first_update(0.0, FIRST_OUTPUT, turn)
            await peer.send(
                {
                    "jsonrpc": "2.0",
                    "method": "session/cancel",
                    "params": {"sessionId": new["sessionId"]},
                }
            )
        await turn
    finally:
        await peer.close()
    phases: dict[str, set[str]] = {}
    for name, key in json.loads(log.read_text()):
        top = name.split(".", 1)[0]
        if top in HEAVY_MODULES:
            phases.setdefault(key.split(":", 1)[0] if key else "critical", set()).add(top)
    return {phase: sorted(tops) for phase, tops in phases.items()}


def costs() -> dict[str, dict[str, float]]:
    """Import cost of each heavy package in a fresh interpreter (skipped if not installed)."""
    out = {}
    for name in (*HEAVY_MODULES, "anthropic:lean"):
        proc = subprocess.run(
            [sys.executable, "-c", COST_PROBE, name],
            capture_output=True,
            text=True,
            check=False,
            cwd=REPO,
        )
        if proc.returncode == 0:
            out[name] = json.loads(proc.stdout)
    return out


async def run() -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="zeph-bench-imports-"))
    fakes, anthropic_url, openai_url = start_fakes(tmp, 2)
    try:
        sessions = {
            p: await record(p, tmp / p, (anthropic_url, openai_url))
            for p in ("local", "openai", "anthropic")
        }
    finally:
        for proc in fakes:
            proc.terminate()
            proc.wait()
    return {"sessions": sessions, "costs": costs()}


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = asyncio.run(run())
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for provider, phases in results["sessions"].items():
        print(f"{provider}:")
        for phase, tops in sorted(phases.items()):
            print(f"  {phase:10} {', '.join(tops)}")
    print("cost of each package (fresh interpreter):")
    for name, row in results["costs"].items():
        print(
            f"  {name:18} {row['import_ms']:7.0f} ms  {row['rss_mb']:6.1f} MB RSS"
            f"  {row['traced_mb']:6.1f} MB traced"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
