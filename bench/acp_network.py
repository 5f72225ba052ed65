"""Benchmark: ACP round-trip latency over stdio, WebSocket and HTTP+SSE, in one run.

Starts ``zeph-tui acp`` on stdio and ``zeph-tui acp --listen 127.0.0.1:0``, then
times ``--requests`` sequential round trips per transport of two requests:
``_ping`` (an unknown extension method: the JSON-RPC path alone, answered
``-32601``) and ``session/list`` (the agent and SQLite). Prints the median and
p95 in milliseconds and each network transport's ratio to stdio measured in
the same run (the baseline).

Usage::

    .venv/bin/python bench/acp_network.py [--requests 300] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import websockets

REPO = Path(__file__).resolve().parents[1]
INIT = {"protocolVersion": 1, "clientCapabilities": {}}
RoundTrip = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


def agent_cmd(*extra: str) -> list[str]:
    return [sys.executable, "-m", "zeph_tui", "acp", *extra]


async def stdio_client(env: dict[str, str]) -> tuple[RoundTrip, Callable[[], Awaitable[None]]]:
    proc = await asyncio.create_subprocess_exec(
        *agent_cmd(),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env=env,
        cwd=REPO,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    stdin, stdout = proc.stdin, proc.stdout

    async def call(frame: dict[str, Any]) -> dict[str, Any]:
        stdin.write(json.dumps(frame).encode() + b"\n")
        await stdin.drain()
        while True:
            reply: dict[str, Any] = json.loads(await stdout.readline())
            if reply.get("id") == frame["id"]:
                return reply

    async def close() -> None:
        stdin.close()
        await proc.wait()

    return call, close


async def listen(env: dict[str, str]) -> tuple[asyncio.subprocess.Process, int]:
    proc = await asyncio.create_subprocess_exec(
        *agent_cmd("--listen", "127.0.0.1:0"),
        stdin=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        cwd=REPO,
        start_new_session=True,
    )
    assert proc.stderr is not None
    while not (line := await proc.stderr.readline()).startswith(b'{"listening"'):
        if not line:
            raise RuntimeError("the server did not start")
    return proc, int(json.loads(line)["listening"].rsplit(":", 1)[1])


async def ws_client(port: int) -> tuple[RoundTrip, Callable[[], Awaitable[None]]]:
    ws = await websockets.connect(f"ws://127.0.0.1:{port}/acp/ws", max_size=None)

    async def call(frame: dict[str, Any]) -> dict[str, Any]:
        await ws.send(json.dumps(frame))
        while True:
            reply: dict[str, Any] = json.loads(await ws.recv())
            if reply.get("id") == frame["id"]:
                return reply

    return call, ws.close


async def sse_client(port: int) -> tuple[RoundTrip, Callable[[], Awaitable[None]]]:
    base = f"http://127.0.0.1:{port}"
    http = httpx.AsyncClient(timeout=httpx.Timeout(30, read=None))
    replies: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    endpoint: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def read() -> None:
        async with http.stream("GET", f"{base}/acp/sse") as response:
            async for line in response.aiter_lines():
                if line.startswith("data: /"):
                    endpoint.set_result(line[6:])
                elif line.startswith("data: {"):
                    replies.put_nowait(json.loads(line[6:]))

    reader = asyncio.create_task(read())
    url = base + await endpoint

    async def call(frame: dict[str, Any]) -> dict[str, Any]:
        await http.post(url, content=json.dumps(frame))
        while True:
            reply = await replies.get()
            if reply.get("id") == frame["id"]:
                return reply

    async def close() -> None:
        reader.cancel()
        with contextlib.suppress(BaseException):
            await reader
        await http.aclose()

    return call, close


async def timed(call: RoundTrip, method: str, params: Any, count: int) -> list[float]:
    ids = itertools.count(1000)
    samples = []
    for _ in range(count):
        frame = {"jsonrpc": "2.0", "id": next(ids), "method": method, "params": params}
        started = time.perf_counter()
        await call(frame)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": statistics.median(ordered),
        "p95_ms": ordered[int(len(ordered) * 0.95) - 1],
    }


async def run(count: int) -> dict[str, Any]:
    home = tempfile.mkdtemp(prefix="zeph-bench-net-")
    env = dict(os.environ, ZEPH_HOME=home, ANTHROPIC_API_KEY="bench-not-used")
    server, port = await listen(env)
    results: dict[str, Any] = {}
    try:
        for name, make in (
            ("stdio", lambda: stdio_client(env)),
            ("websocket", lambda: ws_client(port)),
            ("http_sse", lambda: sse_client(port)),
        ):
            call, close = await make()
            await call({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": INIT})
            await timed(call, "session/list", {}, 5)  # warm-up: the runtime starts here
            results[name] = {
                "_ping": summary(await timed(call, "_ping", {}, count)),
                "session/list": summary(await timed(call, "session/list", {}, count)),
            }
            await close()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGINT)
        await server.wait()
    base = results["stdio"]
    results["ratios_vs_stdio"] = {
        name: {m: results[name][m]["median_ms"] / base[m]["median_ms"] for m in base}
        for name in ("websocket", "http_sse")
    }
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    results = asyncio.run(run(args.requests))
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"{'transport':<11} {'method':<13} {'median ms':>10} {'p95 ms':>8} {'x stdio':>8}")
    for name in ("stdio", "websocket", "http_sse"):
        for method, row in results[name].items():
            ratio = results["ratios_vs_stdio"].get(name, {}).get(method, 1.0)
            print(
                f"{name:<11} {method:<13} {row['median_ms']:>10.2f} {row['p95_ms']:>8.2f}"
                f" {ratio:>8.2f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
