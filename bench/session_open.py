"""Benchmark: how long an ACP client waits for a session, and what it costs in memory.

For each provider (``local``: the bundled SmolLM2 GGUF in-process;
``openai``: tests/fakes/openai_api.py on loopback; ``anthropic``: the real
SDK against tests/fakes/anthropic_api.py on loopback), over ``--runs``
fresh ``zeph-tui acp`` processes:

* ``new_ms``: ``session/new`` sent -> its answer; ``update_ms``: -> the first
  ``session/update`` (``available_commands_update``);
* ``rss_answer_mb``: agent RSS right after the answer (the lean open path);
* ``ttft_ms``: the first prompt (``hi``, sent right after the answer, so it
  races the background warm-up) -> the model's first output (message or
  thought chunk, or a tool call: the local model often starts with one);
* ``rss_turn_mb``: agent RSS 0.5 s after that turn ended (idle, warm);
* ``load_ms``: ``session/load`` of a stored 200-message session -> its answer
  (all 200 history updates received before it).

Baseline, same run: a standard-library-only ACP agent (sqlite3 + urllib)
doing the same against the OpenAI-compatible fake. ``--before DIR`` also
measures another checkout (e.g. /work/main) with the same clients, for the
before/after figures. Medians; targets: new <= 100 ms, load <= 150 ms,
idle RSS after one turn <= 90 MB (anthropic) / <= 50 MB (openai).

Usage::

    .venv/bin/python bench/session_open.py [--runs 10] [--providers local,openai,anthropic]
        [--before /work/main] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
HISTORY_MESSAGES = 200
INIT = {
    "protocolVersion": 1,
    "clientCapabilities": {},
    "clientInfo": {"name": "bench", "version": "1"},
}
TARGETS: dict[str, Any] = {
    "new_ms": 100.0,
    "load_ms": 150.0,
    "rss_turn_mb": {"anthropic": 90.0, "openai": 50.0},
}

FIRST_OUTPUT = ("agent_message_chunk", "agent_thought_chunk", "tool_call")
"""The updates that carry the model's first output of a turn (its first token)."""
MINIMAL_AGENT = Path(__file__).with_name("_stdlib_acp_agent.py")


def rss_mb(pid: int) -> float:
    """``VmRSS`` of ``pid`` in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


class Peer:
    """An ACP client over the agent's stdio: requests, and timestamped notifications."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.next_id = 0
        self.waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.updates: list[tuple[float, dict[str, Any]]] = []
        self.changed = asyncio.Event()
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def spawn(cls, cmd: list[str], env: dict[str, str]) -> Peer:
        proc = await asyncio.create_subprocess_exec(
            *cmd,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            env=env,
            cwd=env["PYTHONPATH"],  # ``-m zeph_tui`` imports from the working directory first
            start_new_session=True,
            limit=16 * 1024 * 1024,
        )
        return cls(proc)

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        while line := await self.proc.stdout.readline():
            frame = json.loads(line)
            if "id" in frame and "method" not in frame:
                self.waiting.pop(frame["id"]).set_result(frame)
            elif frame.get("method") == "session/update":
                self.updates.append((time.perf_counter(), frame["params"]["update"]))
                self.changed.set()

    async def send(self, frame: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(frame).encode() + b"\n")
        await self.proc.stdin.drain()

    async def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self.next_id += 1
        future = self.waiting[self.next_id] = asyncio.get_running_loop().create_future()
        await self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        reply = await asyncio.wait_for(future, 300)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return dict(reply["result"])

    async def first_update(
        self, since: float, kind: str | tuple[str, ...], turn: asyncio.Task[Any] | None = None
    ) -> float:
        """Seconds from ``since`` to the first update of ``kind`` (one of) received after it.

        Raises:
            RuntimeError: ``turn`` ended (or failed) with no such update.
        """
        kinds = (kind,) if isinstance(kind, str) else kind
        while True:
            for stamp, update in self.updates:
                if stamp >= since and update.get("sessionUpdate") in kinds:
                    return stamp - since
            if turn is not None and turn.done():
                raise RuntimeError(f"the turn ended without {kind}: {turn.result()}")
            self.changed.clear()
            waiters = {asyncio.ensure_future(self.changed.wait()), *([turn] if turn else [])}
            done, pending = await asyncio.wait(waiters, timeout=300, return_when="FIRST_COMPLETED")
            for waiter in pending - {turn}:
                waiter.cancel()
            if not done:
                raise TimeoutError(f"no {kind} within 300 s")

    async def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            await asyncio.wait_for(self.proc.wait(), 20)
        except TimeoutError:
            os.killpg(self.proc.pid, 9)
            await self.proc.wait()
        self.reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.reader


