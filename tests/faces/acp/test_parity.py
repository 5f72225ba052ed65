"""One event model, three faces: the same scripted turn must look the same everywhere.

DESIGN.md, "One event model": core events are shaped like ACP ``session/update``
payloads; the ACP driver maps them 1:1, the dashboard renders them and
``zeph-tui run --json`` prints them. This test replays ONE scripted turn
(thinking, text, ``update_plan``, ``write_file`` with a diff, ``bash`` with
output, ``update_plan`` again, a closing text) through

(a) the core session with a recording sink (what the dashboard consumes),
(b) ``zeph-tui run --json --yes`` as a subprocess,
(c) ``zeph-tui acp`` over pipes (the ``update`` of each ``session/update``),

each with its own fresh workspace, ``ZEPH_HOME`` and fake Messages API serving
the same script, and asserts that the three sequences of update payloads are
equal once normalised (see :func:`normalise`). Every payload of every face is
validated against ``$defs/SessionUpdate`` of the ACP v1 schema.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.acp_schema import validate
from tests.conftest import make_repo
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fixtures_acp.peer import running
from tests.fixtures_acp.zeph_agent import INIT_NONE, ZephPeer, agent_env
from tests.turns import Recorder

ZEPH = str(Path(sys.executable).with_name("zeph-tui"))
PROMPT = "Write notes.txt, show it, and keep a plan."

PLAN_START = [
    {"content": "Write notes.txt", "status": "in_progress", "priority": "high"},
    {"content": "Show it with cat", "status": "pending"},
]
PLAN_DONE = [
    {"content": "Write notes.txt", "status": "completed", "priority": "high"},
    {"content": "Show it with cat", "status": "completed"},
]


def _tool(name: str, **args: Any) -> dict[str, Any]:
    return {"type": "tool_use", "name": name, "input": args}


SCRIPT: list[dict[str, Any]] = [
    {
        "blocks": [
            {"type": "thinking", "thinking": "Plan first, then write, then check."},
            {"type": "text", "text": "Let me plan this."},
            _tool("update_plan", entries=PLAN_START),
        ]
    },
    {
        "blocks": [
            {"type": "text", "text": "Writing the file."},
            _tool("write_file", path="notes.txt", content="alpha\nbeta\n"),
        ]
    },
    {"blocks": [_tool("bash", command="cat notes.txt && echo done-$((6*7))")]},
    {"blocks": [_tool("update_plan", entries=PLAN_DONE)]},
    {"blocks": [{"type": "text", "text": "All done: notes.txt holds alpha and beta."}]},
]

ACP_SESSION_LEVEL = frozenset(
    {
        # sent by the ACP driver about the session, not by the turn:
        "available_commands_update",  # slash commands, right after session/new
        "current_mode_update",  # our session/set_mode to bypass (run --yes is bypass too)
        "config_option_update",  # the same mode switch, as a config option
    }
)
"""ACP-only ``sessionUpdate`` kinds filtered from face (c) before comparing."""


# --------------------------------------------------------------------------- normalising


def _walk(value: Any, workspace: str) -> Any:
    if isinstance(value, str):
        return value.replace(workspace, "<ws>")
    if isinstance(value, list):
        return [_walk(v, workspace) for v in value]
    if isinstance(value, dict):
        return {k: _walk(v, workspace) for k, v in value.items()}
    return value


def _is_live_output(update: dict[str, Any]) -> bool:
    return (
        update["sessionUpdate"] == "tool_call_update"
        and set(update) == {"sessionUpdate", "toolCallId", "content"}
        and all(c["type"] == "content" for c in update["content"])
    )


def normalise(updates: list[dict[str, Any]], workspace: Path) -> list[dict[str, Any]]:
    """Make three faces' payloads comparable.

    - the workspace path (absolute paths in diffs, locations, raw I/O) -> ``<ws>``;
    - ``messageId`` / ``toolCallId`` -> ``msg-N`` / ``call-N`` by first appearance
      (each face has its own ids);
    - ``usage_update`` numbers (``used``, ``cost``, ``_meta`` token totals) -> ``<n>``;
    - consecutive live-output ``tool_call_update``s of one call (content only) are
      joined into one: how a command's output is cut into reads depends on timing.
    """
    ids: dict[str, str] = {}

    def rename(kind: str, value: str) -> str:
        key = f"{kind}:{value}"
        if key not in ids:
            ids[key] = f"{kind}-{sum(1 for k in ids if k.startswith(kind + ':')) + 1}"
        return ids[key]

    out: list[dict[str, Any]] = []
    for raw in updates:
        update = _walk(raw, str(workspace))
        if "messageId" in update:
            update["messageId"] = rename("msg", update["messageId"])
        if "toolCallId" in update:
            update["toolCallId"] = rename("call", update["toolCallId"])
        if update["sessionUpdate"] == "usage_update":
            update.update(used="<n>", cost="<n>", _meta="<n>")
        previous = out[-1] if out else None
        if (
            previous is not None
            and _is_live_output(update)
            and _is_live_output(previous)
            and previous["toolCallId"] == update["toolCallId"]
        ):
            joined = previous["content"][-1]["content"]["text"] + "".join(
                c["content"]["text"] for c in update["content"]
            )
            previous["content"] = [{"type": "content", "content": {"type": "text", "text": joined}}]
            continue
        out.append(update)
    return out


def check_schema(updates: list[dict[str, Any]]) -> None:
    for update in updates:
        validate("SessionUpdate", update)


# --------------------------------------------------------------------------- faces


class Approver:
    """Unlike tests.turns.AllowAll: bypass mode must never ask, so asking fails the test."""

    async def request_permission(self, request: Any) -> Any:
        raise AssertionError(f"bypass mode asked for permission: {request.tool_call.title}")


async def face_core(workspace: Path, base_url: str, mp: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    from zeph_tui.core.runtime import Runtime

    mp.setenv("ANTHROPIC_API_KEY", "sk-ant-dummy")
    mp.setenv("ANTHROPIC_BASE_URL", base_url)
    runtime = await Runtime.start(provider="anthropic")
    sink = Recorder()
    try:
        session = await runtime.open_session(
            workspace=workspace, sink=sink, approver=Approver(), mode="bypass"
        )
        try:
            assert await session.prompt([PROMPT]) == "end_turn"
        finally:
            await session.provider.aclose()
    finally:
        await runtime.aclose()
    return [event.to_acp() for event in sink.events]


async def face_run(workspace: Path, base_url: str, home: Path) -> list[dict[str, Any]]:
    env = {
        **os.environ,
        "ZEPH_HOME": str(home),
        "ANTHROPIC_API_KEY": "sk-ant-dummy",
        "ANTHROPIC_BASE_URL": base_url,
    }
    proc = await asyncio.create_subprocess_exec(
        ZEPH, "run", "--json", "--yes", "--provider", "anthropic", PROMPT,
        cwd=workspace, env=env, start_new_session=True,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0, err.decode(errors="replace")[-3000:]
    lines = [json.loads(line) for line in out.decode().splitlines()]
    assert lines[-1] == {"stopReason": "end_turn"}
    return lines[:-1]


async def face_acp(workspace: Path, base_url: str, home: Path) -> list[dict[str, Any]]:
    async with running(ZephPeer(dict(agent_env(base_url), ZEPH_HOME=str(home)))) as peer:
        await peer.ok("initialize", INIT_NONE)  # no client fs/terminal: local disk, local bash
        new = await peer.ok("session/new", {"cwd": str(workspace), "mcpServers": []})
        sid = new["sessionId"]
        first = await peer.next_update()  # sent after the response; wait so it is not mixed in
        assert first["params"]["update"]["sessionUpdate"] == "available_commands_update"
        await peer.ok("session/set_mode", {"sessionId": sid, "modeId": "bypass"})
        params = {"sessionId": sid, "prompt": [{"type": "text", "text": PROMPT}]}
        result = await peer.ok("session/prompt", params, timeout_s=60)
        assert result == {"stopReason": "end_turn"}
        frames = peer.updates()
    assert {f["sessionId"] for f in frames} == {sid}
    return [f["update"] for f in frames]


# --------------------------------------------------------------------------- the test


async def test_one_turn_three_faces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    roots = {name: tmp_path / name for name in ("core", "run", "acp")}
    spaces = {name: make_repo(root / "repo") for name, root in roots.items()}
    homes = {name: root / "home" for name, root in roots.items()}
    for home in homes.values():
        home.mkdir()
    monkeypatch.setenv("ZEPH_HOME", str(homes["core"]))

    raw: dict[str, list[dict[str, Any]]] = {}
    async with FakeAnthropic(SCRIPT) as fake:
        raw["core"] = await face_core(spaces["core"], fake.base_url, monkeypatch)
    async with FakeAnthropic(SCRIPT) as fake:
        raw["run"] = await face_run(spaces["run"], fake.base_url, homes["run"])
    async with FakeAnthropic(SCRIPT) as fake:
        raw["acp"] = await face_acp(spaces["acp"], fake.base_url, homes["acp"])

    for name, updates in raw.items():
        check_schema(updates)
        assert (spaces[name] / "notes.txt").read_text() == "alpha\nbeta\n", name
    acp_extra = [u for u in raw["acp"] if u["sessionUpdate"] in ACP_SESSION_LEVEL]
    assert {u["sessionUpdate"] for u in acp_extra} <= {
        "current_mode_update",
        "config_option_update",
        "available_commands_update",  # re-sent with the first prompt (Zed may drop the first)
    }
    raw["acp"] = [u for u in raw["acp"] if u["sessionUpdate"] not in ACP_SESSION_LEVEL]

    seqs = {name: normalise(updates, spaces[name]) for name, updates in raw.items()}
    assert seqs["run"] == seqs["core"]
    assert seqs["acp"] == seqs["core"]

    # the shared sequence is the whole turn, not an empty or trivial one
    seq = seqs["core"]
    kinds = [u["sessionUpdate"] for u in seq]
    assert kinds.count("plan") == 2 and kinds.count("tool_call") == 4
    assert kinds[0] == "session_info_update" and kinds[-1] == "usage_update"
    assert kinds.count("usage_update") == len(SCRIPT)
    assert [u["kind"] for u in seq if u["sessionUpdate"] == "tool_call"] == [
        "think",
        "edit",
        "execute",
        "think",
    ]
    plans = [u["entries"] for u in seq if u["sessionUpdate"] == "plan"]
    assert [e["status"] for e in plans[1]] == ["completed", "completed"]
    assert plans[0][1] == {"content": "Show it with cat", "priority": "medium", "status": "pending"}
    thought = "".join(
        u["content"]["text"] for u in seq if u["sessionUpdate"] == "agent_thought_chunk"
    )
    assert thought == "Plan first, then write, then check."
    contents = [
        c for u in seq if u["sessionUpdate"] == "tool_call_update" for c in u.get("content", [])
    ]
    diffs = [c for c in contents if c["type"] == "diff"]
    assert diffs == [
        {"type": "diff", "path": "<ws>/notes.txt", "oldText": None, "newText": "alpha\nbeta\n"}
    ]
    output = "".join(c["content"]["text"] for c in contents if c["type"] == "content")
    assert "alpha\nbeta\ndone-42\n" in output
    # three model messages carried text (thinking + text, text, the closing text)
    assert {u["messageId"] for u in seq if "messageId" in u} == {"msg-1", "msg-2", "msg-3"}
