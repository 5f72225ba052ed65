"""``zeph-tui acp`` end to end over pipes with the scripted model behind it.

initialize, session/new (modes, configOptions, available_commands_update),
prompts with every content kind, fs delegation into unsaved buffers, a client
terminal (released), permissions (once / always / reject), modes and config
options, slash commands, session/list, resume, close, and session/load after
the agent restarts. Every frame is validated against the ACP v1 schema.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.anthropic_api import FakeAnthropic
from tests.fixtures_acp.zeph_agent import (
    INIT_FULL,
    INIT_NONE,
    ZephPeer,
    agent_env,
    last_user_text,
    route,
)
from tests.turns import only_result


def text(t: str) -> dict[str, Any]:
    return {"blocks": [{"type": "text", "text": t}]}


def tool(name: str, **args: Any) -> dict[str, Any]:
    return {"blocks": [{"type": "tool_use", "name": name, "input": args}]}


def case_hello(body: dict[str, Any], step: int) -> dict[str, Any]:
    return {
        "blocks": [
            {"type": "thinking", "thinking": "greeting"},
            {"type": "text", "text": "Hello from zeph."},
        ]
    }


def case_blocks(body: dict[str, Any], step: int) -> dict[str, Any]:
    content = body["messages"][-1]["content"]
    kinds = [c["type"] for c in content]
    joined = " ".join(c.get("text", "") for c in content if c["type"] == "text")
    return text(
        f"kinds={','.join(kinds)} link={'file:///x/notes.md' in joined} "
        f"embedded={'EMBEDDED-BODY' in joined}"
    )


def case_fs(body: dict[str, Any], step: int) -> dict[str, Any]:
    if step == 0:
        return tool("read_file", path="pkg/calc.py")
    if step == 1:
        assert "UNSAVED-BUFFER" in only_result(body)["text"], only_result(body)["text"]
        return tool(
            "edit_file",
            path="pkg/calc.py",
            old_string="UNSAVED-BUFFER",
            new_string="EDITED-BY-AGENT",
        )
    if step == 2:
        assert "Edited" in only_result(body)["text"], only_result(body)["text"]
        return text("fs done")
    raise AssertionError(step)


def case_term(body: dict[str, Any], step: int) -> dict[str, Any]:
    if step == 0:
        return tool("bash", command="echo term-out-$((6*7)); exit 3")
    assert "term-out-42" in only_result(body)["text"]
    assert "exit code 3" in only_result(body)["text"]
    return text("term done")


def case_perm(body: dict[str, Any], step: int) -> dict[str, Any]:
    if step < 3:
        return tool("bash", command=("ls -l pkg", "ls -a pkg", "ls -1 pkg")[step])
    return text(only_result(body)["text"][:200])


@pytest.fixture
async def fake() -> AsyncIterator[FakeAnthropic]:
    script = route(
        {
            "hello": case_hello,
            "blocks": case_blocks,
            "fs": case_fs,
            "term": case_term,
            "perm": case_perm,
        }
    )
    async with FakeAnthropic(script) as server:
        yield server


def prompt(sid: str, *blocks: Any) -> dict[str, Any]:
    return {
        "sessionId": sid,
        "prompt": [{"type": "text", "text": b} if isinstance(b, str) else b for b in blocks],
    }


def kinds(updates: list[dict[str, Any]]) -> list[str]:
    return [u["update"]["sessionUpdate"] for u in updates]


def joined(updates: list[dict[str, Any]], kind: str = "agent_message_chunk") -> str:
    return "".join(
        u["update"]["content"]["text"] for u in updates if u["update"]["sessionUpdate"] == kind
    )


async def test_initialize_and_new_session(peer: ZephPeer, workspace: Path) -> None:
    init = await peer.ok("initialize", INIT_FULL)
    caps = init["agentCapabilities"]
    assert init["protocolVersion"] == 1
    assert caps["loadSession"] is True
    assert caps["promptCapabilities"] == {"image": True, "audio": False, "embeddedContext": True}
    assert caps["sessionCapabilities"] == {
        "list": {},
        "resume": {},
        "close": {},
        "delete": {},
        "additionalDirectories": {},
    }
    assert init["agentInfo"]["name"] == "zeph-tui"
    new = await peer.ok("session/new", {"cwd": str(workspace), "mcpServers": []})
    sid = new["sessionId"]
    assert new["modes"]["currentModeId"] == "ask"
    assert [m["id"] for m in new["modes"]["availableModes"]] == ["ask", "code", "plan", "bypass"]
    options = {o["id"]: o for o in new["configOptions"]}
    assert options["mode"]["currentValue"] == "ask"
    assert options["mode"]["category"] == "mode"
    assert options["model"]["category"] == "model"
    first = await peer.next_update()
    assert first["params"]["sessionId"] == sid
    commands = first["params"]["update"]
    assert commands["sessionUpdate"] == "available_commands_update"
    assert {c["name"] for c in commands["availableCommands"]} == {
        "help",
        "model",
        "mode",
        "compact",
        "clear",
        "title",
        "rename",
        "diagnostics",
        "skills",
        "memory",
        "plan",
        "undo",
        "export",
    }


async def test_prompt_streams_and_titles(peer: ZephPeer, workspace: Path) -> None:
    await peer.ok("initialize", INIT_NONE)
    sid = (await peer.ok("session/new", {"cwd": str(workspace), "mcpServers": []}))["sessionId"]
    result = await peer.ok("session/prompt", prompt(sid, "[case:hello] say hi"))
    assert result == {"stopReason": "end_turn"}
    updates = peer.updates(sid)
    assert joined(updates) == "Hello from zeph."
    assert joined(updates, "agent_thought_chunk") == "greeting"
    seen = kinds(updates)
    assert "session_info_update" in seen
    assert "usage_update" in seen
    info = next(
        u["update"] for u in updates if u["update"]["sessionUpdate"] == "session_info_update"
    )
    assert info["title"].startswith("[case:hello]")


async def test_prompt_content_blocks(peer: ZephPeer, workspace: Path, fake: FakeAnthropic) -> None:
    await peer.ok("initialize", INIT_NONE)
    sid = (await peer.ok("session/new", {"cwd": str(workspace), "mcpServers": []}))["sessionId"]
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 16).decode()
    result = await peer.ok(
        "session/prompt",
        prompt(
            sid,
            "[case:blocks] look",
            {"type": "resource_link", "uri": "file:///x/notes.md", "name": "notes.md"},
            {
                "type": "resource",
                "resource": {
                    "uri": "file:///x/a.py",
                    "text": "EMBEDDED-BODY",
                    "mimeType": "text/x-python",
                },
            },
            {"type": "image", "mimeType": "image/png", "data": png},
        ),
    )
    assert result["stopReason"] == "end_turn"
    assert joined(peer.updates(sid)) == "kinds=text,text,text,image link=True embedded=True"
    sent = fake.requests[-1]["messages"][-1]["content"]
    assert sent[-1]["type"] == "image"
    assert sent[-1]["source"]["data"] == png
    bad = await peer.request(
        "session/prompt",
        {"sessionId": sid, "prompt": [{"type": "image", "mimeType": "image/png"}]},
        check=False,
    )
    assert bad["error"]["code"] == -32602
    assert "prompt[0].data" in bad["error"]["message"]


async def test_fs_delegation_sees_and_edits_unsaved_buffers(
    peer: ZephPeer, workspace: Path
) -> None:
    await peer.ok("initialize", INIT_FULL)
    sid = (await peer.ok("session/new", {"cwd": str(workspace), "mcpServers": []}))["sessionId"]
    await peer.ok("session/set_mode", {"sessionId": sid, "modeId": "code"})
    calc = str((workspace / "pkg" / "calc.py").resolve())
    peer.editor.buffers[calc] = "def add(a, b):\n    return a + b  # UNSAVED-BUFFER\n"
    result = await peer.ok("session/prompt", prompt(sid, "[case:fs] edit it"))
    assert result["stopReason"] == "end_turn", peer.updates(sid)
    assert "EDITED-BY-AGENT" in peer.editor.buffers[calc]
    assert "UNSAVED-BUFFER" not in (workspace / "pkg" / "calc.py").read_text()  # disk untouched
    methods = [r["method"] for r in peer.agent_requests]
    assert "fs/read_text_file" in methods
    assert "fs/write_text_file" in methods
    updates = peer.updates(sid)
    edit = [u["update"] for u in updates if u["update"]["sessionUpdate"] == "tool_call"][1]
    assert edit["kind"] == "edit"
    done = next(
        u["update"]
        for u in updates
        if u["update"]["sessionUpdate"] == "tool_call_update"
        and u["update"]["toolCallId"] == edit["toolCallId"]
        and u["update"].get("status") == "completed"
    )
    diff = next(c for c in done["content"] if c["type"] == "diff")
    assert diff["path"] == calc
    assert "EDITED-BY-AGENT" in diff["newText"]
    assert "UNSAVED-BUFFER" in diff["oldText"]
    assert any(loc["path"] == calc for loc in done.get("locations", []))
    modes = [u["update"] for u in updates if u["update"]["sessionUpdate"] == "current_mode_update"]
    assert modes
    assert modes[0]["currentModeId"] == "code"


async def test_client_terminal_used_and_released(peer: ZephPeer, workspace: Path) -> None:
    await peer.ok("initialize", INIT_FULL)
    sid = (await peer.ok("session/new", {"cwd": str(workspace), "mcpServers": []}))["sessionId"]
    await peer.ok("session/set_mode", {"sessionId": sid, "modeId": "bypass"})
    result = await peer.ok("session/prompt", prompt(sid, "[case:term] run"))
    assert result["stopReason"] == "end_turn"
    assert list(peer.editor.terminals) == ["term-1"]
    assert peer.editor.released == ["term-1"]
    updates = [u["update"] for u in peer.updates(sid)]
    call = next(u for u in updates if u["sessionUpdate"] == "tool_call")
    assert call["kind"] == "execute"
    embedded = [
        u
        for u in updates
        if u["sessionUpdate"] == "tool_call_update"
        and any(c["type"] == "terminal" for c in u.get("content", []))
    ]
    assert embedded
    assert embedded[0]["content"][0]["terminalId"] == "term-1"
    final = [
        u
        for u in updates
        if u["sessionUpdate"] == "tool_call_update" and u.get("status") == "failed"
    ]
    assert final, "exit code 3 reports the call as failed"


async def test_permissions_once_always_reject(peer: ZephPeer, workspace: Path) -> None:
    await peer.ok("initialize", INIT_NONE)
    sid = (await peer.ok("session/new", {"cwd": str(workspace), "mcpServers": []}))["sessionId"]
    peer.editor.permission = "allow_always"
    result = await peer.ok("session/prompt", prompt(sid, "[case:perm] go"))
    assert result["stopReason"] == "end_turn"
    # "always" covers `ls` commands for this session: one question for three calls.
    assert len(peer.editor.permission_requests) == 1
    asked = peer.editor.permission_requests[0]
    always = next(o for o in asked["options"] if o["kind"] == "allow_always")
    assert "'ls'" in always["name"]
    assert {o["kind"] for o in asked["options"]} == {
        "allow_once",
        "allow_always",
        "reject_once",
        "reject_always",
    }
    assert asked["toolCall"]["kind"] == "execute"
    # another session does not inherit the remembered answer
    other = (await peer.ok("session/new", {"cwd": str(workspace), "mcpServers": []}))["sessionId"]
    peer.editor.permission = "reject_once"
    await peer.ok("session/prompt", prompt(other, "[case:perm] go"))
    assert len(peer.editor.permission_requests) == 4
    assert "permission rejected" in joined(peer.updates(other))
    # plan mode is read-only: bash is denied without asking
    await peer.ok("session/set_mode", {"sessionId": other, "modeId": "plan"})
    await peer.ok("session/prompt", prompt(other, "[case:perm] again"))
    assert len(peer.editor.permission_requests) == 4
    assert "plan mode" in joined(peer.updates(other))


async def test_modes_config_and_slash_commands(peer: ZephPeer, workspace: Path) -> None:
    await peer.ok("initialize", INIT_NONE)
    sid = (await peer.ok("session/new", {"cwd": str(workspace), "mcpServers": []}))["sessionId"]
    peer.updates()
    result = await peer.ok(
        "session/set_config_option", {"sessionId": sid, "configId": "mode", "value": "plan"}
    )
    assert {o["id"]: o["currentValue"] for o in result["configOptions"]}["mode"] == "plan"
    result = await peer.ok(
        "session/set_config_option",
        {"sessionId": sid, "configId": "model", "value": "claude-haiku-4-5"},
    )
    assert {o["id"]: o["currentValue"] for o in result["configOptions"]}[
        "model"
    ] == "claude-haiku-4-5"
    seen = kinds(peer.updates(sid))
    assert "current_mode_update" in seen
    assert "config_option_update" in seen
    bad = await peer.request("session/set_mode", {"sessionId": sid, "modeId": "yolo!"})
    assert bad["error"]["code"] == -32602
    assert "modeId" in bad["error"]["message"]
    bad = await peer.request(
        "session/set_config_option", {"sessionId": sid, "configId": "colour", "value": "red"}
    )
    assert bad["error"]["code"] == -32602
    assert "configId" in bad["error"]["message"]
    for command, expect in (
        ("/help", "/skills"),
        ("/mode code", "Mode set to accept-edits"),
        ("/model", "claude-haiku-4-5"),
        ("/skills", "Skills ("),
        ("/compact", "Nothing to compact yet"),
        ("/clear", "Conversation cleared"),
    ):
        assert (await peer.ok("session/prompt", prompt(sid, command)))["stopReason"] == "end_turn"
        assert expect in joined(peer.updates(sid)), command


async def test_list_resume_close_and_load_after_restart(
    fake: FakeAnthropic, workspace: Path
) -> None:
    env = agent_env(fake.base_url)
    first = await ZephPeer(env).start()
    try:
        await first.ok("initialize", INIT_FULL)
        sid = (await first.ok("session/new", {"cwd": str(workspace), "mcpServers": []}))[
            "sessionId"
        ]
        await first.ok("session/set_mode", {"sessionId": sid, "modeId": "bypass"})
        await first.ok("session/prompt", prompt(sid, "[case:hello] first"))
        await first.ok("session/prompt", prompt(sid, "[case:term] second"))
    finally:
        assert await first.close() == 0
    first.check_all()

    second = await ZephPeer(env).start()
    try:
        await second.ok("initialize", INIT_FULL)
        listed = await second.ok("session/list", {"cwd": str(workspace)})
        assert [s["sessionId"] for s in listed["sessions"]] == [sid]
        assert listed["sessions"][0]["title"].startswith("[case:hello]")
        missing = await second.request(
            "session/load", {"sessionId": "sess_nope", "cwd": str(workspace), "mcpServers": []}
        )
        assert missing["error"]["code"] == -32002
        _, response = await second.start_request(
            "session/load", {"sessionId": sid, "cwd": str(workspace), "mcpServers": []}
        )
        loaded = await response
        assert loaded["result"]["modes"]["currentModeId"] == "bypass"
        # every replayed update arrived before the response (the reader is ordered)
        replay = second.updates(sid)
        seq = [(u["update"]["sessionUpdate"], u["update"].get("status")) for u in replay]
        assert seq[0] == ("user_message_chunk", None)
        assert ("agent_message_chunk", None) in seq
        assert ("agent_thought_chunk", None) in seq
        assert ("tool_call", "failed") in seq  # final status of `exit 3`
        assert [
            u["update"]["content"]["text"]
            for u in replay
            if u["update"]["sessionUpdate"] == "user_message_chunk"
        ] == ["[case:hello] first", "[case:term] second"]
        # the conversation continues with its history
        await second.ok("session/prompt", prompt(sid, "[case:hello] third"))
        assert "first" in str(fake.requests[-1]["messages"][0])
        await second.ok("session/close", {"sessionId": sid})
        gone = await second.request("session/prompt", prompt(sid, "[case:hello] x"))
        assert gone["error"]["code"] == -32002
        resumed = await second.ok(
            "session/resume", {"sessionId": sid, "cwd": str(workspace), "mcpServers": []}
        )
        assert resumed["modes"]["currentModeId"] == "bypass"
        second.updates()
        await second.ok("session/prompt", prompt(sid, "[case:hello] fourth"))
        assert last_user_text(fake.requests[-1]).endswith("fourth")
    finally:
        assert await second.close() == 0
    second.check_all()
