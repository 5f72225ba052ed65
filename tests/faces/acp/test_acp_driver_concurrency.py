"""20 concurrent ACP sessions in one ``zeph-tui acp`` process, prompts interleaved.

One fake model server routes by a ``[s=NN]`` marker in the request. Each
session writes its own file in its own workspace, runs a command whose output
names it, and asks permission (bash answered per session: even sessions allow, odd
ones reject). Asserts there is no cross-talk in updates, files or permissions.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from tests.conftest import make_repo
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fixtures_acp.peer import running
from tests.fixtures_acp.zeph_agent import INIT_FULL, ZephPeer, agent_env, last_user_text

N_SESSIONS = 20


def script(body: dict[str, Any], _index: int) -> dict[str, Any]:
    marker = re.search(r"\[s=(\d+)\]", last_user_text(body))
    assert marker, last_user_text(body)
    n = int(marker.group(1))
    assistant_turns = sum(1 for m in body["messages"] if m["role"] == "assistant")
    if assistant_turns == 0:
        return {
            "delay_ms": 5,
            "blocks": [
                {"type": "text", "text": f"session {n} starting."},
                {
                    "type": "tool_use",
                    "name": "write_file",
                    "input": {"path": f"out_{n}.txt", "content": f"owner={n}\n"},
                },
            ],
        }
    if assistant_turns == 1:
        return {
            "blocks": [
                {
                    "type": "tool_use",
                    "name": "bash",
                    "input": {"command": f"cat out_{n}.txt; echo marker-{n}"},
                }
            ]
        }
    last = body["messages"][-1]["content"][0]
    return {"blocks": [{"type": "text", "text": f"session {n} done: {str(last['content'])[:80]}"}]}


async def test_twenty_sessions_isolated(tmp_path: Path) -> None:
    async with FakeAnthropic(script) as fake:
        peer = ZephPeer(agent_env(fake.base_url))

        def answer(params: dict[str, Any]) -> str:
            n = owners[params["sessionId"]]
            if params["toolCall"]["kind"] == "edit":
                return "allow_once"
            return "allow_once" if n % 2 == 0 else "reject_once"

        peer.editor.permission = answer
        async with running(peer):
            await peer.ok("initialize", INIT_FULL)
            workspaces = [make_repo(tmp_path / f"ws{n}") for n in range(N_SESSIONS)]
            new = await asyncio.gather(
                *(peer.ok("session/new", {"cwd": str(ws), "mcpServers": []}) for ws in workspaces)
            )
            sids = [r["sessionId"] for r in new]
            owners = {sid: n for n, sid in enumerate(sids)}
            assert len(set(sids)) == N_SESSIONS
            results = await asyncio.gather(
                *(
                    peer.ok(
                        "session/prompt",
                        {
                            "sessionId": sid,
                            "prompt": [{"type": "text", "text": f"[s={n:02d}] work"}],
                        },
                        timeout_s=60,
                    )
                    for n, sid in enumerate(sids)
                )
            )
            assert all(r == {"stopReason": "end_turn"} for r in results)

    by_session: dict[str, list[dict[str, Any]]] = {sid: [] for sid in sids}
    for line in peer.lines:
        if b'"session/update"' in line:
            import json

            params = json.loads(line)["params"]
            by_session[params["sessionId"]].append(params["update"])
    for n, sid in enumerate(sids):
        text = "".join(
            u["content"]["text"]
            for u in by_session[sid]
            if u["sessionUpdate"] == "agent_message_chunk"
        )
        assert text.startswith(f"session {n} starting.session {n} done"), text
        others = [m for m in re.findall(r"session (\d+)", text) if int(m) != n]
        assert not others, (n, text)
        # files: written through the client into this session's workspace only
        path = str((workspaces[n] / f"out_{n}.txt").resolve())
        assert peer.editor.buffers[path] == f"owner={n}\n"
        # permissions: asked for the write and for bash, in this session only
        asked = [p["toolCall"] for p in peer.editor.permission_requests if p["sessionId"] == sid]
        assert [a["kind"] for a in asked] == ["edit", "execute"]
        assert asked[0]["rawInput"]["path"] == f"out_{n}.txt"
        assert f"marker-{n}" in asked[1]["rawInput"]["command"]
        if n % 2 == 0:
            assert f"marker-{n}" in text
        else:
            assert "permission rejected" in text
        tool_ids = {u["toolCallId"] for u in by_session[sid] if "toolCallId" in u}
        for other in sids:
            if other != sid:
                assert not tool_ids & {
                    u["toolCallId"] for u in by_session[other] if "toolCallId" in u
                }
    written = sorted(
        p["path"]
        for r in peer.agent_requests
        if r["method"] == "fs/write_text_file"
        for p in [r["params"]]
    )
    assert len(written) == N_SESSIONS
