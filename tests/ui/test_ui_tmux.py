"""The real ``zeph-tui`` in a real terminal (tmux), against the fake Messages API
running as a separate process: type a prompt, see the reply and a tool pane.

Needs tmux (apt: tmux) — the test fails, not skips, without it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui.fake_api_process import fake_api_process

SCRIPT = [
    {
        "blocks": [
            {"type": "text", "text": "Counting the rows now."},
            {"type": "tool_use", "name": "bash", "input": {"command": "seq -f 'row %g' 1 4321"}},
        ]
    },
    {"blocks": [{"type": "text", "text": "All 4321 rows were printed."}]},
]


@pytest.fixture
def fake_api(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    record = tmp_path / "requests.jsonl"
    with fake_api_process(SCRIPT, tmp_path, record_file=record) as base_url:
        yield base_url, record


class Tmux:
    def __init__(self, socket: str) -> None:
        tmux = shutil.which("tmux")
        assert tmux, "tmux is not installed: CI must `apt-get install tmux`"
        self.base = [tmux, "-L", socket]

    def __call__(self, *args: str) -> str:
        return subprocess.run(
            [*self.base, *args], check=True, capture_output=True, text=True
        ).stdout

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", "zeph")

    def wait_for(self, *needles: str, timeout_s: float = 30.0) -> str:
        deadline = time.monotonic() + timeout_s
        while True:
            text = self.screen()
            if all(n in text for n in needles):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"{needles} not on screen:\n{text}")
            time.sleep(0.1)  # polling a separate process's screen: there is no event to await


def test_zeph_tui_in_tmux(
    tmp_path: Path, workspace: Path, zeph_home: Path, fake_api: tuple[str, Path]
) -> None:
    base_url, record = fake_api
    tmux = Tmux(f"zeph-test-{os.getpid()}")
    env = {
        "ZEPH_HOME": str(zeph_home),
        "ANTHROPIC_BASE_URL": base_url,
        "ANTHROPIC_API_KEY": "sk-ant-test-not-real",
        "ZEPH_PROVIDER": "anthropic",
        "TERM": "xterm-256color",
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
    }
    exports = " ".join(f"{k}={v!s}" for k, v in env.items())
    command = f"cd {workspace} && env -i {exports} {sys.executable} -m zeph_tui --yes"
    tmux("new-session", "-d", "-s", "zeph", "-x", "150", "-y", "45", command)
    try:
        tmux.wait_for("anthropic", "claude")
        tmux("send-keys", "-t", "zeph", "-l", "count the rows please")
        tmux("send-keys", "-t", "zeph", "Enter")
        screen = tmux.wait_for("All 4321 rows were printed.", "row 4321", "4321 lines")
        assert "Counting the rows now." in screen
        assert "count the rows please" in screen
        assert "✓ Run `seq -f 'row %g' 1 4321`" in screen
        requests = [json.loads(line) for line in record.read_text().splitlines()]
        assert requests[0]["messages"][0]["content"][0]["text"] == "count the rows please"
        tmux("send-keys", "-t", "zeph", "C-q")
        deadline = time.monotonic() + 15
        while "zeph" in subprocess.run([*tmux.base, "ls"], capture_output=True, text=True).stdout:
            assert time.monotonic() < deadline, "zeph-tui did not quit on Ctrl+Q"
            time.sleep(0.1)
    finally:
        subprocess.run([*tmux.base, "kill-server"], capture_output=True)
