"""A real third-party ACP client (acpx, npm) drives the echo agent.

CI must have ``acpx`` on PATH (``npm install -g acpx@0.1.15``); the test fails,
not skips, without it. ``acpx --format json`` prints every frame of both
directions; each is checked against the ACP v1 schema.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.acp_schema import AGENT_TO_CLIENT, CLIENT_TO_AGENT, method_defs, validate_frame
from tests.fixtures_acp.peer import ECHO_AGENT, REPO_ROOT


def run_acpx(tmp_path: Path, prompt: str) -> list[dict[str, Any]]:
    acpx = shutil.which("acpx")
    assert acpx is not None, "acpx not found: CI must run `npm install -g acpx@0.1.15`"
    completed = subprocess.run(
        [
            acpx,
            "--agent",
            f"{sys.executable} {ECHO_AGENT}",
            "--cwd",
            str(tmp_path),
            "--format",
            "json",
            "--approve-all",
            "--timeout",
            "30",
            "exec",
            prompt,
        ],
        cwd=tmp_path,
        env=dict(os.environ, HOME=str(tmp_path), PYTHONPATH=str(REPO_ROOT)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return [json.loads(line) for line in completed.stdout.splitlines() if line.startswith("{")]


def check_frames(frames: list[dict[str, Any]]) -> None:
    """Validate every frame, inferring its direction from the method's side."""
    pending: dict[tuple[str, str], str] = {}
    for frame in frames:
        if "method" in frame:
            side = method_defs().get(frame["method"], {}).get("side")
            direction = CLIENT_TO_AGENT if side == "agent" else AGENT_TO_CLIENT
        else:
            key = json.dumps(frame["id"])
            agent_asked = (AGENT_TO_CLIENT, key) in pending
            client_asked = (CLIENT_TO_AGENT, key) in pending
            assert agent_asked != client_asked, f"ambiguous response id {key}"
            direction = CLIENT_TO_AGENT if agent_asked else AGENT_TO_CLIENT
        validate_frame(direction, frame, pending, allow_unknown_responses=False)
    assert not pending, f"unanswered requests: {pending}"


def chunks(frames: list[dict[str, Any]]) -> list[str]:
    return [
        f["params"]["update"]["content"]["text"]
        for f in frames
        if f.get("method") == "session/update"
        and f["params"]["update"]["sessionUpdate"] == "agent_message_chunk"
    ]


def test_acpx_initialize_session_and_streamed_prompt(tmp_path: Path) -> None:
    frames = run_acpx(tmp_path, "echo hello real client")
    check_frames(frames)
    methods = [f["method"] for f in frames if "method" in f and "id" in f]
    assert methods[:3] == ["initialize", "session/new", "session/prompt"]
    assert chunks(frames) == ["hello", "real", "client"]
    assert frames[-1]["result"] == {"stopReason": "end_turn"}


def test_acpx_serves_fs_read_for_the_agent(tmp_path: Path) -> None:
    target = tmp_path / "note.txt"
    target.write_text("file body 42\n")
    frames = run_acpx(tmp_path, f"read {target}")
    check_frames(frames)
    assert chunks(frames) == ["file body 42\n"]
