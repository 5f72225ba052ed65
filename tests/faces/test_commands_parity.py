"""Every registered slash command, typed into the dashboard and sent over ACP, does the same.

Two faces side by side, each with its own workspace (the same git repository),
its own ZEPH_HOME (so its own SQLite) and its own scripted Messages API:

- the real dashboard (:func:`zeph_tui.ui.create_app`) under a Textual pilot,
  keys typed as a person types them;
- the real ``zeph-tui acp`` process over pipes (:class:`ZephPeer`, every frame
  checked against the ACP schema).

Step by step, the same line goes to both; the replies must be equal once
workspace paths and session ids are masked and whitespace is collapsed, and
the state must change the same way: SQLite (mode, model, title, messages left
in the context), the files on disk (``/rename``, ``/undo``, ``/export``), the next model
request (``/clear``). A command the ACP face does not offer (``needs`` a face
feature) must do its thing in the dashboard, be missing from ACP's
``available_commands_update`` and answer the reason over ACP. The test fails
when a command is added to the registry without a step here. ``/rename`` and
``/diagnostics`` run the real basedpyright in both faces.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static, TabbedContent
from textual.worker import WorkerState

from tests.conftest import make_repo
from tests.core.agents.helpers import agent_of, write_agent
from tests.faces.acp.test_acp_commands import open_session, reply, say
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fixtures_acp.zeph_agent import ZephPeer, agent_env, last_user_text
from tests.ui_helpers import type_text, wait_until
from zeph_tui.core import COMMANDS, offered
from zeph_tui.drivers.acp.commands import ACP_FEATURES, UNAVAILABLE
from zeph_tui.ui import create_app
from zeph_tui.ui.app import ZephApp
from zeph_tui.ui.controller import DASHBOARD_FEATURES
from zeph_tui.ui.screens.sessions_screen import SessionsScreen
from zeph_tui.ui.widgets.plan_pane import PlanPane
from zeph_tui.ui.widgets.user_message import UserMessage

USE_PY = "from pkg.calc import add\n\nTOTAL = add(1, 2)\n"
RENAME = "/rename pkg/calc.py:1:5 plus"


PLAN_TASKS = [
    {"id": "read", "agent": "worker", "prompt": "[node read] read calc", "deps": []},
    {"id": "sum", "agent": "worker", "prompt": "[node sum] sum up", "deps": ["read"]},
]


def script(body: dict[str, Any], _index: int) -> dict[str, Any]:
    """An echo that says how many messages it was sent (so /clear shows); plans for /plan."""
    if "split a software goal" in json.dumps(body.get("system", "")):
        return {"blocks": [{"type": "text", "text": json.dumps({"tasks": PLAN_TASKS})}]}
    if agent_of(body) is not None:
        return {"blocks": [{"type": "text", "text": "node done"}]}
    count = len(body["messages"])
    return {"blocks": [{"type": "text", "text": f"echo: {last_user_text(body)} ({count})"}]}


def repo(root: Path) -> Path:
    workspace = make_repo(root)
    (workspace / "pkg" / "use.py").write_text(USE_PY)
    write_agent(workspace, "worker", "Read")  # for /plan
    subprocess.run(["git", "add", "-A"], cwd=workspace, check=True)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "use"],
        cwd=workspace,
        check=True,
    )
    return workspace


def session_row(db: Path, session_id: str) -> dict[str, Any]:
    """The session's row and how many of its messages are still in the context (SQLite)."""
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
        live = conn.execute(
            "SELECT count(*) FROM messages WHERE session_id = ? AND compacted = 0", (session_id,)
        ).fetchone()[0]
        sessions = conn.execute(  # conversations, not /plan's sub-agents
            "SELECT count(*) FROM sessions WHERE id NOT LIKE 'sub^_%' ESCAPE '^'"
        ).fetchone()[0]
        graphs = (
            conn.execute(
                "SELECT status FROM task_graphs WHERE parent_session = ?", (session_id,)
            ).fetchall()
            if _has_graphs(conn)
            else []
        )
    return {**dict(row), "live_messages": live, "sessions": sessions,
            "graphs": [g[0] for g in graphs]}  # fmt: skip


