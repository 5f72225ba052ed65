"""A tiny raw JSON-RPC language server for fault tests.

Usage: ``python fake_server.py MODE`` where MODE is
  silent       initializes, then never publishes diagnostics;
  empty-first  publishes an empty set for each version, then 150 ms later one
               error "real diagnostic v<N>" on line 1 (the "empty first" quirk);
  loading      at the first didOpen begins a work-done progress ("$/progress"
               token "load"), publishes an empty set, and ends the progress 2 s
               later (a server loading its project).

With ``ZEPH_FAKE_RECORD=FILE`` every notification is appended to FILE, one
``method uri...`` line each (the URIs of the documents or changes it names).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from typing import Any

MODE = sys.argv[1] if len(sys.argv) > 1 else "silent"
RECORD = os.environ.get("ZEPH_FAKE_RECORD")
_lock = threading.Lock()


def send(message: dict[str, Any]) -> None:
    body = json.dumps({"jsonrpc": "2.0", **message}).encode()
    with _lock:
        sys.stdout.buffer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        sys.stdout.buffer.flush()


def read() -> dict[str, Any] | None:
    length = 0
    while True:
        line = sys.stdin.buffer.readline()
        if not line:
            return None
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
        elif line in (b"\r\n", b"\n"):
            break
    return json.loads(sys.stdin.buffer.read(length))  # type: ignore[no-any-return]


def publish(uri: str, version: int, diagnostics: list[dict[str, Any]]) -> None:
    params = {"uri": uri, "version": version, "diagnostics": diagnostics}
    send({"method": "textDocument/publishDiagnostics", "params": params})


def progress(kind: str) -> None:
    value = {"kind": kind, "title": "Loading project"} if kind == "begin" else {"kind": kind}
    send({"method": "$/progress", "params": {"token": "load", "value": value}})


def loading(uri: str, version: int) -> None:
    progress("begin")
    publish(uri, version, [])
    time.sleep(2)
    progress("end")


def on_document(uri: str, version: int) -> None:
    if MODE != "empty-first":
        return
    publish(uri, version, [])
    time.sleep(0.15)
    rng = {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}}
    publish(uri, version, [{"range": rng, "severity": 1, "message": f"real diagnostic v{version}"}])


def record(method: str, params: dict[str, Any]) -> None:
    uris = [c["uri"] for c in params.get("changes", [])]
    if "textDocument" in params:
        uris.append(params["textDocument"]["uri"])
    with open(RECORD or os.devnull, "a", encoding="utf-8") as out:
        out.write(" ".join([method, *uris]) + "\n")


def main() -> None:
    while (message := read()) is not None:
        method = message.get("method")
        params = message.get("params") or {}
        if RECORD and method is not None and "id" not in message:
            record(method, params)
        if method == "initialize":
            caps = {"textDocumentSync": 1}
            send({"id": message["id"], "result": {"capabilities": caps}})
        elif method == "shutdown":
            send({"id": message["id"], "result": None})
        elif method == "exit":
            return
        elif method == "textDocument/didOpen" and MODE == "loading":
            doc = params["textDocument"]
            threading.Thread(target=loading, args=(doc["uri"], doc["version"])).start()
        elif method in ("textDocument/didOpen", "textDocument/didChange"):
            doc = params["textDocument"]
            threading.Thread(target=on_document, args=(doc["uri"], doc["version"])).start()
        elif "id" in message and method is not None:
            send({"id": message["id"], "result": None})


if __name__ == "__main__":
    main()
