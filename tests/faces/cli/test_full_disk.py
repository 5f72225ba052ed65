"""A full disk during a 100 MB command output through ``zeph-tui run --json``.

ZEPH_HOME is a real 16 MiB tmpfs (this needs root, as the suite runs here; a
non-root run fails at the mount, it is not skipped). The first prompt
commits a reply; the second streams 100 MB through ``bash`` until the disk is
full: the tool call ends ``failed``, the turn ends ``refusal`` with one clear
line and no traceback, every committed row is still there (integrity ok, the
first session's messages, the archive's committed chunks). Once space is
back (remount with 64 MiB) the next prompt ends ``end_turn``.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.faces.cli.mistakes import INIT, ZEPH, AcpPipe, zeph_env
from tests.fakes.anthropic_api import FakeAnthropic

STREAM = "yes 'a line of command output, long enough to fill a disk' | head -c 100000000"


@pytest.fixture
def small_home(tmp_path: Path) -> Iterator[Path]:
    home = tmp_path / "home"
    home.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(home)], check=True)
    try:
        yield home
    finally:
        subprocess.run(["umount", str(home)], check=True)


def script(body: dict[str, Any], index: int) -> dict[str, Any]:
    last = body["messages"][-1]["content"]
    text = last if isinstance(last, str) else json.dumps(last)
    if "stream" in text and index == 1:
        return {"blocks": [{"type": "tool_use", "name": "bash", "input": {"command": STREAM}}]}
    return {"blocks": [{"type": "text", "text": f"answer {index}"}]}


async def run_json(
    prompt: str, home: Path, workspace: Path, base_url: str
) -> tuple[int, list[Any], str]:
    env = zeph_env(
        home,
        ANTHROPIC_API_KEY="sk-ant-dummy",
        ANTHROPIC_BASE_URL=base_url,
        ZEPH_PROVIDER="anthropic",
    )
    proc = await asyncio.create_subprocess_exec(
        *[ZEPH, "run", "--json", "--yes", "--workspace", str(workspace), prompt],
        env=env,
        cwd=workspace,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    raw_out, raw_err = await asyncio.wait_for(proc.communicate(), 180)
    out, err = raw_out.decode(), raw_err.decode()
    assert "Traceback" not in out + err, err[-3000:]
    assert proc.returncode is not None
    return proc.returncode, [json.loads(line) for line in out.splitlines()], err


async def test_full_disk_fails_the_tool_call_keeps_data_and_recovers(
    small_home: Path, workspace: Path
) -> None:
    async with FakeAnthropic(script) as fake:
        code, lines, err = await run_json("first, small", small_home, workspace, fake.base_url)
        assert code == 0 and lines[-1] == {"stopReason": "end_turn"}, err

        code, lines, err = await run_json("stream 100 MB", small_home, workspace, fake.base_url)
        assert lines[-1] == {"stopReason": "refusal"} and code == 1
        finals = [
            u
            for u in lines
            if u.get("sessionUpdate") == "tool_call_update"
            and u.get("status") in ("failed", "completed")
        ]
        assert [u["status"] for u in finals] == ["failed"], finals
        last = err.strip().splitlines()[-1]
        assert last.startswith("zeph-tui: ") and ("full" in last or "No space left" in last), err

        db = sqlite3.connect(small_home / "zeph.db")
        try:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            first = db.execute(
                "SELECT s.id FROM sessions s JOIN messages m ON m.session_id = s.id "
                "WHERE m.parts_json LIKE '%answer 0%'"
            ).fetchall()
            assert len(first) == 1, "the first turn's reply is committed and kept"
            archive = db.execute("SELECT id, total_bytes, complete FROM overflow").fetchall()
            assert len(archive) == 1 and archive[0][2] == 0, archive
            stored = db.execute(
                "SELECT coalesce(sum(length(data)), 0) FROM overflow_chunks WHERE overflow_id = ?",
                (archive[0][0],),
            ).fetchone()[0]
            assert stored == archive[0][1] and 0 < stored < 100_000_000, (stored, archive)
        finally:
            db.close()

        subprocess.run(["mount", "-o", "remount,size=64m", str(small_home)], check=True)
        code, lines, err = await run_json("next prompt", small_home, workspace, fake.base_url)
        assert code == 0 and lines[-1] == {"stopReason": "end_turn"}, err
        assert any("answer" in json.dumps(u) for u in lines[:-1])


async def test_full_disk_over_acp_ends_with_refusal_and_a_failed_call(
    small_home: Path, workspace: Path
) -> None:
    env = {"ANTHROPIC_API_KEY": "sk-ant-dummy", "ZEPH_PROVIDER": "anthropic"}
    async with FakeAnthropic(script) as fake:
        async with AcpPipe(small_home, ANTHROPIC_BASE_URL=fake.base_url, **env) as acp:
            assert "result" in await acp.request("initialize", INIT)
            new = await acp.request("session/new", {"cwd": str(workspace), "mcpServers": []})
            sid = new["result"]["sessionId"]
            mode = await acp.request("session/set_mode", {"sessionId": sid, "modeId": "bypass"})
            assert "result" in mode, mode
            first = await acp.request("session/prompt", _prompt(sid, "first, small"))
            assert first["result"]["stopReason"] == "end_turn", first
            answer = await acp.request("session/prompt", _prompt(sid, "stream 100 MB"), 180)
            assert answer["result"]["stopReason"] == "refusal", answer
            finals = [
                u["status"]
                for u in acp.updates
                if u["sessionUpdate"] == "tool_call_update" and u.get("status") in _FINAL
            ]
            assert finals == ["failed"], finals
            said = [
                u["content"]["text"]
                for u in acp.updates
                if u["sessionUpdate"] == "agent_message_chunk"
            ]
            assert any("full" in text or "No space left" in text for text in said), said
            subprocess.run(["mount", "-o", "remount,size=64m", str(small_home)], check=True)
            again = await acp.request("session/prompt", _prompt(sid, "next prompt"), 60)
            assert again["result"]["stopReason"] == "end_turn", again
        # stderr is the agent's log (the session logs a failed tool with its traceback)
        assert acp.code == 0, acp.stderr[-3000:]
    db = sqlite3.connect(small_home / "zeph.db")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        kept = db.execute("SELECT count(*) FROM messages WHERE parts_json LIKE '%answer 0%'")
        assert kept.fetchone()[0] == 1
    finally:
        db.close()


_FINAL = ("failed", "completed")


def _prompt(session_id: str, text: str) -> dict[str, Any]:
    return {"sessionId": session_id, "prompt": [{"type": "text", "text": text}]}
