"""Answer ``initialize`` before the rest of the agent is imported.

Spec: https://agentclientprotocol.com/protocol/v1/initialization. Standard
library only (``os``, ``sys``, ``json``; it needs no asyncio, though
:func:`zeph_tui.drivers.acp.main` imports asyncio before it, for the
``session/new`` that follows). ``zeph-tui acp`` guards
stdout, reads the first frame from stdin, and when it is a well-formed
``initialize`` request answers it at once; the frame stream then continues in
:class:`acp.AgentSideConnection` (the bytes read past the first frame are fed
to it first). Anything else (a parse error, another method, odd params) is
left to the connection, which answers it exactly as usual.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from zeph_tui import __version__

__all__ = [
    "FirstFrame",
    "guard_stdout",
    "initialize_result",
    "read_first_frame",
    "try_initialize",
    "write_all",
]

_MAX_FIRST_FRAME_BYTES = 1024 * 1024
_READ_BYTES = 64 * 1024


def initialize_result() -> dict[str, Any]:
    """The ``InitializeResponse`` of zeph-tui (``$defs/InitializeResponse``)."""
    return {
        "protocolVersion": 1,
        "agentCapabilities": {
            "loadSession": True,
            "promptCapabilities": {"image": True, "audio": False, "embeddedContext": True},
            "mcpCapabilities": {"http": True, "sse": True},
            "sessionCapabilities": {
                "list": {},
                "resume": {},
                "close": {},
                "delete": {},
                "additionalDirectories": {},
            },
        },
        "authMethods": [],
        "agentInfo": {"name": "zeph-tui", "title": "zeph-tui", "version": __version__},
    }


def guard_stdout() -> int:
    """Keep fd 1 for frames: dup it privately, point fd 1 and ``sys.stdout`` at stderr.

    Same contract as :func:`acp.transport.guard_stdout` (which imports asyncio).

    Returns:
        The private, non-inheritable descriptor carrying protocol output.
    """
    sys.stdout.flush()
    protocol_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return protocol_fd


class FirstFrame:
    """The first stdin line and the bytes read after it.

    Attributes:
        line: the first frame without its newline (b"" when none was complete).
        pending: bytes still to be served by the connection, in order.
    """

    def __init__(self, line: bytes, pending: bytes) -> None:
        self.line = line
        self.pending = pending


def read_first_frame(fd: int) -> FirstFrame:
    """Read from ``fd`` until the first newline (at most 1 MiB, else give up)."""
    buf = bytearray()
    while b"\n" not in buf:
        chunk = os.read(fd, _READ_BYTES)
        if not chunk or len(buf) + len(chunk) > _MAX_FIRST_FRAME_BYTES:
            return FirstFrame(b"", bytes(buf + chunk))
        buf += chunk
    line, _, rest = bytes(buf).partition(b"\n")
    return FirstFrame(line, rest)


def _valid_params(params: Any) -> bool:
    if not isinstance(params, dict):
        return False
    version = params.get("protocolVersion")
    if type(version) is not int or not 0 <= version <= 65535:
        return False
    return all(
        params.get(k) is None or isinstance(params[k], dict)
        for k in ("clientCapabilities", "clientInfo", "_meta")
    )


def try_initialize(line: bytes) -> tuple[bytes, dict[str, Any]] | None:
    """Answer ``line`` when it is a well-formed ``initialize`` request.

    Returns:
        ``(response frame with newline, request params)`` or None to leave the
        frame to the connection.
    """
    try:
        return _answer(line)
    except Exception:  # deep nesting, lone surrogates...: the connection answers it
        return None


def _answer(line: bytes) -> tuple[bytes, dict[str, Any]] | None:
    try:
        message = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
        return None
    request_id = message.get("id")
    if message.get("method") != "initialize" or not (
        isinstance(request_id, str) or type(request_id) is int
    ):
        return None
    params = message.get("params")
    if not isinstance(params, dict) or not _valid_params(params):
        return None
    response = {"jsonrpc": "2.0", "id": request_id, "result": initialize_result()}
    data = json.dumps(response, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
    return data, params


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to ``fd``."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
