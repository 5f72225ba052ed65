"""Newline-delimited frames over byte streams, and the stdio guard.

ACP v1 stdio transport (https://agentclientprotocol.com/protocol/transports):
each JSON-RPC message is one line of UTF-8 JSON terminated by ``\\n``; the
message itself must not contain a raw newline. Nothing but protocol frames may
reach the agent's stdout, so :func:`guard_stdout` moves the protocol onto a
private duplicate of fd 1 and points fd 1 (and ``sys.stdout``) at stderr.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import stat
import sys
import threading
from collections.abc import AsyncIterator
from typing import BinaryIO, Protocol

__all__ = [
    "DEFAULT_MAX_FRAME_BYTES",
    "FrameSink",
    "FrameTooLarge",
    "guard_stdin",
    "guard_stdout",
    "open_fd_streams",
    "read_frames",
]

DEFAULT_MAX_FRAME_BYTES = 256 * 1024 * 1024
"""Largest accepted line; longer lines are skipped and reported (256 MiB)."""

_CHUNK_BYTES = 256 * 1024


class FrameSink(Protocol):
    """Where frames are written; ``asyncio.StreamWriter`` satisfies it."""

    def write(self, data: bytes) -> None:
        """Queue ``data`` for writing (must not block for long)."""

    async def drain(self) -> None:
        """Wait until the queued data may be flushed (flow control)."""

    def close(self) -> None:
        """Close the underlying stream."""


class FrameTooLarge:
    """Marker yielded by :func:`read_frames` for a line over the size limit.

    Attributes:
        size_bytes: how many bytes the oversized line had.
    """

    __slots__ = ("size_bytes",)

    def __init__(self, size_bytes: int) -> None:
        self.size_bytes = size_bytes


async def read_frames(
    reader: asyncio.StreamReader, max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES
) -> AsyncIterator[bytes | FrameTooLarge]:
    """Yield newline-delimited frames from ``reader`` until EOF.

    Lines of any length up to ``max_frame_bytes`` are assembled from chunks
    (the ``StreamReader`` limit does not apply); longer ones are discarded up to
    their newline and reported as :class:`FrameTooLarge`. A trailing ``\\r`` is
    stripped; blank lines are skipped; a last line without ``\\n`` is yielded at EOF.

    Args:
        reader: the byte stream (e.g. the agent's stdin).
        max_frame_bytes: the largest line to assemble, in bytes.

    Yields:
        Each frame's bytes without the line terminator, or a ``FrameTooLarge``.
    """
    parts: list[bytes] = []
    size = 0
    while True:
        chunk = await reader.read(_CHUNK_BYTES)
        if not chunk:
            break
        start = 0
        while True:
            newline = chunk.find(b"\n", start)
            if newline < 0:
                rest = chunk[start:]
                size += len(rest)
                if size <= max_frame_bytes:
                    parts.append(rest)
                else:
                    parts.clear()
                break
            piece = chunk[start:newline]
            size += len(piece)
            if size > max_frame_bytes:
                yield FrameTooLarge(size)
            else:
                parts.append(piece)
                frame = _finish(parts)
                if frame:
                    yield frame
            parts = []
            size = 0
            start = newline + 1
    if size > max_frame_bytes:
        yield FrameTooLarge(size)
    elif parts:
        frame = _finish(parts)
        if frame:
            yield frame


def _finish(parts: list[bytes]) -> bytes:
    frame = parts[0] if len(parts) == 1 else b"".join(parts)
    if frame.endswith(b"\r"):
        frame = frame[:-1]
    return b"" if not frame.strip() else frame


def guard_stdout() -> int:
    """Reserve the real stdout for protocol frames; send everything else to stderr.

    Flushes ``sys.stdout``, duplicates fd 1 to a private non-inheritable fd,
    then points fd 1 at fd 2 and ``sys.stdout`` at ``sys.stderr``. Stray
    ``print()`` calls and child processes that inherit fd 1 therefore write to
    stderr and cannot corrupt the frame stream.

    Returns:
        The private file descriptor carrying protocol output.

    Raises:
        OSError: if the descriptors cannot be duplicated.
    """
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    protocol_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return protocol_fd


def guard_stdin() -> int:
    """Reserve stdin for protocol frames; give children ``/dev/null`` instead.

    Duplicates fd 0 to a private non-inheritable fd and points fd 0 (and
    ``sys.stdin``) at ``os.devnull`` so child processes cannot swallow frames.

    Returns:
        The private file descriptor carrying protocol input.

    Raises:
        OSError: if the descriptors cannot be duplicated.
    """
    protocol_fd = os.dup(0)
    devnull_fd = os.open(os.devnull, os.O_RDONLY)
    try:
        os.dup2(devnull_fd, 0)
    finally:
        os.close(devnull_fd)
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - lives for the process
    return protocol_fd


async def open_fd_streams(
    in_fd: int, out_fd: int, *, prefix: bytes = b""
) -> tuple[asyncio.StreamReader, FrameSink]:
    """Wrap two file descriptors as an asyncio reader and a frame sink.

    Pipes, sockets and character devices use asyncio pipe transports; regular
    files (e.g. ``agent < frames.jsonl > out.jsonl``) fall back to a reader
    thread and blocking writes.

    Args:
        in_fd: descriptor to read frames from (ownership passes to the streams).
        out_fd: descriptor to write frames to (ownership passes to the streams).
        prefix: bytes already read from ``in_fd`` (e.g. by a fast first-frame
            path); they are served first, before anything read later, even when
            the peer has already closed its end.

    Returns:
        ``(reader, sink)``.
    """
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=_CHUNK_BYTES * 4)
    if prefix:
        reader.feed_data(prefix)  # before the pipe can deliver EOF
    in_file = os.fdopen(in_fd, "rb", buffering=0)
    if not _pollable(in_fd):  # /dev/null, a regular file: epoll refuses them (EPERM)
        _start_reader_thread(loop, reader, in_file)
    else:
        try:
            await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), in_file)
        except ValueError:
            _start_reader_thread(loop, reader, in_file)
    out_file = os.fdopen(out_fd, "wb", buffering=0)
    try:
        transport, protocol = await loop.connect_write_pipe(
            asyncio.streams.FlowControlMixin, out_file
        )
    except ValueError:
        return reader, _BlockingSink(out_file)
    return reader, asyncio.StreamWriter(transport, protocol, None, loop)


def _pollable(fd: int) -> bool:
    """A pipe, a socket or a terminal: what the event loop can watch (``stdin < /dev/null``
    is a character device epoll refuses, and the failure would only reach a callback)."""
    mode = os.fstat(fd).st_mode
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or os.isatty(fd)


def _start_reader_thread(
    loop: asyncio.AbstractEventLoop, reader: asyncio.StreamReader, in_file: BinaryIO
) -> None:
    def pump() -> None:
        while True:
            try:
                data = os.read(in_file.fileno(), _CHUNK_BYTES)
            except OSError:
                data = b""
            if not data:
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(reader.feed_eof)
                return
            try:
                loop.call_soon_threadsafe(reader.feed_data, data)
            except RuntimeError:  # loop closed
                return

    threading.Thread(target=pump, name="acp-stdin-reader", daemon=True).start()


class _BlockingSink:
    """A frame sink over a regular file: writes complete synchronously."""

    def __init__(self, out_file: BinaryIO) -> None:
        self._file = out_file

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self._file.fileno(), view)
            view = view[written:]

    async def drain(self) -> None:
        return None

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._file.close()
