"""Secrets a determined leak prints, through a real ``zeph-tui run --json --yes`` process.

The agent process holds its provider key in its environment. The scripted
model (fake Messages API, real anthropic SDK in the agent) runs commands that
print an AWS secret access key on its own line, base64 / hex / reversed copies
of a ``.env`` holding the provider key, and the agent's own
``/proc/<agent pid>/environ`` raw, base64 and hex. Then every place a secret
could land is searched for every form: each table of zeph.db and its raw
files, a copy of the WAL taken while the run was live, audit.jsonl, the
agent's stderr (its logs), the ``run --json`` stdout, and every request the
model received.

The sandbox is off in the first run so the ``/proc`` read reaches the agent
(root here: only the masked initial environment stops it); the second run,
with the default sandbox, shows the agent is not even visible.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

from tests.fakes.anthropic_api import FakeAnthropic
from tests.turns import only_result
from zeph_tui.core.safety.known_secrets import encoded_variants

ZEPH = str(Path(sys.executable).with_name("zeph-tui"))
AGENT_KEY = "sk-ant-api03-Zr4Ty8Qp2Wm6Xn0Lk3Vb7Hc1Jd5Fs9Ga-AgentEnvKey42ZZ"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzK9Q2mvT4LpA"


def forbidden() -> dict[str, str]:
    """Every form that must not appear: the AWS secret and the key's encodings."""
    forms = {"aws secret": AWS_SECRET}
    for n, variant in enumerate(sorted(encoded_variants(AGENT_KEY))):
        forms[f"key form {n}"] = variant
    forms["key hex"] = AGENT_KEY.encode().hex()
    forms["key base64"] = base64.b64encode(AGENT_KEY.encode()).decode()[:-4]
    forms["key reversed"] = AGENT_KEY[::-1]
    return forms


def leaks(text: str) -> list[str]:
    return [name for name, form in forbidden().items() if form in text]


def bash(command: str) -> dict[str, Any]:
    return {"blocks": [{"type": "tool_use", "name": "bash", "input": {"command": command}}]}


async def run_agent(
    workspace: Path, script: list[dict[str, Any]], pid_box: list[int]
) -> tuple[int, str, str, FakeAnthropic]:
    def serve(body: dict[str, Any], step: int) -> dict[str, Any]:
        block = json.dumps(script[step]).replace("AGENT_PID", str(pid_box[0]))
        return dict(json.loads(block))

    async with FakeAnthropic(serve) as fake:
        env = {
            **os.environ,
            "ANTHROPIC_API_KEY": AGENT_KEY,
            "ANTHROPIC_BASE_URL": fake.base_url,
            "ZEPH_PROVIDER": "anthropic",
        }
        proc = await asyncio.create_subprocess_exec(
            ZEPH,
            "run",
            "--json",
            "--yes",
            "check the credentials",
            cwd=workspace,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        pid_box[0] = proc.pid
        out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode(), fake


def database_text(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        assert {"messages", "events", "tool_calls", "overflow_chunks"} <= set(tables)
        parts = []
        for table in tables:
            for row in conn.execute(f"SELECT * FROM {table}"):  # names from the schema
                parts.extend(
                    v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in row
                )
        return "\n".join(parts)
    finally:
        conn.close()


def results_text(fake: FakeAnthropic) -> list[str]:
    """The tool result of each request after the first (what the model got back)."""
    return [only_result(body)["text"] for body in fake.requests[1:]]


def prepare(zeph_home: Path, workspace: Path, sandbox: bool) -> None:
    (workspace / "creds.txt").write_text(f"[default]\n{AWS_SECRET}\n")
    (workspace / ".env").write_text(f"ANTHROPIC_API_KEY={AGENT_KEY}\n")
    (zeph_home / "config.toml").write_text(f"[sandbox]\nenabled = {str(sandbox).lower()}\n")


async def test_no_form_of_a_secret_lands_anywhere(zeph_home: Path, workspace: Path) -> None:
    prepare(zeph_home, workspace, sandbox=False)
    environ = "/proc/AGENT_PID/environ"
    script = [
        bash("cat creds.txt"),
        bash("base64 .env; base64 -w0 .env; echo; xxd -p .env; od -An -tx1 .env; rev .env"),
        bash(f"tr '\\0' '\\n' < {environ} | grep -a API_KEY; base64 -w0 {environ}; echo"),
        bash(f"xxd -p {environ} | tr -d '\\n'; echo; rev {environ} | head -c 4000"),
        {"blocks": [{"type": "tool_use", "name": "read_file", "input": {"path": "creds.txt"}}]},
        bash(f"cp {zeph_home}/zeph.db-wal wal.copy && ls -l wal.copy"),
        {"blocks": [{"type": "text", "text": "checked"}]},
    ]
    code, out, err, fake = await run_agent(workspace, script, [0])
    assert code == 0, err
    assert json.loads(out.splitlines()[-1]) == {"stopReason": "end_turn"}
    assert err.count("sandbox off") == 1  # announced once

    got = results_text(fake)
    assert "[REDACTED:" in got[0]  # the standalone AWS secret was seen and redacted
    assert got[1].count("[REDACTED:secret]") >= 5  # base64 twice, hex, od, rev
    assert "ANTHROPIC_API_KEY=****" in got[2]  # the /proc read worked: the value is masked
    assert "wal.copy" in got[5]

    places = {
        "run --json stdout": out,
        "stderr (logs)": err,
        "model requests": json.dumps(fake.requests),
        "zeph.db tables": database_text(zeph_home / "zeph.db"),
        "audit.jsonl": (zeph_home / "audit.jsonl").read_text(),
        "WAL copy": (workspace / "wal.copy").read_bytes().decode("utf-8", "replace"),
    }
    for name in sorted(os.listdir(zeph_home)):
        if name.startswith("zeph.db"):
            places[name] = (zeph_home / name).read_bytes().decode("utf-8", "replace")
    assert len(places["WAL copy"]) > 0
    found = {place: leaks(text) for place, text in places.items() if leaks(text)}
    assert found == {}


async def test_in_the_default_sandbox_the_agent_process_is_not_even_visible(
    zeph_home: Path, workspace: Path
) -> None:
    prepare(zeph_home, workspace, sandbox=True)
    script = [
        bash("cat /proc/AGENT_PID/environ; ls /proc | grep -c '^[0-9]'"),
        {"blocks": [{"type": "text", "text": "checked"}]},
    ]
    code, _, err, fake = await run_agent(workspace, script, [0])
    assert code == 0, err
    assert "sandbox" not in err
    result = results_text(fake)[0]
    assert "No such file or directory" in result
    processes = int(result.strip().splitlines()[-1])
    assert processes <= 4  # bwrap's init, bash, ls, grep: a PID namespace of its own
