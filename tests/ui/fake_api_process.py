"""The fake Messages API (``tests/fakes/anthropic_api.py``) in its own process, as
the real API would be: for the tmux test and ``bench/ui_latency.py``."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def fake_api_process(
    script: Sequence[dict[str, Any]], tmp: Path, *, record_file: Path | None = None
) -> Iterator[str]:
    """Serve ``script`` from a subprocess on loopback; yields its base URL.

    Args:
        script: the responses, as :class:`tests.fakes.anthropic_api.FakeAnthropic` takes them.
        tmp: a directory for the script and port files.
        record_file: where the fake appends each request body as a JSON line.

    Raises:
        RuntimeError: the fake did not start (its stderr in the message).
    """
    script_file, port_file = tmp / "anthropic_script.json", tmp / "anthropic_api.port"
    script_file.write_text(json.dumps(list(script)))
    args = ["--script", str(script_file), "--port-file", str(port_file)]
    if record_file is not None:
        args += ["--record-file", str(record_file)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.anthropic_api", *args],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        port = proc.stdout.readline().strip()  # printed once the socket listens
        if not port.isdigit():
            _, err = proc.communicate(timeout=10)
            raise RuntimeError(f"the fake API did not start: {err.strip() or port}")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