async def one_open(cmd: list[str], env: dict[str, str], cwd: str, cancel: bool) -> dict[str, float]:
    """One spawn: initialize, session/new, first prompt, idle RSS (see module doc)."""
    peer = await Peer.spawn(cmd, env)
    try:
        await peer.request("initialize", INIT)
        started = time.perf_counter()
        new = await peer.request("session/new", {"cwd": cwd, "mcpServers": []})
        new_ms = (time.perf_counter() - started) * 1000
        rss_answer = rss_mb(peer.proc.pid)
        update_ms = await peer.first_update(started, "available_commands_update") * 1000
        sent = time.perf_counter()
        params = {"sessionId": new["sessionId"], "prompt": [{"type": "text", "text": "hi"}]}
        turn = asyncio.create_task(peer.request("session/prompt", params))
        ttft_ms = await peer.first_update(sent, FIRST_OUTPUT, turn) * 1000
        if cancel:  # the local model may talk for a while: the first token is what we time
            await peer.send(
                {
                    "jsonrpc": "2.0",
                    "method": "session/cancel",
                    "params": {"sessionId": new["sessionId"]},
                }
            )
        await turn
        await asyncio.sleep(0.5)
        rss_turn = rss_mb(peer.proc.pid)
    finally:
        await peer.close()
    return {
        "new_ms": new_ms,
        "update_ms": update_ms,
        "rss_answer_mb": rss_answer,
        "ttft_ms": ttft_ms,
        "rss_turn_mb": rss_turn,
    }


async def one_load(cmd: list[str], env: dict[str, str], cwd: str, session_id: str) -> float:
    """One spawn: initialize, then ``session/load`` of the stored session; ms to the answer."""
    peer = await Peer.spawn(cmd, env)
    try:
        await peer.request("initialize", INIT)
        started = time.perf_counter()
        await peer.request("session/load", {"sessionId": session_id, "cwd": cwd, "mcpServers": []})
        elapsed_ms = (time.perf_counter() - started) * 1000
        replayed = sum(
            1
            for _, u in peer.updates
            if u.get("sessionUpdate") in ("user_message_chunk", "agent_message_chunk")
        )
        if replayed < HISTORY_MESSAGES:
            raise RuntimeError(f"session/load replayed {replayed} of {HISTORY_MESSAGES} messages")
    finally:
        await peer.close()
    return elapsed_ms


def seed_history(tree: Path, home: Path, cwd: str, session_id: str) -> None:
    """Store a session of HISTORY_MESSAGES messages (and their replay events) in ``home``.

    The seed runs with ``tree`` (the measured checkout) on PYTHONPATH, so it
    writes the database that tree's agent opens (a ``--before`` checkout may
    keep it elsewhere: seeding it with this tree's code gave ``-32002`` on
    its ``session/load``), and checks the events are stored.

    Raises:
        RuntimeError: the session's events are missing after the seed.
    """
    script = Path(__file__).with_name("_seed_history.py")
    done = subprocess.run(
        [sys.executable, str(script), str(home), cwd, session_id, str(HISTORY_MESSAGES)],
        check=True,
        capture_output=True,
        text=True,
        env=dict(agent_env(tree, home, {})),
    )
    seeded = json.loads(done.stdout.strip().splitlines()[-1])
    if seeded["events"] < HISTORY_MESSAGES:
        raise RuntimeError(f"{seeded['db']}: {seeded['events']} events seeded for {session_id}")


def medians(samples: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(s[key] for s in samples) for key in samples[0]}


async def measure_agents(
    agents: dict[str, tuple[list[str], dict[str, str], bool]], cwd: str, runs: int
) -> dict[str, dict[str, float]]:
    """Medians per agent of ``runs`` opens and loads, taken round-robin (load drift is shared)."""
    session_id = "sess_benchhistory0001"
    for cmd, env, cancel in agents.values():
        seed_history(Path(env["PYTHONPATH"]), Path(env["ZEPH_HOME"]), cwd, session_id)
        await one_open(cmd, env, cwd, cancel)  # warm the file cache
    opens: dict[str, list[dict[str, float]]] = {name: [] for name in agents}
    loads: dict[str, list[float]] = {name: [] for name in agents}
    for run in range(runs):
        for name, (cmd, env, cancel) in agents.items():
            try:
                opens[name].append(await one_open(cmd, env, cwd, cancel))
                loads[name].append(await one_load(cmd, env, cwd, session_id))
            except Exception as exc:
                raise RuntimeError(f"{name}, run {run + 1}, ZEPH_HOME={env['ZEPH_HOME']}") from exc
    results = {}
    for name in agents:
        results[name] = medians(opens[name])
        results[name]["load_ms"] = statistics.median(loads[name])
    return results


def agent_env(tree: Path, home: Path, extra: dict[str, str]) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("ZEPH_", "ANTHROPIC_", "OPENAI_"))
    }
    return dict(env, PYTHONPATH=str(tree), ZEPH_HOME=str(home), PYTHONUNBUFFERED="1", **extra)


