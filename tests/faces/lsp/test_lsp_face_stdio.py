"""How ``zeph-tui lsp`` reads stdin and keeps its heap (``ZephLanguageServer.start_io``).

A pipe is read on the event loop; a regular file (``zeph-tui lsp < requests``)
falls back to pygls' threaded reader and gets the same answers; a client that
goes away in the middle of a message ends the face cleanly. The start-up heap
is frozen once.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

from zeph_tui.drivers.lsp_face.server import ZephLanguageServer


def _frame(message: dict[str, object]) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _session(root: Path) -> bytes:
    init: dict[str, object] = {"processId": None, "rootUri": root.as_uri(), "capabilities": {}}
    messages: list[dict[str, object]] = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": init},
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    return b"".join(_frame(m) for m in messages)


def _face(root: Path, **kwargs: object) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "zeph_tui", "lsp", "--workspace", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        **kwargs,
    )


def _answers(out: bytes) -> dict[int, object]:
    found: dict[int, object] = {}
    while out:
        head, _, rest = out.partition(b"\r\n\r\n")
        length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
        message = json.loads(rest[:length])
        out = rest[length:]
        if "id" in message:
            found[message["id"]] = message.get("result", message.get("error"))
    return found


def test_a_regular_file_as_stdin_gets_the_same_answers(tmp_path: Path) -> None:
    requests = tmp_path / "requests.bin"
    requests.write_bytes(_session(tmp_path))
    with requests.open("rb") as stdin:
        face = _face(tmp_path, stdin=stdin)
        out, err = face.communicate(timeout=60)
    assert face.returncode == 0, err.decode()
    answers = _answers(out)
    assert answers[1]["capabilities"]["renameProvider"]  # type: ignore[index]
    assert answers[2] is None


def test_a_pipe_closed_mid_message_ends_the_face(tmp_path: Path) -> None:
    face = _face(tmp_path, stdin=subprocess.PIPE)
    first = _session(tmp_path)
    cut = first.index(b"Content-Length", 1)  # initialize whole, then half of shutdown
    out, err = face.communicate(first[: cut + 30], timeout=60)
    assert face.returncode == 0, err.decode()
    assert "capabilities" in _answers(out)[1]  # type: ignore[operator]


def test_the_start_up_heap_is_frozen_once() -> None:
    server = ZephLanguageServer(None, 1.0)
    before = gc.get_freeze_count()
    try:
        server.freeze_heap()
        frozen = gc.get_freeze_count()
        assert frozen > before
        made_since = [[n] for n in range(1000)]
        server.freeze_heap()
        assert gc.get_freeze_count() == frozen, len(made_since)
    finally:
        gc.unfreeze()
