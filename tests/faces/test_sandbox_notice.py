"""The "shell not sandboxed" notice: one core :class:`SandboxNotice`, shown once by every face.

Unconfined for real: ``[sandbox] enabled = false`` in config.toml, a ``bwrap``
that cannot create namespaces (a script on ``PATH`` that fails as bwrap does
there), or no ``bwrap`` on ``PATH`` at all. Confined (the real bubblewrap of
this machine): no face says anything. Also: an ACP session with MCP servers
keeps the ``[sandbox]`` settings.
"""

from __future__ import annotations

import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.acp_schema import validate
from tests.faces.cli.test_cli_run import run_cli
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fixtures_acp.peer import running
from tests.fixtures_acp.zeph_agent import INIT_NONE, ZephPeer, agent_env
from tests.paths import TESTS
from tests.turns import only_result
from tests.ui_helpers import wait_until
from zeph_tui.core.providers.anthropic import AnthropicProvider
from zeph_tui.core.safety.sandbox import NOT_SANDBOXED, Sandbox
from zeph_tui.ui import create_app

NAMESPACE_ERROR = "bwrap: No permissions to create a new namespace"
MCP_SERVER = TESTS / "fixtures_acp" / "mcp_server.py"


def bash(command: str) -> dict[str, Any]:
    return {"blocks": [{"type": "tool_use", "name": "bash", "input": {"command": command}}]}


def done() -> dict[str, Any]:
    return {"blocks": [{"type": "text", "text": "done"}]}


