"""A scripted fake of the Anthropic Messages API over real HTTP and SSE.

It listens on 127.0.0.1 (ephemeral port) and answers ``POST /v1/messages``
the way the real API does, so the official ``anthropic`` SDK (or any other
client) can be pointed at it with ``base_url``.

A script is a list of *responses*, consumed one per request, or a callable
``(request_json, index) -> response`` for tests that branch on what the
client sent. A response is a dict::

    {
      "blocks": [                                   # the assistant content
        {"type": "text", "text": "Hello"},
        {"type": "thinking", "thinking": "hmm", "signature": "sig"},   # signature optional
        {"type": "tool_use", "name": "read", "input": {"path": "a"}},  # id generated
        {"type": "tool_use", "name": "read", "raw_partial_json": "{\\"pa"},  # invalid JSON args
      ],
      "stop_reason": "end_turn",       # end_turn | tool_use | max_tokens | refusal | ...
      "usage": {"input_tokens": 10, "output_tokens": 5,
                "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0},
      "raw_partial_json": "{\\"pa",    # same as the block key, for the first tool_use block
      "delay_ms": 0,                   # pause between SSE events
      "stream_error": {"type": "overloaded_error", "message": "..."},  # SSE error event after the blocks
      "error": {"status": 529, "type": "overloaded_error", "message": "Overloaded"},  # HTTP error instead
    }

``stop_reason`` defaults to ``tool_use`` when a tool_use block is present,
else ``end_turn``. Streaming requests (``"stream": true``) get the exact SSE
event sequence of the real API (message_start, content_block_start,
content_block_delta with text_delta / thinking_delta / signature_delta /
input_json_delta split into several pieces, content_block_stop,
message_delta, message_stop, and ping events); others get the JSON message.
Every request body is recorded in :attr:`FakeAnthropic.requests`. When the
script is exhausted the fake answers HTTP 500 with a message saying so.

In-process::

    async with FakeAnthropic([{"blocks": [{"type": "text", "text": "hi"}]}]) as fake:
        client = AsyncAnthropic(api_key="x", base_url=fake.base_url, max_retries=0)

As a subprocess (serves until killed; one JSON object per request appended to
the record file)::

    python -m tests.fakes.anthropic_api --script script.json --port-file PATH [--record-file PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import socket
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

__all__ = ["FakeAnthropic", "ScriptFn", "build_app", "serve_forever"]

ScriptFn = Callable[[dict[str, Any], int], dict[str, Any]]
_ids = itertools.count(1)
_PIECE_CHARS = 7  # size of each streamed text / JSON fragment


def _new_id(prefix: str) -> str:
    return f"{prefix}_fake{next(_ids):06d}"


def _pieces(text: str, size: int = _PIECE_CHARS) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _normalise(response: dict[str, Any]) -> tuple[list[dict[str, Any]], str, dict[str, int]]:
    """Give every block its id/signature, pick a stop reason, fill the usage."""
    blocks: list[dict[str, Any]] = []
    raw_json = response.get("raw_partial_json")  # response-level: the first tool_use block
    for raw in response.get("blocks", []):
        block = dict(raw)
        if block["type"] == "tool_use":
            block.setdefault("id", _new_id("toolu"))
            block.setdefault("input", {})
            if raw_json is not None and "raw_partial_json" not in block:
                block["raw_partial_json"], raw_json = raw_json, None
        elif block["type"] == "thinking":
            block.setdefault("signature", "sig-" + _new_id("th"))
        blocks.append(block)
    has_tool = any(b["type"] == "tool_use" for b in blocks)
    stop_reason = response.get("stop_reason") or ("tool_use" if has_tool else "end_turn")
    usage = {
        "input_tokens": 10,
        "output_tokens": 5,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
    }
    usage.update(response.get("usage", {}))
    return blocks, stop_reason, usage


def _public_block(block: dict[str, Any]) -> dict[str, Any]:
    if block["type"] == "text":
        return {"type": "text", "text": block["text"]}
    if block["type"] == "thinking":
        return {"type": "thinking", "thinking": block["thinking"], "signature": block["signature"]}
    return {"type": "tool_use", "id": block["id"], "name": block["name"], "input": block["input"]}


def _message_json(model: str, response: dict[str, Any]) -> dict[str, Any]:
    blocks, stop_reason, usage = _normalise(response)
    return {
        "id": _new_id("msg"),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [_public_block(b) for b in blocks],
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": usage,
    }


def _sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


def _block_events(index: int, block: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The content_block_start / delta* / stop events of one block."""
    kind = block["type"]
    deltas: list[dict[str, Any]]
    if kind == "text":
        start: dict[str, Any] = {"type": "text", "text": ""}
        deltas = [{"type": "text_delta", "text": p} for p in _pieces(block["text"])]
    elif kind == "thinking":
        start = {"type": "thinking", "thinking": ""}
        deltas = [{"type": "thinking_delta", "thinking": p} for p in _pieces(block["thinking"])]
        deltas.append({"type": "signature_delta", "signature": block["signature"]})
    elif kind == "tool_use":
        start = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
        args = block.get("raw_partial_json")
        if args is None:
            args = json.dumps(block["input"])
        deltas = [{"type": "input_json_delta", "partial_json": ""}]
        deltas += [{"type": "input_json_delta", "partial_json": p} for p in _pieces(args)]
    else:
        raise ValueError(f"fake: unknown block type {kind!r}")
    events = [
        (
            "content_block_start",
            {"type": "content_block_start", "index": index, "content_block": start},
        )
    ]
    events += [
        ("content_block_delta", {"type": "content_block_delta", "index": index, "delta": d})
        for d in deltas
    ]
    events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    return events


