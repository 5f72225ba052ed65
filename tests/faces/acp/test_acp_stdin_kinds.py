"""``zeph-tui acp`` with stdin that is not a pipe: ``< /dev/null`` and ``< frames.jsonl``.

epoll refuses character devices such as ``/dev/null`` and regular files (EPERM);
asyncio reports that only from a callback, so the agent used to print a traceback
and hang. The transport reads such stdin in a thread: every request in a file is
answered once, and EOF ends the agent with exit code 0.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.fixtures_acp.zeph_agent import agent_env

INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": 1}}
LIST = {"jsonrpc": "2.0", "id": 2, "method": "session/list", "params": {"cwd": "/nonexistent"}}


def run_acp(stdin: object, home: Path) -> subprocess.CompletedProcess[bytes]:
    env = dict(agent_env("http://127.0.0.1:9"), ZEPH_HOME=str(home))
    return subprocess.run(
        [sys.executable, "-m", "zeph_tui", "acp"],
        stdin=stdin, capture_output=True, env=env, timeout=60, check=False,
    )  # fmt: skip


def test_stdin_from_dev_null_ends_cleanly(tmp_path: Path) -> None:
    with open("/dev/null", "rb") as devnull:
        proc = run_acp(devnull, tmp_path)
    assert proc.returncode == 0
    assert proc.stdout == b""
    assert b"Traceback" not in proc.stderr


def test_stdin_from_a_file_answers_every_request_once(tmp_path: Path) -> None:
    frames = tmp_path / "frames.jsonl"
    frames.write_text("".join(json.dumps(f) + "\n" for f in (INITIALIZE, LIST)))
    with frames.open("rb") as stdin:
        proc = run_acp(stdin, tmp_path / "home")
    assert proc.returncode == 0, proc.stderr.decode()
    answers = [json.loads(line) for line in proc.stdout.splitlines()]
    assert sorted(a["id"] for a in answers if "id" in a) == [1, 2]
    assert next(a for a in answers if a.get("id") == 1)["result"]["protocolVersion"] == 1
    assert b"Traceback" not in proc.stderr
