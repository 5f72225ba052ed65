"""Detect servers by running them, not by ``which``.

A binary that exists but fails (rustup's ``rust-analyzer`` proxy printing
"Unknown binary" and exiting 1, a broken node install) counts as missing.
Results are cached for the life of the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from .registry import ServerDef

__all__ = ["Detection", "clear_detection_cache", "detect", "resolve_executable"]

_cache: dict[tuple[str, ...], Detection] = {}


@dataclass(frozen=True)
class Detection:
    """Outcome of running a server's version command.

    Attributes:
        name: the server name.
        available: ``True`` when the command exited 0 within the timeout.
        executable: resolved absolute path of ``command[0]``, or ``None``.
        version: first non-empty output line when available, else ``""``.
        reason: why it is unusable (``""`` when available), one line.
        install_hint: the server's install hint (always filled for convenience).
    """

    name: str
    available: bool
    executable: str | None
    version: str
    reason: str
    install_hint: str

    def describe(self) -> str:
        """One line for people: ``name: version`` or ``name missing (reason); install: hint``."""
        if self.available:
            return f"{self.name}: {self.version}"
        return f"{self.name} missing ({self.reason}); install: {self.install_hint}"


def resolve_executable(program: str) -> str | None:
    """Find ``program`` on PATH, then beside the running interpreter (venv ``bin``)."""
    if os.sep in program:
        return program if os.access(program, os.X_OK) else None
    found = shutil.which(program)
    if found is not None:
        return found
    return shutil.which(program, path=str(Path(sys.executable).parent))


def clear_detection_cache() -> None:
    """Forget cached detections (tests, or after the user installed a server)."""
    _cache.clear()


def _first_line(data: bytes) -> str:
    for line in data.decode("utf-8", "replace").splitlines():
        if line.strip():
            return line.strip()[:200]
    return ""


async def _run_version(argv: list[str], timeout_s: float) -> tuple[int | None, bytes]:
    proc = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        async with asyncio.timeout(timeout_s):
            out, _ = await proc.communicate()
        return proc.returncode, out
    except TimeoutError:
        return None, b""
    finally:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, 9)
            await proc.wait()


async def _probe(argv: list[str], shown: str, timeout_s: float) -> tuple[str, str]:
    """Return ``(reason, version)``: exactly one of them is non-empty."""
    try:
        code, out = await _run_version(argv, timeout_s)
    except OSError as exc:
        return f"cannot run {shown}: {exc.strerror}", ""
    if code is None:
        return f"`{shown}` did not finish within {timeout_s:g} s", ""
    if code != 0:
        line = _first_line(out)
        return f"`{shown}` exited {code}" + (f": {line}" if line else ""), ""
    return "", _first_line(out) or "unknown version"


async def detect(server: ServerDef, *, timeout_s: float = 10.0) -> Detection:
    """Run ``server``'s version command once per process and report the result.

    Args:
        server: the definition to check.
        timeout_s: how long the version command may run, in seconds.

    Returns:
        A :class:`Detection`; never raises for a missing or broken server.
    """
    key = (server.name, *server.command, *server.detect_argv())
    cached = _cache.get(key)
    if cached is not None:
        return cached
    executable = resolve_executable(server.command[0])
    argv = list(server.detect_argv())
    probe = resolve_executable(argv[0])
    reason = ""
    version = ""
    if executable is None:
        reason = f"{server.command[0]} not found"
    elif probe is None:
        reason = f"{argv[0]} not found"
    else:
        reason, version = await _probe([probe, *argv[1:]], " ".join(argv), timeout_s)
    result = Detection(
        name=server.name,
        available=not reason,
        executable=executable,
        version=version,
        reason=reason,
        install_hint=server.install_hint,
    )
    _cache[key] = result
    return result
