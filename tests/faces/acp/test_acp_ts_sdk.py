"""The official TypeScript SDK as a second real client (beside acpx).

``@agentclientprotocol/sdk`` 2.4.0 (installed by ``scripts/dev.sh`` into
``.venv/node-acp``) runs ``tests/fixtures_acp/ts_sdk_client.mjs`` on Node 20:
two ``zeph-tui acp`` processes, one whole session: initialize, ``session/new``,
a select and a boolean config option, a turn where the model asks the person
through ``elicitation/create`` (form mode) and uses the answer, a cancelled
turn, then in a fresh process ``session/load``, ``session/list`` and
``session/delete``. The SDK validates every message it receives with its own
schema types; any failure surfaces as an error in the script's output.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.anthropic_api import FakeAnthropic
from tests.fixtures_acp.peer import REPO_ROOT
from tests.fixtures_acp.zeph_agent import agent_env, route
from tests.turns import result_texts

SDK_DIR = REPO_ROOT / ".venv" / "node-acp" / "node_modules" / "@agentclientprotocol" / "sdk"
SCRIPT = REPO_ROOT / "tests" / "fixtures_acp" / "ts_sdk_client.mjs"
NODE = shutil.which("node")


def case_ask(body: dict[str, Any], step: int) -> dict[str, Any]:
    if step == 0:
        question = {"question": "Which colour?", "choices": ["red", "blue"]}
        return {"blocks": [{"type": "tool_use", "name": "ask_user", "input": question}]}
    return {"blocks": [{"type": "text", "text": f"noted: {result_texts(body)[-1]}"}]}


def case_sleep(body: dict[str, Any], step: int) -> dict[str, Any]:
    if step == 0:
        return {"blocks": [{"type": "tool_use", "name": "bash", "input": {"command": "sleep 60"}}]}
    return {"blocks": [{"type": "text", "text": "woke"}]}


@pytest.fixture
async def fake() -> AsyncIterator[FakeAnthropic]:
    async with FakeAnthropic(route({"ask": case_ask, "sleep": case_sleep})) as server:
        yield server


async def test_official_typescript_sdk_drives_a_whole_session(
    fake: FakeAnthropic, workspace: Path
) -> None:
    assert NODE is not None, "node is required (scripts/dev.sh installs it)"
    assert (SDK_DIR / "package.json").is_file(), "run scripts/dev.sh setup (npm SDK 2.4.0)"
    assert json.loads((SDK_DIR / "package.json").read_text())["version"] == "2.4.0"
    proc = await asyncio.create_subprocess_exec(
        NODE,
        str(SCRIPT),
        str(SDK_DIR),
        str(workspace),
        sys.executable,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=agent_env(fake.base_url),
        cwd=REPO_ROOT,
    )
    async with asyncio.timeout(180):
        stdout, stderr = await proc.communicate()
    assert proc.returncode == 0, stderr.decode(errors="replace")[-3000:]
    out = json.loads(stdout.decode().strip().splitlines()[-1])
    assert "error" not in out, (out.get("error"), stderr.decode(errors="replace")[-3000:])
    caps = out["agentCapabilities"]["sessionCapabilities"]
    assert caps["delete"] == {} and caps["additionalDirectories"] == {}
    assert out["configIds"] == ["mode:select", "model:select", "thinking:boolean"]
    assert out["modeAfter"] == "bypass"
    assert out["thinkingAfter"] is True
    # the model asked through elicitation/create, the answer came back as the tool result
    assert out["askStop"] == "end_turn"
    [asked] = out["elicitations"]
    assert asked["mode"] == "form" and asked["message"] == "Which colour?"
    assert asked["requestedSchema"]["properties"]["answer"]["enum"] == ["red", "blue"]
    assert out["askReply"] == "noted: The person answered: blue"
    assert out["toolNames"][0] == "ask_user"
    assert out["commandsUpdates"] >= 2  # after session/new, again with the first prompt
    assert out["cancelStop"] == "cancelled"
    assert out["firstExit"] == 0
    # a fresh process: load replays the history, list, delete
    assert "[case:ask] favourite colour?" in out["replayedUser"]
    assert "noted: The person answered: blue" in out["replayedAgent"]
    assert out["listedBefore"] == [out["sessionId"]]
    assert out["listedAfter"] == []
    assert out["loadAfterDelete"] == -32002
    assert out["secondExit"] == 0