def _has_graphs(conn: sqlite3.Connection) -> bool:
    query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'task_graphs'"
    return conn.execute(query).fetchone() is not None


def files(workspace: Path) -> dict[str, str]:
    return {name: (workspace / "pkg" / name).read_text() for name in ("calc.py", "use.py")}


@dataclass
class Face:
    """One face under test: its workspace, its database and its fake model."""

    name: str
    workspace: Path
    db: Path
    fake: FakeAnthropic

    def session_id(self) -> str:
        raise NotImplementedError

    def normalise(self, text: str) -> str:
        text = text.replace(str(self.workspace), "<ws>").replace(self.session_id(), "<sid>")
        text = re.sub(r"graph_[0-9a-f]+", "<graph>", text)
        return "\n".join(" ".join(line.split()) for line in text.strip().splitlines())

    def row(self) -> dict[str, Any]:
        return session_row(self.db, self.session_id())


@dataclass
class Dashboard(Face):
    app: ZephApp | None = None
    pilot: Any = None

    def session_id(self) -> str:
        assert self.app is not None and self.app.session is not None
        return self.app.session.id

    def reply_widgets(self) -> list[Static]:
        assert self.app is not None
        return [
            w
            for w in self.app.chat.children
            if isinstance(w, Static) and w.has_class("chat-log--reply")
        ]

    async def type_line(self, line: str) -> None:
        assert self.app is not None
        await type_text(self.pilot, line)
        await self.pilot.press("enter")
        if self.app.prompt_input.text.strip():  # the first Enter took the completion
            await self.pilot.press("enter")

    async def command_done(self) -> None:
        assert self.app is not None
        app = self.app
        busy = (WorkerState.PENDING, WorkerState.RUNNING)
        await wait_until(
            self.pilot,
            lambda: not any(w.group == "slash" and w.state in busy for w in app.workers),
            timeout_s=120,
        )
        app.flush()

    async def command(self, line: str) -> str:
        before = set(map(id, self.reply_widgets()))  # /clear empties the chat: compare widgets
        await self.type_line(line)
        await self.command_done()
        return "\n".join(str(w.render()) for w in self.reply_widgets() if id(w) not in before)

    async def prompt(self, text: str) -> None:
        assert self.app is not None
        app = self.app
        app.last_stop_reason = None
        await self.type_line(text)
        await wait_until(self.pilot, lambda: app.last_stop_reason == "end_turn")


@dataclass
class Acp(Face):
    peer: ZephPeer | None = None
    sid: str = ""
    updates: list[dict[str, Any]] = field(default_factory=list)

    def session_id(self) -> str:
        return self.sid

    async def command(self, line: str) -> str:
        assert self.peer is not None
        self.updates = await say(self.peer, self.sid, line, timeout_s=120)
        return reply(self.updates)

    async def prompt(self, text: str) -> None:
        await self.command(text)


@asynccontextmanager
async def faces(
    tmp_path: Path, zeph_home: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Dashboard, Acp]]:
    async with AsyncExitStack() as stack:
        dash_fake = await stack.enter_async_context(FakeAnthropic(script))
        acp_fake = await stack.enter_async_context(FakeAnthropic(script))
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key-not-real")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", dash_fake.base_url)
        acp_home = tmp_path / "acp_home"
        acp_home.mkdir()
        acp = Acp("acp", repo(tmp_path / "a" / "repo"), acp_home / "zeph.db", acp_fake)
        acp.peer = await ZephPeer(
            dict(agent_env(acp_fake.base_url), ZEPH_HOME=str(acp_home))
        ).start()
        stack.push_async_callback(acp.peer.close)
        acp.sid, commands = await open_session(acp.peer, acp.workspace)
        listed = [c["name"] for c in commands["availableCommands"]]
        assert listed == [c.name for c in offered(ACP_FEATURES)]
        dash = Dashboard(
            "dashboard", repo(tmp_path / "d" / "repo"), zeph_home / "zeph.db", dash_fake
        )
        dash.app = create_app(dash.workspace, provider_name="anthropic")
        dash.pilot = await stack.enter_async_context(dash.app.run_test(size=(140, 40)))
        app = dash.app
        await wait_until(dash.pilot, lambda: app.session is not None, timeout_s=30)
        yield dash, acp
    acp.peer.check_all()


