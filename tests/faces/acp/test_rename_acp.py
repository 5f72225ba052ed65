"""``/rename`` over ACP: zeph-tui acp as a subprocess, an editor-like client, schema-checked frames."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.anthropic_api import FakeAnthropic
from tests.fixtures_acp.peer import running
from tests.fixtures_acp.zeph_agent import INIT_FULL, INIT_NONE, ZephPeer, agent_env
from tests.paths import TESTS

FIXTURES = TESTS / "fixtures_rename"
FILES = ("__init__.py", "cli.py", "pricing.py", "report.py")


@pytest.fixture
async def peer() -> AsyncIterator[ZephPeer]:
    async with FakeAnthropic([{"blocks": [{"type": "text", "text": "unused"}]}]) as fake:
        # every frame, both ways, against the ACP v1 schema; exit code 0
        async with running(ZephPeer(agent_env(fake.base_url))) as agent:
            yield agent
        assert not fake.requests  # a slash command never calls the model


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "pyproj"
    shutil.copytree(FIXTURES / "pyproj", root)
    return root.resolve()


def _updates(peer: ZephPeer, sid: str) -> list[dict[str, Any]]:
    return [u["update"] for u in peer.updates(sid)]


async def _rename(peer: ZephPeer, sid: str, text: str) -> str:
    result = await peer.ok(
        "session/prompt",
        {"sessionId": sid, "prompt": [{"type": "text", "text": text}]},
        timeout_s=60,
    )
    assert result["stopReason"] == "end_turn"
    return ""


async def test_rename_through_editor_buffers(peer: ZephPeer, project: Path) -> None:
    await peer.ok("initialize", INIT_FULL)
    sid = (await peer.ok("session/new", {"cwd": str(project), "mcpServers": []}))["sessionId"]
    disk = {name: (project / "shop" / name).read_text() for name in FILES}
    await _rename(peer, sid, "/rename shop/pricing.py:4:5 grand_total")
    updates = _updates(peer, sid)
    commands = [u for u in updates if u["sessionUpdate"] == "available_commands_update"]
    assert any(c["name"] == "rename" for c in commands[-1]["availableCommands"])
    (call,) = [u for u in updates if u["sessionUpdate"] == "tool_call"]
    assert call["kind"] == "edit"
    assert len(call["locations"]) == 6
    assert {"path": str(project / "shop/report.py"), "line": 9} in call["locations"]
    diffs = [c for c in call["content"] if c["type"] == "diff"]
    assert sorted(Path(d["path"]).name for d in diffs) == sorted(FILES)
    (asked,) = peer.editor.permission_requests
    assert asked["toolCall"]["toolCallId"] == call["toolCallId"]
    assert any(c["type"] == "diff" for c in asked["toolCall"]["content"])
    done = [u for u in updates if u["sessionUpdate"] == "tool_call_update"]
    assert done[-1]["status"] == "completed"
    reply = "".join(
        u["content"]["text"] for u in updates if u["sessionUpdate"] == "agent_message_chunk"
    )
    assert "Renamed total to grand_total in 4 file(s)" in reply
    assert "in Report.render" in reply
    # the edits went to the editor's buffers through fs/write_text_file; disk untouched
    writes = [
        r["params"]["path"] for r in peer.agent_requests if r["method"] == "fs/write_text_file"
    ]
    assert sorted(Path(p).name for p in writes) == sorted(FILES)
    report = peer.editor.buffers[str(project / "shop/report.py")]
    assert "{grand_total(cart.items)} {cart.total} {self.total()}" in report
    assert {name: (project / "shop" / name).read_text() for name in FILES} == disk


async def test_rename_rejected_then_applied_to_disk(peer: ZephPeer, project: Path) -> None:
    await peer.ok("initialize", INIT_NONE)  # no fs: the agent writes the disk itself
    sid = (await peer.ok("session/new", {"cwd": str(project), "mcpServers": []}))["sessionId"]
    before = (project / "shop/report.py").read_text()
    peer.editor.permission = "reject_once"
    await _rename(peer, sid, "/rename shop/pricing.py:4:5 grand_total")
    assert (project / "shop/report.py").read_text() == before
    updates = _updates(peer, sid)
    assert [u["status"] for u in updates if u["sessionUpdate"] == "tool_call_update"] == ["failed"]
    peer.editor.permission = "allow_once"
    await _rename(peer, sid, "/rename shop/pricing.py:4:5 grand_total")
    assert "grand_total(cart.items)" in (project / "shop/report.py").read_text()
    await _rename(peer, sid, "/rename shop/nope.py:1:1 x")
    reply = "".join(
        u["content"]["text"]
        for u in _updates(peer, sid)
        if u["sessionUpdate"] == "agent_message_chunk"
    )
    assert "Rename failed" in reply
