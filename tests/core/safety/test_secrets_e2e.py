"""Secrets end to end: scrubbed child environment, and redaction in SQLite, logs and panes.

The agent's own environment holds ANTHROPIC_API_KEY. A scripted model (fake
Messages API through the real anthropic SDK) runs ``env`` and prints keys;
then every table of the SQLite database, the database files themselves, the
log records and the events a face receives are searched for the secrets.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

import pytest

from tests.turns import Recorder, result_texts, scripted_session, use
from zeph_tui.core.config import db_path
from zeph_tui.core.events import (
    AgentMessageChunk,
    DiffContent,
    TextContent,
    ToolCall,
    ToolCallUpdate,
)
from zeph_tui.core.runtime import Runtime

ENV_KEY = "sk-ant-api03-Qm7xT2vK9pL4wR8nB3cF6hJ1dS5gA0eZyXuViOtNk-EnvKey77AA"
"""The agent's API key, set in its environment."""
OTHER_KEY = "sk-ant-api03-Hq3Lw8Pz2Vn6Rb1Tc9Ym4Kd7Fs0Gj5Xa-PrintedKey55BB"
"""A key that is not in the environment: caught by its shape."""
GH_TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
SECRETS = (ENV_KEY, OTHER_KEY, GH_TOKEN)


class Sink(Recorder):
    """tests.turns.Recorder plus the text a pane could render."""

    def visible_text(self) -> str:
        """Everything a pane could render."""
        out: list[str] = []
        for e in self.events:
            if isinstance(e, AgentMessageChunk):
                out.append(e.text)
            if isinstance(e, ToolCall | ToolCallUpdate):
                for c in e.content or ():
                    if isinstance(c, TextContent):
                        out.append(c.text)
                    elif isinstance(c, DiffContent):
                        out.append(f"{c.old_text}{c.new_text}")
                out.append(str(getattr(e, "raw_input", "")))
                out.append(str(getattr(e, "raw_output", "")))
                out.append(e.title or "")
        return "\n".join(out)


def scan_database(path: Path) -> tuple[list[str], int]:
    """(rows containing a secret, rows containing a redaction marker) over every table."""
    leaks: list[str] = []
    marked = 0
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        assert {"messages", "events", "tool_calls", "overflow_chunks"} <= set(tables)
        for table in tables:
            for row in conn.execute(f"SELECT * FROM {table}"):  # names from the schema
                text = " ".join(
                    v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in row
                )
                if any(s in text for s in SECRETS):
                    leaks.append(f"{table}: {text[:200]}")
                marked += "[REDACTED:" in text
    finally:
        conn.close()
    return leaks, marked


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", ENV_KEY)
    monkeypatch.setenv("ZEPH_PROVIDER", "anthropic")


async def test_secrets_never_reach_child_env_store_logs_or_panes(
    zeph_home: Path,
    workspace: Path,
    secret_env: None,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    runtime = await Runtime.start()
    log_file = tmp_path / "agent.log"
    handler = logging.FileHandler(log_file)  # a handler added after start-up
    logging.getLogger().addHandler(handler)
    sink = Sink()
    script = [
        use("bash", command="env; echo ANTHROPIC_API_KEY=${ANTHROPIC_API_KEY:-unset}"),
        use("bash", command=f"echo 'printed: {OTHER_KEY}'; echo token={GH_TOKEN}"),
        use(
            "bash",
            command=(  # > 16 KiB so the model gets head+tail and the rest is archived
                f"for i in $(seq 1 3000); do echo line $i; done; echo key {OTHER_KEY}"
            ),
        ),
        use("write_file", path="config.env", content=f"GITHUB_TOKEN={GH_TOKEN}\n"),
        use("read_file", path="config.env"),
        # the model repeats a key in its reply; the fake streams it in 7-char pieces
        {"blocks": [{"type": "text", "text": f"Your key is {ENV_KEY} and {OTHER_KEY} ok."}]},
    ]
    try:
        with caplog.at_level(logging.INFO):
            async with scripted_session(runtime, workspace, script, sink=sink) as (session, fake):
                stop = await session.prompt([f"check my setup (token {GH_TOKEN})"])
            logging.getLogger("zeph_tui.test").warning("leaked %s and %s", ENV_KEY, OTHER_KEY)
            logging.getLogger("zeph_tui.test").error("boom", exc_info=ValueError(GH_TOKEN))
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    assert stop == "end_turn"

    # 1. the child process never saw the key; the variable is not even set
    env_out = result_texts(fake.requests[1])[0]
    assert "PATH=" in env_out  # it is the env listing
    assert "ANTHROPIC_API_KEY=unset" in env_out
    assert ENV_KEY not in env_out

    # 2. the model's copy is redacted
    printed = result_texts(fake.requests[2])[0]
    assert "printed: [REDACTED:anthropic_key]" in printed
    assert "token=[REDACTED:github_token]" in printed
    assert "[REDACTED" in result_texts(fake.requests[5])[0]  # read_file of config.env
    for body in fake.requests[1:]:  # (the model's own tool inputs are its words, not a leak)
        assert not any(s in r for r in result_texts(body) for s in SECRETS)

    # 3. SQLite: every table, and the raw database files
    await runtime.store.db.conn.commit()
    leaks, marked = scan_database(db_path(zeph_home))
    assert leaks == []
    assert marked >= 5
    infos = await runtime.store.archive.list()
    assert len(infos) == 3
    big = next(i for i in infos if i.total_lines > 3000)
    tail = await runtime.store.archive.read(big.id, grep="^key ")
    assert tail.lines and "[REDACTED:anthropic_key]" in tail.lines[0][1]
    await runtime.aclose()
    for f in sorted(os.path.join(zeph_home, n) for n in os.listdir(zeph_home)):
        if not os.path.basename(f).startswith("zeph.db"):
            continue
        with open(f, "rb") as fh:  # noqa: ASYNC230 (test)
            raw = fh.read()
        assert not any(s.encode() in raw for s in SECRETS), f

    # 4. logs: caplog and a file handler added after start-up
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "leaked [REDACTED" in logged
    assert not any(s in logged for s in SECRETS)
    file_text = log_file.read_text()
    assert "leaked [REDACTED" in file_text
    assert not any(s in file_text for s in SECRETS)

    # 5. panes: every event the face received
    shown = sink.visible_text()
    assert "printed: [REDACTED:anthropic_key]" in shown
    reply = "".join(e.text for e in sink.events if isinstance(e, AgentMessageChunk))
    assert reply == "Your key is [REDACTED:secret] and [REDACTED:anthropic_key] ok."
    assert not any(s in shown for s in SECRETS)