async def both(dash: Dashboard, acp: Acp, line: str) -> tuple[str, str]:
    """Send ``line`` to both faces; returns the normalised replies."""
    got_dash = dash.normalise(await dash.command(line))
    got_acp = acp.normalise(await acp.command(line))
    return got_dash, got_acp


async def same(dash: Dashboard, acp: Acp, line: str) -> str:
    got_dash, got_acp = await both(dash, acp, line)
    assert got_dash == got_acp, line
    assert got_dash, line
    return got_dash


async def test_every_command_does_the_same_in_the_dashboard_and_over_acp(
    tmp_path: Path, zeph_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    covered: set[str] = set()
    original = files(repo(tmp_path / "original" / "repo"))
    async with faces(tmp_path, zeph_home, monkeypatch) as (dash, acp):
        assert dash.app is not None
        app = dash.app
        first_dash_session = dash.session_id()

        # /help: the commands each face offers, the shared rows alike
        got_dash, got_acp = await both(dash, acp, "/help")
        covered.add("help")
        for got, features in ((got_dash, DASHBOARD_FEATURES), (got_acp, ACP_FEATURES)):
            listed = re.findall(r"^/(\w+)", got, re.M)
            assert listed == [c.name for c in offered(features)]
        shared = [row for row in got_acp.splitlines() if row.startswith("/")]
        assert (
            shared == [row for row in got_dash.splitlines() if row.startswith("/")][: len(shared)]
        )
        assert "Not offered by the ACP agent: /new, /sessions, /git, /quit." in got_acp
        assert "!command" in got_dash

        assert await same(dash, acp, "/mode bypass") == "Mode set to bypass."
        assert dash.row()["mode"] == acp.row()["mode"] == "bypass"
        assert app.status.mode == "bypass"
        covered.add("mode")

        assert await same(dash, acp, "/model claude-haiku-4-5") == "Model set to claude-haiku-4-5."
        assert dash.row()["model"] == acp.row()["model"] == "claude-haiku-4-5"
        covered.add("model")

        assert (
            await same(dash, acp, "/title Parity check") == "Session title set to 'Parity check'."
        )
        assert dash.row()["title"] == acp.row()["title"] == "Parity check"
        assert app.title == "Parity check"
        assert {"sessionUpdate": "session_info_update", "title": "Parity check"} in acp.updates
        covered.add("title")

        for face in (dash, acp):
            await face.prompt("hello")
            assert face.fake.requests[-1]["model"] == "claude-haiku-4-5"
        assert dash.row()["live_messages"] == acp.row()["live_messages"] == 2

        compacted = await same(dash, acp, "/compact")
        assert compacted.startswith("Nothing to compact yet")
        covered.add("compact")

        cleared = await same(dash, acp, "/clear")
        assert cleared == "Conversation cleared (2 messages hidden from the context)."
        assert dash.session_id() == first_dash_session  # one meaning: same session, emptied
        assert dash.row()["live_messages"] == acp.row()["live_messages"] == 0
        assert not list(app.query(UserMessage))
        for face in (dash, acp):
            await face.prompt("again")
            assert len(face.fake.requests[-1]["messages"]) == 1  # the model forgot "hello"
        covered.add("clear")

        await same(dash, acp, "/diagnostics pkg/calc.py")
        covered.add("diagnostics")

        renamed = await same(dash, acp, RENAME)
        assert renamed.startswith("Renamed add to plus in 2 file(s)")
        assert files(dash.workspace) == files(acp.workspace) != original
        assert "def plus(" in files(acp.workspace)["calc.py"]
        assert "TOTAL = plus(1, 2)" in files(acp.workspace)["use.py"]
        covered.add("rename")

        skills = await same(dash, acp, "/skills")
        assert skills.startswith(("Skills (", "No skills found."))
        covered.add("skills")

        assert (await same(dash, acp, "/memory")).startswith("No memories yet")
        assert (await same(dash, acp, "/memory show x")).startswith("memory id must be a number")
        covered.add("memory")

        undone = await same(dash, acp, "/undo")
        assert undone.startswith("Undo: restored checkpoint 1 (2 files:")
        assert files(dash.workspace) == files(acp.workspace) == original
        covered.add("undo")

        exported = await same(dash, acp, "/export")
        assert exported.startswith("Exported the session to zeph-<sid>.md (")
        for face in (dash, acp):
            markdown = (face.workspace / f"zeph-{face.session_id()}.md").read_text()
            assert markdown.startswith("# Parity check\n") and "## User\n\nagain" in markdown
        covered.add("export")

        usage = await same(dash, acp, "/plan")
        assert usage == "Usage: /plan GOAL | /plan resume [ID]"
        planned = await same(dash, acp, "/plan sum up calc")
        assert planned == "graph <graph>: completed (2/2 tasks)"
        assert dash.row()["graphs"] == acp.row()["graphs"] == ["completed"]
        plans = [u for u in acp.updates if u["sessionUpdate"] == "plan"]
        assert [e["status"] for e in plans[-1]["entries"]] == ["completed", "completed"]
        shown = app.query_one(PlanPane).entries
        assert [e.status for e in shown] == ["completed", "completed"]
        assert [e.content for e in shown] == [e["content"] for e in plans[-1]["entries"]]
        resumed = await same(dash, acp, "/plan resume")
        assert resumed == "no unfinished task graph to resume"
        covered.add("plan")

        # face features the ACP face lacks: done in the dashboard, refused with the reason
        reason = "/{} is not available in the ACP agent: " + "{}"
        got_dash, got_acp = await both(dash, acp, "/new")
        assert got_acp == reason.format("new", UNAVAILABLE["sessions"])
        assert dash.session_id() != first_dash_session
        assert got_dash == dash.normalise(f"New session {dash.session_id()}.")
        assert dash.row()["sessions"] == 2 and acp.row()["sessions"] == 1
        covered.add("new")

        await dash.type_line("/sessions")
        await wait_until(dash.pilot, lambda: isinstance(app.screen, SessionsScreen))
        await dash.pilot.press("escape")
        await dash.command_done()
        assert acp.normalise(await acp.command("/sessions")) == reason.format(
            "sessions", UNAVAILABLE["sessions"]
        )
        covered.add("sessions")

        got_dash, got_acp = await both(dash, acp, "/git")
        assert got_acp == reason.format("git", UNAVAILABLE["panes"])
        assert app.query_one(TabbedContent).active == "tab-git"
        covered.add("git")

        assert acp.normalise(await acp.command("/quit")) == reason.format(
            "quit", UNAVAILABLE["quit"]
        )
        await dash.type_line("/quit")
        await wait_until(dash.pilot, lambda: app.return_code == 0)
        covered.add("quit")
    assert covered == {c.name for c in COMMANDS}, "a registered command has no parity step"


def test_face_only_commands_are_not_listed_over_acp() -> None:
    """ACP lists exactly the commands without a face feature; the dashboard lists them all."""
    assert {c.name for c in offered(DASHBOARD_FEATURES)} == {c.name for c in COMMANDS}
    acp_names = {c.name for c in offered(ACP_FEATURES)}
    assert acp_names == {c.name for c in COMMANDS if c.needs is None}
