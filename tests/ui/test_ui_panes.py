"""Pilot tests of the side panes fed from the event stream of real turns.

The real dashboard drives the real session, the real anthropic provider and
SQLite against the scripted fake Messages API; the diagnostics and call-sites
tests use the real basedpyright (LSP is on by default in ``Runtime.open_session``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from tests.ui.test_ui_dashboard import dashboard
from tests.ui_helpers import screen_text, type_text, wait_until
from zeph_tui.ui.app import ZephApp
from zeph_tui.ui.screens.file_viewer import FileViewer
from zeph_tui.ui.widgets.call_sites_pane import CallSitesPane
from zeph_tui.ui.widgets.diagnostics_pane import DiagnosticsPane
from zeph_tui.ui.widgets.plan_pane import PlanPane
from zeph_tui.ui.widgets.skills_pane import SkillsPane

BROKEN = 'def double(x: int) -> int:\n    return 2 * x\n\n\ndef name() -> int:\n    return "ada"\n'
CART = (
    "from pkg.calc import mul\n\n\n"
    "class Cart:\n"
    "    def total(self, price: int, qty: int) -> int:\n"
    "        return mul(price, qty)\n"
)
LSP_TIMEOUT_S = 45.0  # a cold basedpyright on a loaded 2-core machine


def tool(tool_name: str, **args: Any) -> dict[str, Any]:
    return {"blocks": [{"type": "tool_use", "name": tool_name, "input": args}]}


def say(text: str) -> dict[str, Any]:
    return {"blocks": [{"type": "text", "text": text}]}


async def send(app: ZephApp, pilot: Any, text: str, *, timeout_s: float = 15.0) -> None:
    """Type a prompt, send it and wait for the turn to end."""
    app.last_stop_reason = None
    await type_text(pilot, text)
    await pilot.press("enter")
    await wait_until(pilot, lambda: app.last_stop_reason is not None, timeout_s=timeout_s)
    assert app.last_stop_reason == "end_turn"
    app.flush()
    await pilot.pause()


async def pick(app: ZephApp, pilot: Any, pane: Tree[Any], data: object, where: str) -> None:
    """Select the leaf holding ``data``: the file viewer opens at ``where``, Esc closes it."""
    (node,) = [n for n in _nodes(pane.root) if n.data == data]
    pane.select_node(node)
    await wait_until(pilot, lambda: isinstance(app.screen, FileViewer))
    assert app.screen.label == where
    await pilot.press("escape")
    await wait_until(pilot, lambda: not isinstance(app.screen, FileViewer))


def _nodes(node: TreeNode[Any]) -> list[TreeNode[Any]]:
    return [node, *(d for child in node.children for d in _nodes(child))]


async def test_diagnostics_pane_follows_writes_and_edits(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    script = [
        tool("write_file", path="pkg/names.py", content=BROKEN),
        say("Written."),
        tool("edit_file", path="pkg/names.py", old_string='return "ada"', new_string="return 7"),
        say("Fixed."),
        tool("diagnostics", path="pkg/names.py"),
        say("Clean."),
    ]
    async with dashboard(script, workspace, runtime) as (app, pilot, _fake):
        pane = app.main_widget(DiagnosticsPane)
        await send(app, pilot, "add names", timeout_s=LSP_TIMEOUT_S)
        (item,) = pane.by_path["pkg/names.py"]
        assert (item.line, item.column, item.severity) == (6, 12, "error")
        assert item.source == "basedpyright"
        assert item.code == "reportReturnType"
        app.show_tab("diagnostics")
        await pilot.pause()
        shown = screen_text(app)
        assert "pkg/names.py  1 error, 0 other" in shown
        assert "6:12 error" in shown
        await pick(app, pilot, pane, item, "pkg/names.py:6:12")

        await send(app, pilot, "fix it", timeout_s=LSP_TIMEOUT_S)
        assert "pkg/names.py" not in pane.by_path  # the empty set cleared the file
        assert "No diagnostics." in screen_text(app)

        pane.set_diagnostics("pkg/names.py", [item])  # stale: the diagnostics tool replaces it
        await send(app, pilot, "check it", timeout_s=LSP_TIMEOUT_S)
        assert pane.by_path == {}


async def test_call_sites_pane_shows_a_rename(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    (workspace / "pkg/cart.py").write_text(CART)
    script = [
        tool("rename_symbol", path="pkg/calc.py", line=5, column=5, new_name="multiply"),
        say("Renamed."),
    ]
    async with dashboard(script, workspace, runtime) as (app, pilot, _fake):
        await send(app, pilot, "rename mul", timeout_s=LSP_TIMEOUT_S)
        assert "def multiply(" in (workspace / "pkg/calc.py").read_text()
        pane = app.main_widget(CallSitesPane)
        assert pane.symbol == "mul → multiply"
        by_file = {(str(s.path), s.line): s for s in pane.sites}
        assert set(by_file) == {("pkg/cart.py", 1), ("pkg/cart.py", 6)}  # uses, not the def
        assert by_file[("pkg/cart.py", 1)].kind == "import"
        use = by_file[("pkg/cart.py", 6)]
        assert use.kind == "call"
        assert use.enclosing_symbol == "Cart.total"
        assert use.text == "return mul(price, qty)"
        assert use.column == 16
        app.show_tab("call-sites")
        await pilot.pause()
        shown = screen_text(app)
        assert "mul → multiply: 1 site in 1 file, 1 import" in shown  # imports apart
        assert "imports (1)" in shown
        assert "calls (1)" in shown
        assert "6:16 Cart.total  return mul(price, qty)" in shown
        await pick(app, pilot, pane, use, "pkg/cart.py:6:16")


async def test_skills_pane_offers_for_the_prompt_and_marks_loaded(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    script = [
        tool("load_skill", name="pytest-testing"),
        tool("load_skill", name="no-such-skill"),
        say("Loaded."),
        say("Packaging next."),
    ]
    async with dashboard(script, workspace, runtime) as (app, pilot, _fake):
        pane = app.main_widget(SkillsPane)
        assert pane.offered == ()
        await send(app, pilot, "write pytest tests with fixtures and parametrize")
        await wait_until(pilot, lambda: bool(pane.offered))
        names = [entry.name for entry in pane.offered]
        assert names[0] == "pytest-testing"
        assert len(names) <= 5
        assert pane.available == len(runtime.skill_library(workspace).skills)
        assert pane.loaded == {"pytest-testing"}  # the failed load is not marked
        app.show_tab("skills")
        await pilot.pause()
        shown = screen_text(app)
        assert "Loaded (1)" in shown
        assert "● pytest-testing" in shown

        await send(app, pilot, "package this project for pypi")  # a new ranking replaces it
        await wait_until(pilot, lambda: pane.offered[0].name == "python-packaging")
        assert pane.loaded == {"pytest-testing"}


async def test_plan_pane_shows_each_plan_update(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    first = [
        {"content": "Read calc.py", "status": "in_progress"},
        {"content": "Add a zero check", "status": "pending", "priority": "high"},
    ]
    second = [
        {"content": "Read calc.py", "status": "completed"},
        {"content": "Add a zero check", "status": "in_progress", "priority": "high"},
    ]
    script = [tool("update_plan", entries=first), tool("update_plan", entries=second), say("Ok.")]
    async with dashboard(script, workspace, runtime) as (app, pilot, _fake):
        await send(app, pilot, "plan it")
        pane = app.main_widget(PlanPane)
        assert [(e.content, e.status) for e in pane.entries] == [
            ("Read calc.py", "completed"),
            ("Add a zero check", "in_progress"),
        ]
        app.show_tab("plan")
        await pilot.pause()
        shown = screen_text(app)
        assert "☑ Read calc.py" in shown
        assert "◐ Add a zero check  !" in shown
