"""An independent ACP client drives ``zeph-tui acp``: acpx 0.1.15 (npm, global).

acpx spawns the agent per command (``--agent``) and keeps session records in
``$HOME/.acpx``; a session created by one agent process is reconnected by the
next acpx command with ``session/load`` in a fresh agent process. With the
scripted model behind the agent, one turn reads a file through ``fs/*``, writes
one after a ``session/request_permission``, and runs a command in an acpx
terminal; the next command restarts the agent and loads the session (history
replayed), then ``set-mode`` and ``set model`` exercise ``session/set_mode`` and
``session/set_config_option``. acpx's ``--format json`` prints every frame in
both directions: each is validated against the ACP v1 schema.

What acpx cannot do here (cancel of a live turn over its queue IPC, images,
embedded resources, MCP servers, many sessions at once, bad input) is covered
by tests/test_acp_driver_*.py with our own pipe client.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path
from typing import Any

from tests.acp_schema import AGENT_TO_CLIENT, CLIENT_TO_AGENT, FrameError, validate_frame
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fixtures_acp.zeph_agent import agent_env, route
from tests.paths import REPO_ROOT

ACPX = shutil.which("acpx")
ZEPH = REPO_ROOT / ".venv" / "bin" / "zeph-tui"
AGENT_CMD = f"{ZEPH} acp --provider anthropic"
_CLIENT_SERVED = {
    "session/update",
    "session/request_permission",
    "fs/read_text_file",
    "fs/write_text_file",
    "terminal/create",
    "terminal/output",
    "terminal/wait_for_exit",
    "terminal/kill",
    "terminal/release",
}


def validate_all(frames: list[dict[str, Any]]) -> list[str]:
    """Validate a two-way frame log; returns the $defs names used."""
    pending: dict[tuple[str, str], str] = {}
    used: list[str] = []
    for frame in frames:
        if "method" in frame:
            direction = AGENT_TO_CLIENT if frame["method"] in _CLIENT_SERVED else CLIENT_TO_AGENT
            used.append(validate_frame(direction, frame, pending) or "")
            continue
        # a response: its sender is the peer of whoever sent the request with this id
        key = json.dumps(frame["id"])
        candidates = [d for d in (AGENT_TO_CLIENT, CLIENT_TO_AGENT) if (d, key) in pending]
        errors = []
        for requester in candidates:
            sender = CLIENT_TO_AGENT if requester == AGENT_TO_CLIENT else AGENT_TO_CLIENT
            trial = dict(pending)
            trial = {k: v for k, v in trial.items() if k[0] != requester or k[1] != key} | {
                (requester, key): pending[(requester, key)]
            }
            try:
                used.append(
                    validate_frame(sender, frame, trial, allow_unknown_responses=False) or ""
                )
            except FrameError as exc:
                errors.append(exc)
                continue
            pending = trial
            break
        else:
            raise AssertionError(f"no matching request for {frame!r:.300}: {errors}")
    return used


async def acpx(home: Path, env: dict[str, str], cwd: Path, *args: str) -> list[dict[str, Any]]:
    """Run one acpx command; returns the JSON lines it printed (frames and summaries)."""
    assert ACPX, "acpx not found on PATH: CI must `npm install -g acpx@0.1.15`"
    proc = await asyncio.create_subprocess_exec(
        ACPX,
        "--format",
        "json",
        "--ttl",
        "1",
        "--timeout",
        "60",
        *args,
        cwd=cwd,
        env=dict(env, HOME=str(home)),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 90)
    if os.environ.get("ACPX_DEBUG"):
        print(args, out.decode()[-3000:], err.decode()[-3000:])
    assert proc.returncode == 0, (args, err.decode()[-2000:], out.decode()[-2000:])
    frames = []
    for line in out.decode().splitlines():
        if line.startswith("{"):
            frames.append(json.loads(line))
    return frames


def rpc(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in lines if line.get("jsonrpc") == "2.0"]


async def agents_gone(home: Path) -> None:
    """Wait until the agent processes acpx recorded have exited (its queue owner TTL is 1 s)."""
    pids = set()
    for record in (home / ".acpx" / "sessions").glob("*.json"):
        data = json.loads(record.read_text())
        if isinstance(data.get("pid"), int):
            pids.add(data["pid"])
    for pid in pids:
        for _ in range(500):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError(f"agent {pid} still running")


def case_work(body: dict[str, Any], step: int) -> dict[str, Any]:
    steps = [
        {
            "blocks": [
                {"type": "text", "text": "Reading."},
                {"type": "tool_use", "name": "read_file", "input": {"path": "README.md"}},
            ]
        },
        {
            "blocks": [
                {
                    "type": "tool_use",
                    "name": "write_file",
                    "input": {"path": "NOTES.md", "content": "written via acpx\n"},
                }
            ]
        },
        {
            "blocks": [
                {
                    "type": "tool_use",
                    "name": "bash",
                    "input": {"command": "echo acpx-terminal-$((40+2))"},
                }
            ]
        },
        {"blocks": [{"type": "text", "text": "Work done."}]},
    ]
    if step == 1:
        assert "# demo" in str(body["messages"][-1]["content"])
    if step == 3:
        assert "acpx-terminal-42" in str(body["messages"][-1]["content"])
    return steps[step]


def case_again(body: dict[str, Any], step: int) -> dict[str, Any]:
    history = json.dumps(body["messages"])
    assert "[case:work]" in history
    assert "acpx-terminal-42" in history
    return {"blocks": [{"type": "text", "text": "I remember."}]}


def case_check(body: dict[str, Any], step: int) -> dict[str, Any]:
    assert body["model"] == "claude-haiku-4-5", body["model"]
    return {"blocks": [{"type": "text", "text": "checked"}]}


def updates(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f["params"]["update"] for f in frames if f.get("method") == "session/update"]


async def test_acpx_drives_the_agent(tmp_path: Path, workspace: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    async with FakeAnthropic(
        route({"work": case_work, "again": case_again, "check": case_check})
    ) as fake:
        env = agent_env(fake.base_url)
        created = await acpx(home, env, workspace, "--agent", AGENT_CMD, "sessions", "new")
        validate_all(rpc(created))
        await agents_gone(home)

        turn = await acpx(
            home,
            env,
            workspace,
            "--approve-all",
            "--agent",
            AGENT_CMD,
            "prompt",
            "[case:work] tidy up",
        )
        turn = rpc(turn)
        used = validate_all(turn)
        methods = [f.get("method") for f in turn]
        assert "session/load" in methods  # a fresh agent process reloads the session
        for method in (
            "fs/read_text_file",
            "fs/write_text_file",
            "session/request_permission",
            "terminal/create",
            "terminal/release",
        ):
            assert method in methods, method
        assert methods.count("terminal/create") == methods.count("terminal/release")
        assert "PromptResponse" in used
        assert (workspace / "NOTES.md").read_text() == "written via acpx\n"
        ups = updates(turn)
        assert any(
            u.get("content", [{}])[0].get("type") == "terminal"
            for u in ups
            if u["sessionUpdate"] == "tool_call_update" and u.get("content")
        )
        assert any(
            c.get("type") == "diff"
            for u in ups
            if u["sessionUpdate"] == "tool_call_update"
            for c in u.get("content", [])
        )
        assert turn[-1]["result"] == {"stopReason": "end_turn"}
        await agents_gone(home)

        again = await acpx(
            home,
            env,
            workspace,
            "--approve-all",
            "--agent",
            AGENT_CMD,
            "prompt",
            "[case:again] remember?",
        )
        again = rpc(again)
        validate_all(again)
        assert "session/load" in [f.get("method") for f in again]
        assert again[-1]["result"] == {"stopReason": "end_turn"}
        assert "I remember." in "".join(
            u["content"]["text"]
            for u in updates(again)
            if u["sessionUpdate"] == "agent_message_chunk"
        )
        await agents_gone(home)

        mode = await acpx(home, env, workspace, "--agent", AGENT_CMD, "set-mode", "plan")
        assert {"action": "mode_set", "modeId": "plan"}.items() <= mode[-1].items()
        await agents_gone(home)
        model = await acpx(
            home, env, workspace, "--agent", AGENT_CMD, "set", "model", "claude-haiku-4-5"
        )
        validate_all(rpc(model))
        await agents_gone(home)

        check = rpc(
            await acpx(
                home,
                env,
                workspace,
                "--approve-all",
                "--agent",
                AGENT_CMD,
                "prompt",
                "[case:check] which model?",
            )
        )
        validate_all(check)
        load = next(f["result"] for f in check if "result" in f and "modes" in f["result"])
        assert load["modes"]["currentModeId"] == "plan"  # persisted across agent processes
        assert {o["id"]: o["currentValue"] for o in load["configOptions"]} == {
            "mode": "plan",
            "model": "claude-haiku-4-5",
        }
        assert check[-1]["result"] == {"stopReason": "end_turn"}
        await agents_gone(home)
