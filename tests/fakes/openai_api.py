"""A tiny OpenAI-compatible chat completions server on loopback (standard library only).

``GET /v1/models`` lists one model (``fake-model``); ``POST /v1/chat/completions``
with ``stream: true`` answers the SSE chunks of :data:`REPLY` (a few
characters per chunk), a final usage chunk and ``data: [DONE]``; without
``stream`` it answers the JSON completion. Anything else is a 404. Used by
bench/session_open.py, bench/dashboard_open.py and tests that need a remote
provider that answers at once.

Every chat completion request is kept in :attr:`FakeOpenAI.requests` with the
moment it arrived (:class:`Received`), so a bench can time when a prompt
reached the provider. With ``gate=`` (a :class:`threading.Event`) each chat
completion waits until the gate is set before it answers: a test holds a turn
"running" for as long as it needs, without a sleep.

In-process::

    with FakeOpenAI() as fake:
        provider = OpenAICompatProvider("fake-model", base_url=fake.base_url)

As a subprocess (serves until killed)::

    python -m tests.fakes.openai_api --port-file PATH
"""

from __future__ import annotations

import argparse
import contextlib
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["MODEL", "REPLY", "FakeOpenAI", "Received"]

MODEL = "fake-model"
REPLY = "Hello from the fake OpenAI-compatible server."
_PIECE_CHARS = 7


@dataclass(frozen=True, slots=True)
class Received:
    """One chat completion request as it arrived.

    Attributes:
        at_s: ``time.perf_counter()`` when its body was read (same process only).
        wall_s: ``time.time()`` then (comparable across processes).
        body: the request's JSON body.
    """

    at_s: float
    wall_s: float
    body: dict[str, Any]

    @property
    def user_texts(self) -> list[str]:
        """The text of every user message, oldest first."""
        out: list[str] = []
        for message in self.body.get("messages", []):
            if message.get("role") != "user":
                continue
            content = message.get("content")
            if isinstance(content, str):
                out.append(content)
            else:
                out.append("".join(p.get("text", "") for p in content or [] if isinstance(p, dict)))
        return out


def _chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    return {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "choices": [choice]}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/v1/models":
            body = {"object": "list", "data": [{"id": MODEL, "object": "model"}]}
            self._send(200, json.dumps(body).encode(), "application/json")
        else:
            self._send(404, b'{"error": "not found"}', "application/json")

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        request = json.loads(self.rfile.read(length) or b"{}")
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._send(404, b'{"error": "not found"}', "application/json")
            return
        fake: FakeOpenAI = self.server.fake  # type: ignore[attr-defined]
        with fake.arrived:
            fake.requests.append(Received(time.perf_counter(), time.time(), request))
            fake.arrived.notify_all()
        if fake.gate is not None:
            fake.gate.wait()
        with contextlib.suppress(OSError):  # the client may have given up (a cancelled turn)
            self._answer(request)

    def _answer(self, request: dict[str, Any]) -> None:
        if not request.get("stream"):
            message = {"role": "assistant", "content": REPLY}
            body = {"id": "chatcmpl-fake", "object": "chat.completion", "model": MODEL}
            body["choices"] = [{"index": 0, "message": message, "finish_reason": "stop"}]
            self._send(200, json.dumps(body).encode(), "application/json")
            return
        pieces = [REPLY[i : i + _PIECE_CHARS] for i in range(0, len(REPLY), _PIECE_CHARS)]
        chunks = [_chunk({"role": "assistant", "content": p}) for p in pieces]
        chunks.append(_chunk({}, "stop"))
        usage = {"prompt_tokens": 12, "completion_tokens": len(pieces), "total_tokens": 0}
        chunks.append({"id": "chatcmpl-fake", "choices": [], "usage": usage})
        body = b"".join(f"data: {json.dumps(c)}\n\n".encode() for c in chunks) + b"data: [DONE]\n\n"
        self._send(200, body, "text/event-stream")


class FakeOpenAI:
    """The server on an ephemeral loopback port, served by a daemon thread.

    Args:
        gate: when given, every chat completion waits for it to be set
            before answering (closing the server sets it).

    Attributes:
        requests: the chat completion requests received, in order of arrival.
    """

    def __init__(self, *, gate: threading.Event | None = None) -> None:
        self.gate = gate
        self.requests: list[Received] = []
        self.arrived = threading.Condition()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.fake = self  # type: ignore[attr-defined]
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def wait_requests(self, count: int, timeout_s: float = 30.0) -> bool:
        """Block until ``count`` chat completion requests arrived; False after ``timeout_s``."""
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.requests) >= count, timeout_s)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>/v1``."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.gate is not None:
            self.gate.set()  # let a held request finish
        self.server.shutdown()
        self.server.server_close()
        self._thread.join()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="fake OpenAI-compatible server")
    parser.add_argument("--port-file", type=Path, required=True)
    args = parser.parse_args(argv)
    fake = FakeOpenAI()
    args.port_file.write_text(str(fake.server.server_address[1]))
    fake.server.serve_forever()


if __name__ == "__main__":
    main()