def start_fakes(tmp: Path, runs: int) -> tuple[list[subprocess.Popen[bytes]], str, str]:
    """The two loopback fakes as subprocesses; returns them and their base URLs."""
    reply = {"blocks": [{"type": "text", "text": "Hello from the fake Anthropic API."}]}
    script = tmp / "anthropic_script.json"
    script.write_text(json.dumps([reply] * (runs * 6 + 20)))
    env = dict(os.environ, PYTHONPATH=str(REPO))
    procs, urls = [], []
    for module, args in (
        ("tests.fakes.anthropic_api", ["--script", str(script)]),
        ("tests.fakes.openai_api", []),
    ):
        port_file = tmp / f"{module}.port"
        proc = subprocess.Popen(
            [sys.executable, "-m", module, *args, "--port-file", str(port_file)],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        procs.append(proc)
        while not port_file.exists():
            time.sleep(0.05)
        urls.append(f"http://127.0.0.1:{port_file.read_text().strip()}")
    return procs, urls[0], urls[1] + "/v1"


def zeph_cmd(provider: str) -> list[str]:
    cmd = [sys.executable, "-m", "zeph_tui", "acp", "--provider", provider]
    return [*cmd, "--model", "fake-model"] if provider == "openai" else cmd


def provider_env(provider: str, anthropic_url: str, openai_url: str) -> dict[str, str]:
    if provider == "anthropic":
        return {"ANTHROPIC_API_KEY": "dummy", "ANTHROPIC_BASE_URL": anthropic_url}
    if provider == "openai":
        return {"OPENAI_BASE_URL": openai_url, "OPENAI_API_KEY": "dummy"}
    return {}


async def run(args: argparse.Namespace) -> dict[str, dict[str, float]]:
    tmp = Path(tempfile.mkdtemp(prefix="zeph-bench-open-"))
    fakes, anthropic_url, openai_url = start_fakes(tmp, args.runs)
    cwd = args.cwd
    trees = {"": REPO, **({"before:": Path(args.before)} if args.before else {})}
    agents: dict[str, tuple[list[str], dict[str, str], bool]] = {}
    env = agent_env(REPO, tmp / "minimal", {"OPENAI_BASE_URL": openai_url})
    agents["stdlib_agent"] = ([sys.executable, str(MINIMAL_AGENT)], env, False)
    for label, tree in trees.items():
        for provider in args.providers.split(","):
            home = tmp / f"{label.rstrip(':')}{provider}"
            env = agent_env(tree, home, provider_env(provider, anthropic_url, openai_url))
            agents[f"{label}{provider}"] = (zeph_cmd(provider), env, provider == "local")
    try:
        return await measure_agents(agents, cwd, args.runs)
    finally:
        for proc in fakes:
            proc.terminate()
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def report(results: dict[str, dict[str, float]]) -> list[str]:
    """Printable lines: one row per agent, ratios to the stdlib agent, target checks."""
    base = results["stdlib_agent"]
    lines = []
    for name, row in results.items():
        lines.append(f"{name:18} " + "  ".join(f"{k}={v:.1f}" for k, v in row.items()))
    for name, row in results.items():
        if name == "stdlib_agent":
            continue
        ratios = "  ".join(f"{k}={row[k] / base[k]:.2f}x" for k in row if base.get(k))
        lines.append(f"{name:18} vs stdlib: {ratios}")
        checks = [f"new<=100ms:{row['new_ms'] <= TARGETS['new_ms']}"]
        checks.append(f"load<=150ms:{row['load_ms'] <= TARGETS['load_ms']}")
        rss_goals: Any = TARGETS["rss_turn_mb"]
        provider = name.split(":")[-1]
        if provider in rss_goals:
            checks.append(
                f"rss_turn<={rss_goals[provider]:.0f}MB:{row['rss_turn_mb'] <= rss_goals[provider]}"
            )
        lines.append(f"{name:18} targets: " + "  ".join(checks))
        before = results.get(f"before:{name}")
        if before:
            lines.append(
                f"{name:18} before -> after: ttft {before['ttft_ms']:.0f} -> {row['ttft_ms']:.0f} ms, "
                f"new {before['new_ms']:.0f} -> {row['new_ms']:.0f} ms, "
                f"load {before['load_ms']:.0f} -> {row['load_ms']:.0f} ms"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--providers", default="local,openai,anthropic")
    parser.add_argument("--before", help="another checkout to measure the same way (before/after)")
    parser.add_argument(
        "--cwd", default=str(REPO), help="the session's workspace (default: this repo)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    args.cwd = os.path.realpath(args.cwd)
    args.before = os.path.realpath(args.before) if args.before else None
    results = asyncio.run(run(args))
    print(json.dumps(results, indent=2) if args.json else "\n".join(report(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