def _stream_events(model: str, response: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    blocks, stop_reason, usage = _normalise(response)
    start_usage = dict(usage, output_tokens=1)
    message: dict[str, Any] = {
        "id": _new_id("msg"),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": start_usage,
    }
    events: list[tuple[str, dict[str, Any]]] = [
        ("message_start", {"type": "message_start", "message": message}),
        ("ping", {"type": "ping"}),
    ]
    for index, block in enumerate(blocks):
        events += _block_events(index, block)
        if index == 0:
            events.append(("ping", {"type": "ping"}))
    if "stream_error" in response:
        events.append(("error", {"type": "error", "error": response["stream_error"]}))
        return events
    delta = {"stop_reason": stop_reason, "stop_sequence": None}
    events.append(
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": delta,
                "usage": {"output_tokens": usage["output_tokens"]},
            },
        )
    )
    events.append(("message_stop", {"type": "message_stop"}))
    return events


def _error_response(status: int, kind: str, message: str) -> JSONResponse:
    request_id = _new_id("req")
    body = {"type": "error", "error": {"type": kind, "message": message}, "request_id": request_id}
    return JSONResponse(body, status_code=status, headers={"request-id": request_id})


class _Script:
    """Hands out responses in order and records requests."""

    def __init__(self, script: Sequence[dict[str, Any]] | ScriptFn) -> None:
        self.script = script
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.on_request: Callable[[dict[str, Any]], None] | None = None

    def next(self, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any] | None:
        index = len(self.requests)
        self.requests.append(body)
        self.headers.append(headers)
        if self.on_request is not None:
            self.on_request(body)
        if callable(self.script):
            return self.script(body, index)
        return self.script[index] if index < len(self.script) else None


