"""A tiny OpenAI-compatible chat completions server on loopback (standard library only).

``GET /v1/models`` lists one model (``fake-model``); ``POST /v1/chat/completions``
with ``stream: true`` answers the SSE chunks of :data:`REPLY` (a few
characters per chunk), a final usage chunk and ``data: [DONE]``; without
``stream`` it answers the JSON completion. Anything else is a 404. Used by
bench/session_open.py and tests that need a remote provider that answers
at once.

In-process::

    with FakeOpenAI() as fake:
        provider = OpenAICompatProvider("fake-model", base_url=fake.base_url)

As a subprocess (serves until killed)::

    python -m tests.fakes.openai_api --port-file PATH
"""

from __future__ import annotations

import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["MODEL", "REPLY", "FakeOpenAI"]

MODEL = "fake-model"
REPLY = "Hello from the fake OpenAI-compatible server."
_PIECE_CHARS = 7


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
    """The server on an ephemeral loopback port, served by a daemon thread."""

    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

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