@pytest.fixture
def broken_bwrap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``bwrap`` first on PATH that fails like bubblewrap without user namespaces."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "bwrap"
    script.write_text(f"#!/bin/sh\necho '{NAMESPACE_ERROR}' >&2\nexit 1\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return script


def sandbox_off(home: Path) -> None:
    (home / "config.toml").write_text("[sandbox]\nenabled = false\n")


# ------------------------------------------------------------------ core


def test_off_by_setting_is_announced_once() -> None:
    sandbox = Sandbox(enabled=False)
    notice = sandbox.take_notice()
    assert notice is not None and notice.marker == NOT_SANDBOXED == "⚠ shell: not sandboxed"
    assert notice.text.startswith("sandbox off ([sandbox] enabled = false)")
    assert notice.line == f"{NOT_SANDBOXED}: {notice.text}"
    assert sandbox.take_notice() is None


def test_a_confined_shell_has_nothing_to_announce() -> None:
    sandbox = Sandbox()
    assert sandbox.take_notice() is None
    assert sandbox.status().confined


def test_concurrent_faces_get_exactly_one_notice() -> None:
    sandbox = Sandbox(enabled=False)
    with ThreadPoolExecutor(8) as pool:
        taken = list(pool.map(lambda _: sandbox.take_notice(), range(32)))
    assert sum(n is not None for n in taken) == 1


def test_missing_bubblewrap_is_announced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    notice = Sandbox().take_notice()
    assert notice is not None and "bubblewrap (bwrap) is not installed" in notice.text


def test_unusable_bubblewrap_is_announced_with_its_error(broken_bwrap: Path) -> None:
    notice = Sandbox().take_notice()
    assert notice is not None
    assert str(broken_bwrap) in notice.text and NAMESPACE_ERROR in notice.text


def test_the_notice_is_a_valid_acp_update() -> None:
    notice = Sandbox(enabled=False).take_notice()
    assert notice is not None
    update = notice.to_acp()
    assert update["sessionUpdate"] == "notice" and update["severity"] == "warning"
    validate("SessionUpdate", update)


# ------------------------------------------------------------------ zeph-tui run


async def test_run_says_it_once_on_stderr(broken_bwrap: Path, workspace: Path) -> None:
    async with FakeAnthropic([bash("true"), bash("true"), done()]) as fake:
        code, out, err = await run_cli(["run", "--yes", "go"], fake.base_url, workspace)
    assert code == 0, err
    said = [line for line in err.splitlines() if NOT_SANDBOXED in line]
    assert len(said) == 1 and said[0].startswith(f"zeph-tui: {NOT_SANDBOXED}: "), err
    assert NAMESPACE_ERROR in said[0]
    assert NOT_SANDBOXED not in out


async def test_run_json_adds_one_notice_line(zeph_home: Path, workspace: Path) -> None:
    sandbox_off(zeph_home)
    async with FakeAnthropic([bash("true"), done()]) as fake:
        code, out, err = await run_cli(["run", "--json", "--yes", "go"], fake.base_url, workspace)
    assert code == 0, err
    assert err.count(NOT_SANDBOXED) == 1, err
    lines = [json.loads(line) for line in out.splitlines()]
    notices = [u for u in lines if u.get("sessionUpdate") == "notice"]
    assert len(notices) == 1 and notices[0]["title"] == NOT_SANDBOXED, lines
    assert notices[0]["description"].startswith("sandbox off")
    validate("SessionUpdate", notices[0])
    assert lines[-1] == {"stopReason": "end_turn"}


async def test_run_with_a_working_sandbox_says_nothing(workspace: Path) -> None:
    async with FakeAnthropic([bash("true"), done()]) as fake:
        code, out, err = await run_cli(["run", "--json", "--yes", "go"], fake.base_url, workspace)
    assert code == 0, err
    assert NOT_SANDBOXED not in out + err and "sandbox" not in err


# ------------------------------------------------------------------ ACP


async def test_acp_tells_the_first_session_once_as_a_message(
    zeph_home: Path, workspace: Path
) -> None:
    sandbox_off(zeph_home)
    async with (
        FakeAnthropic([done()]) as fake,
        running(ZephPeer(agent_env(fake.base_url))) as peer,
    ):
        await peer.ok("initialize", INIT_NONE)
        first = await peer.ok("session/new", {"cwd": str(workspace), "mcpServers": []})
        second = await peer.ok("session/new", {"cwd": str(workspace), "mcpServers": []})
        prompt = [{"type": "text", "text": "hi"}]
        await peer.ok("session/prompt", {"sessionId": second["sessionId"], "prompt": prompt})
        updates = peer.updates()
    told = [
        u
        for u in updates
        if u["update"]["sessionUpdate"] == "agent_message_chunk"
        and NOT_SANDBOXED in u["update"]["content"]["text"]
    ]
    assert [u["sessionId"] for u in told] == [first["sessionId"]], updates
    assert "sandbox off" in told[0]["update"]["content"]["text"]


async def test_acp_sends_a_notice_to_a_client_that_takes_notices(
    broken_bwrap: Path, workspace: Path
) -> None:
    init = {**INIT_NONE, "clientCapabilities": {"session": {"notices": {}}}}
    async with (
        FakeAnthropic([done()]) as fake,
        running(ZephPeer(agent_env(fake.base_url))) as peer,  # frames checked by the schema
    ):
        await peer.ok("initialize", init)
        sid = (await peer.ok("session/new", {"cwd": str(workspace), "mcpServers": []}))["sessionId"]
        await peer.ok(
            "session/prompt", {"sessionId": sid, "prompt": [{"type": "text", "text": "x"}]}
        )
        updates = [u["update"] for u in peer.updates(sid)]
    notices = [u for u in updates if u["sessionUpdate"] == "notice"]
    assert len(notices) == 1, updates
    assert notices[0]["title"] == NOT_SANDBOXED and notices[0]["severity"] == "warning"
    assert NAMESPACE_ERROR in notices[0]["description"]
    assert not any(
        NOT_SANDBOXED in u.get("content", {}).get("text", "")
        for u in updates
        if u["sessionUpdate"] == "agent_message_chunk"
    )


async def test_acp_session_with_mcp_servers_keeps_the_sandbox_settings(
    zeph_home: Path, workspace: Path
) -> None:
    """Found: a session with MCP servers built ``bash`` with a default sandbox.

    With ``enabled = false`` the write outside the workspace lands (inside the
    default sandbox it went to a private /tmp and vanished), and it is announced.
    """
    sandbox_off(zeph_home)
    target = workspace.parent / "outside.txt"
    script = [bash(f"echo x > {target}"), done()]
    server = {"name": "calc", "command": sys.executable, "args": [str(MCP_SERVER)], "env": []}
    async with (
        FakeAnthropic(script) as fake,
        running(ZephPeer(agent_env(fake.base_url))) as peer,
    ):
        await peer.ok("initialize", INIT_NONE)
        new = {"cwd": str(workspace), "mcpServers": [server]}
        sid = (await peer.ok("session/new", new, timeout_s=30))["sessionId"]
        await peer.ok("session/set_mode", {"sessionId": sid, "modeId": "bypass"})
        prompt = [{"type": "text", "text": "write it"}]
        assert await peer.ok("session/prompt", {"sessionId": sid, "prompt": prompt}) == {
            "stopReason": "end_turn"
        }
        updates = peer.updates(sid)
    assert only_result(fake.requests[1])["text"].startswith("exit code 0")
    assert target.read_text() == "x\n"
    assert sum(NOT_SANDBOXED in json.dumps(u, ensure_ascii=False) for u in updates) == 1


# ------------------------------------------------------------------ dashboard


async def dashboard_status(workspace: Path, *, sessions: int = 1) -> tuple[str, list[str]]:
    """The status bar text and the toasts' titles after opening ``sessions`` sessions."""
    async with FakeAnthropic([done()]) as fake:
        provider = AnthropicProvider(model="claude-sonnet-4-6", base_url=fake.base_url)
        app = create_app(workspace, provider=provider, mode="bypass")
        try:
            async with app.run_test(size=(140, 40)) as pilot:
                await wait_until(pilot, lambda: app.session is not None)
                for _ in range(sessions - 1):
                    first = app.session
                    await app.controller.open(None)
                    await wait_until(pilot, lambda first=first: app.session is not first)
                await pilot.pause()
                status = str(app.status.render())
                titles = [n.title for n in app._notifications]
        finally:
            await provider.aclose()
    return status, titles


async def test_dashboard_marks_the_status_bar_and_toasts_once(
    zeph_home: Path, workspace: Path, anthropic_env: None
) -> None:
    sandbox_off(zeph_home)
    status, titles = await dashboard_status(workspace, sessions=2)
    assert status.startswith(NOT_SANDBOXED), status
    assert titles.count(NOT_SANDBOXED) == 1, titles


async def test_dashboard_with_a_working_sandbox_shows_no_marker(
    workspace: Path, anthropic_env: None
) -> None:
    status, titles = await dashboard_status(workspace)
    assert NOT_SANDBOXED not in status and NOT_SANDBOXED not in titles