def build_app(state: _Script) -> Starlette:
    """The Starlette app answering ``POST /v1/messages`` from ``state``."""

    async def messages(request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return _error_response(400, "invalid_request_error", "body is not JSON")
        if not isinstance(body, dict) or "messages" not in body or "max_tokens" not in body:
            return _error_response(
                400, "invalid_request_error", "messages and max_tokens are required"
            )
        try:
            response = state.next(body, dict(request.headers))
        except Exception as exc:  # a failing script callable must show up in the test
            return _error_response(500, "api_error", f"fake: script callable raised {exc!r}")
        if response is None:
            return _error_response(500, "api_error", "fake: script exhausted")
        if "error" in response:
            err = response["error"]
            return _error_response(
                int(err.get("status", 500)),
                err.get("type", "api_error"),
                err.get("message", "error"),
            )
        model = str(body.get("model", "claude-fake"))
        if not body.get("stream"):
            return JSONResponse(
                _message_json(model, response), headers={"request-id": _new_id("req")}
            )
        events = _stream_events(model, response)
        delay_s = float(response.get("delay_ms", 0)) / 1000.0

        async def gen() -> AsyncIterator[bytes]:
            for event, data in events:
                if delay_s:
                    await asyncio.sleep(delay_s)
                yield _sse(event, data)

        headers = {"request-id": _new_id("req"), "cache-control": "no-cache"}
        return StreamingResponse(gen(), media_type="text/event-stream", headers=headers)

    return Starlette(routes=[Route("/v1/messages", messages, methods=["POST"])])


def _bind_loopback(port: int = 0) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _server(state: _Script) -> uvicorn.Server:
    config = uvicorn.Config(
        build_app(state), log_level="warning", lifespan="off", timeout_graceful_shutdown=2
    )
    return uvicorn.Server(config)


class FakeAnthropic:
    """In-process fake; ``async with`` yields it with :attr:`base_url` set.

    Attributes:
        base_url: ``http://127.0.0.1:<port>`` (pass to the SDK as ``base_url``).
        requests: every request body received, in order.
        request_headers: the matching request headers (lower-case names).
    """

    def __init__(self, script: Sequence[dict[str, Any]] | ScriptFn) -> None:
        self._state = _Script(script)
        self._sock: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self.base_url = ""

    @property
    def requests(self) -> list[dict[str, Any]]:
        return self._state.requests

    @property
    def request_headers(self) -> list[dict[str, str]]:
        return self._state.headers

    async def __aenter__(self) -> FakeAnthropic:
        # The socket listens before uvicorn runs: clients connecting early wait in the backlog.
        self._sock = _bind_loopback()
        self.base_url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._server = _server(self._state)
        self._task = asyncio.create_task(self._server.serve(sockets=[self._sock]))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._server is None or self._task is None or self._sock is None:
            return
        self._server.should_exit = True
        try:
            await asyncio.wait_for(self._task, timeout=5)
        finally:
            self._sock.close()


def serve_forever(script: list[dict[str, Any]], port_file: Path, record_file: Path | None) -> None:
    """Serve ``script`` until SIGTERM/SIGINT.

    The port is written to ``port_file`` atomically, then printed on stdout
    as one line, before serving starts (the socket already listens).
    """
    state = _Script(script)
    if record_file is not None:
        record_file.write_text("")

        def record(body: dict[str, Any]) -> None:
            with record_file.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(body) + "\n")

        state.on_request = record
    sock = _bind_loopback()
    tmp = port_file.with_name(port_file.name + ".tmp")
    tmp.write_text(str(sock.getsockname()[1]))
    os.replace(tmp, port_file)
    print(sock.getsockname()[1], flush=True)  # lets a parent wait on a line instead of polling
    asyncio.run(_server(state).serve(sockets=[sock]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--script", type=Path, required=True, help="JSON list of responses")
    parser.add_argument("--port-file", type=Path, required=True, help="where to write the port")
    parser.add_argument("--record-file", type=Path, help="append each request body as a JSON line")
    args = parser.parse_args(argv)
    script = json.loads(args.script.read_text(encoding="utf-8"))
    if not isinstance(script, list):
        parser.error("--script must hold a JSON list of responses")
    serve_forever(script, args.port_file, args.record_file)


if __name__ == "__main__":
    main()
