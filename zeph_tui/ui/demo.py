"""Deterministic scenes of the dashboard, for snapshot tests and screenshots.

Each scene is the real :class:`~zeph_tui.ui.app.ZephApp` without a session,
fed a fixed list of core events through the same feed the session uses, so
what the snapshot shows is what a turn renders. No clock, no random id and
no temporary path reaches the screen.

``scripts/make_screenshots.py`` and ``tests/test_ui_snapshots.py`` both use
:func:`demo_app`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zeph_tui.core import PermissionRequest
from zeph_tui.core.events import (
    AgentMessageChunk,
    AgentThoughtChunk,
    DiffContent,
    Event,
    Plan,
    PlanEntry,
    TextContent,
    ToolCall,
    ToolCallContent,
    ToolCallUpdate,
    UsageUpdate,
)
from zeph_tui.ui.app import AppConfig, ZephApp

__all__ = ["DEMO_WORKSPACE", "SCENES", "DemoApp", "demo_app"]

DEMO_WORKSPACE = Path("/home/dev/shop")
CALC = str(DEMO_WORKSPACE / "pkg/calc.py")
_OLD = "def add(a: int, b: int) -> int:\n    return a + b\n\n\ndef mul(a: int, b: int) -> int:\n    return a * b\n"
_NEW = _OLD.replace("return a * b", "if not b:\n        return 0\n    return a * b")
_TEST_LINES = 4000
_TEST_BYTES = 200_000_000


def _turn_events() -> list[Event]:
    """A turn in progress: thought, reply, an edit with its diff, a long test run."""
    pytest_out = "".join(
        f"tests/test_calc.py::test_mul[{i:04d}] PASSED{' ' * 8}[{i * 100 // _TEST_LINES:3d}%]\n"
        for i in range(1, _TEST_LINES + 1)
    )
    return [
        AgentThoughtChunk("The user wants mul to handle zero early; check tests first.", "m1"),
        AgentMessageChunk(
            "I'll make `mul` return early for zero, then run the test suite.\n\n", "m1"
        ),
        AgentMessageChunk("- edit `pkg/calc.py`\n- run `pytest -q`\n", "m1"),
        ToolCall(
            "call_edit",
            "Edit pkg/calc.py",
            "edit",
            "pending",
            raw_input={"path": "pkg/calc.py", "old_string": "return a * b"},
            name="edit_file",
        ),
        ToolCallUpdate("call_edit", status="in_progress"),
        ToolCallUpdate(
            "call_edit",
            status="completed",
            content=(DiffContent(CALC, _OLD, _NEW),),
            raw_output={"text": "Edited pkg/calc.py (1 replacement)", "isError": False},
        ),
        ToolCall(
            "call_test",
            "Run `pytest -v tests/`",
            "execute",
            "pending",
            raw_input={"command": "pytest -v tests/"},
            name="bash",
        ),
        ToolCallUpdate("call_test", status="in_progress"),
        ToolCallUpdate("call_test", content=(TextContent(pytest_out),)),
        Plan(
            (
                PlanEntry("Make mul return early for zero", "high", "completed"),
                PlanEntry("Run the test suite", "medium", "in_progress"),
                PlanEntry("Summarise the change", "low", "pending"),
            )
        ),
        UsageUpdate(41_200, 200_000, 0.1834, 118_400, 2_310),
    ]


class DemoApp(ZephApp):
    """The dashboard showing one scene (see :data:`SCENES`)."""

    def __init__(self, scene: str) -> None:
        super().__init__(AppConfig(DEMO_WORKSPACE, start_session=False))
        if scene not in SCENES:
            raise ValueError(f"unknown scene {scene!r}; scenes: {', '.join(SCENES)}")
        self.scene = scene

    def on_mount(self) -> None:
        super().on_mount()
        self.prompt_input.cursor_blink = False
        self.title = "Make mul return early for zero"
        status = self.status
        status.provider, status.model, status.mode = "anthropic", "claude-sonnet-4-6", "ask"
        SCENES[self.scene](self)

    def play(self, events: list[Event]) -> None:
        for event in events:
            self.feed.push(event)
        self.flush()


def _dashboard(app: DemoApp) -> None:
    app.chat.add_user("Make mul return early when b is zero, then run the tests.")
    app.play(_turn_events())
    pane = app.tool_panes.panes["call_test"]
    pane.set_archive("ovf_5e1f0c2a9b7d", _TEST_BYTES)
    app.status.busy = True
    app.chat.tool_blocks["call_edit"].collapsed = False


def _ask_permission(
    app: DemoApp, call: ToolCall, reason: str, preview: ToolCallContent, scope: str
) -> None:
    """The dashboard with the permission modal for ``call`` (a ``name``d tool) over it."""
    _dashboard(app)
    from zeph_tui.ui.screens.permission_modal import PermissionModal

    request = PermissionRequest(call, call.name or "", reason, preview=(preview,), scope=scope)
    app.push_screen(PermissionModal(request, DEMO_WORKSPACE))


def _permission(app: DemoApp) -> None:
    command = "rm -rf build/ dist/"
    call = ToolCall(
        "call_rm", f"Run `{command}`", "execute", raw_input={"command": command}, name="bash"
    )
    reason = "ask mode: commands that change files need approval"
    _ask_permission(
        app, call, reason, TextContent(f"$ {command}"), "bash: commands starting with 'rm'"
    )


def _permission_edit(app: DemoApp) -> None:
    path = "pkg/calc.py"
    call = ToolCall(
        "call_edit2", f"Edit {path}", "edit", raw_input={"path": path}, name="edit_file"
    )
    reason = "ask mode: edit tools need approval"
    _ask_permission(app, call, reason, DiffContent(CALC, _OLD, _NEW), f"edit_file on {path}")


def _permission_long(app: DemoApp) -> None:
    """An edit whose diff is longer than an 80x24 terminal: the buttons stay on screen."""
    _dashboard(app)
    from zeph_tui.ui.screens.permission_modal import PermissionModal

    old = "".join(f"def f{n}(x: int) -> int:\n    return x + {n}\n\n\n" for n in range(15))
    new = old.replace("return x + ", "return x - ")
    call = ToolCall(
        "call_long", "Edit pkg/ops.py", "edit", "pending", raw_input={"path": "pkg/ops.py"},
        name="edit_file",
    )  # fmt: skip
    request = PermissionRequest(
        call,
        "edit_file",
        "ask mode: edit tools need approval",
        preview=(DiffContent(str(DEMO_WORKSPACE / "pkg/ops.py"), old, new),),
        scope="edit_file on pkg/ops.py",
    )
    app.push_screen(PermissionModal(request, DEMO_WORKSPACE))


def _key_help(app: DemoApp) -> None:
    _empty(app)
    app.action_key_help()


def _elicitation(app: DemoApp) -> None:
    """The model's ``ask_user`` question, with choices, over the turn."""
    _dashboard(app)
    from zeph_tui.core import Elicitation
    from zeph_tui.core.tools.ask_tool import question_form
    from zeph_tui.ui.screens.elicitation_modal import ElicitationModal

    question = "mul(a, 0) can return early. Should it also skip the call when a is 0?"
    choices = ["yes, both operands", "only b, as asked", "neither: keep it as it was"]
    form = question_form(question, choices)
    app.push_screen(ElicitationModal(Elicitation(question, form, "sess_demo", "call_ask")))


def _empty(app: DemoApp) -> None:
    app.chat.add_notice("New session in shop · type a prompt, / for commands, @ for files")


def _tab(app: DemoApp, name: str) -> None:
    from textual.widgets import TabbedContent

    app.main_widget(TabbedContent).active = f"tab-{name}"


def _plan(app: DemoApp) -> None:
    _dashboard(app)
    _tab(app, "plan")


def _finished(call_id: str, name: str, title: str, text: str, **extras: Any) -> list[Event]:
    """A tool call and its final update carrying ``extras`` in ``raw_output``."""
    return [
        ToolCall(call_id, title, "other", "in_progress", raw_input={}, name=name),
        ToolCallUpdate(
            call_id, status="completed", raw_output={"text": text, "isError": False, **extras}
        ),
    ]


def _item(line: int, column: int, severity: str, message: str, code: str = "") -> dict[str, Any]:
    return {
        "line": line,
        "column": column,
        "severity": severity,
        "message": message,
        "source": "pyright",
        "code": code,
    }


def _diagnostics(app: DemoApp) -> None:
    _dashboard(app)
    calc = [
        _item(9, 12, "error", 'Operator "*" not supported for "None"', "reportOptionalOperand"),
        _item(1, 1, "warning", 'Import "os" is not accessed'),
    ]
    cart = [
        _item(
            14,
            5,
            "error",
            'Argument of type "str" cannot be assigned to "int"',
            "reportArgumentType",
        )
    ]
    app.play(
        _finished(
            "call_diag",
            "diagnostics",
            "Diagnostics (open files)",
            "3 diagnostics (2 errors) in 2 files",
            diagnosticsByPath={"pkg/calc.py": calc, "pkg/cart.py": cart},
        )
    )
    _tab(app, "diagnostics")


def _call_sites(app: DemoApp) -> None:
    _dashboard(app)
    sites = [
        ("pkg/calc.py", 5, 5, None, "def mul(a: int, b: int) -> int:", "definition"),
        ("pkg/cart.py", 1, 18, None, "from pkg.calc import mul", "import"),
        ("pkg/cart.py", 14, 16, "Cart.total", "return mul(item.price, item.qty)", "call"),
        ("pkg/cart.py", 22, 12, "Cart.tax", "tax = mul(self.total(), RATE)", "call"),
        ("tests/test_calc.py", 8, 12, "test_mul", "assert mul(3, 4) == 12", "call"),
    ]
    call_sites = [
        {
            "path": str(DEMO_WORKSPACE / path),
            "line": line,
            "column": column,
            "enclosing_symbol": enclosing,
            "text": text,
            "kind": kind,
        }
        for path, line, column, enclosing, text, kind in sites
    ]
    app.play(
        _finished(
            "call_rename",
            "rename_symbol",
            "Rename pkg/calc.py:5:5 to multiply",
            "3 calls in 2 files, 1 import",
            callSites=call_sites,
            symbol="mul",
            newName="multiply",
        )
    )
    _tab(app, "call-sites")


def _skills(app: DemoApp) -> None:
    from zeph_tui.ui.widgets.skills_pane import SkillEntry, SkillsPane

    _dashboard(app)
    app.main_widget(SkillsPane).set_skills(  # offered: what the library search ranks
        [
            SkillEntry("pytest-testing", "Write and run pytest tests; fixtures, parametrize", 7.31),
            SkillEntry("python-refactoring", "Safe refactors of Python code with tests", 4.02),
            SkillEntry("git-workflow", "Branches, commits and clean history", 1.15),
        ],
        available=9,
    )
    app.play(
        _finished(
            "call_skill", "load_skill", "load_skill pytest-testing", "<skill ...>",
            skill="pytest-testing",
        )
    )  # fmt: skip
    _tab(app, "skills")


def _git(app: DemoApp) -> None:
    from zeph_tui.ui.format import unified_diff
    from zeph_tui.ui.widgets.git_pane import GitPane

    _dashboard(app)
    diff = "diff --git a/pkg/calc.py b/pkg/calc.py\n" + unified_diff(_OLD, _NEW, "pkg/calc.py")
    app.query_one(GitPane).set_state("## main\n M pkg/calc.py\n?? notes.txt", diff)
    _tab(app, "git")


def _completion(app: DemoApp) -> None:
    _empty(app)
    app.prompt_input.insert("/")


def _help(app: DemoApp) -> None:
    from zeph_tui.core import help_text

    app.chat.add_user("/help")
    app.chat.add_reply(help_text(app.controller))


class _DemoArchive:
    """An in-memory stand-in for ``runtime.store.archive`` with one archive."""

    async def read(
        self, overflow_id: str, *, offset: int = 0, limit: int = 200, grep: str | None = None
    ) -> Any:
        from zeph_tui.core.store.overflow import OverflowInfo, OverflowPage

        info = OverflowInfo(
            overflow_id, "sess_demo", "call_test", 0.0, _TEST_BYTES, 3_500_000, True
        )
        lines = [
            (n, f"tests/test_calc.py::test_mul[{n:07d}] PASSED")
            for n in range(offset, offset + limit)
        ]
        return OverflowPage(info, lines, offset + limit)


def _overflow(app: DemoApp) -> None:
    from zeph_tui.ui.screens.overflow_modal import OverflowModal

    _dashboard(app)
    app.push_screen(OverflowModal(_DemoArchive(), "ovf_5e1f0c2a9b7d"))


def _sessions(app: DemoApp) -> None:
    from zeph_tui.core.store.sessions import SessionRecord
    from zeph_tui.ui.screens.sessions_screen import SessionsScreen

    _dashboard(app)
    now = 1_750_000_000.0
    rows = [
        SessionRecord(
            "sess_3f9a0c1d2e4b5a69",
            str(DEMO_WORKSPACE),
            "Make mul return early for zero",
            "ask",
            "anthropic",
            "claude-sonnet-4-6",
            now - 7200,
            now - 60,
            118_400,
            2_310,
            0.1834,
        ),
        SessionRecord(
            "sess_a81c44d07be2f310",
            str(DEMO_WORKSPACE),
            "Add a cart total with tax",
            "accept-edits",
            "anthropic",
            "claude-sonnet-4-6",
            now - 90000,
            now - 86400,
            51_000,
            4_020,
            0.0912,
        ),
        SessionRecord(
            "sess_0d5e9b7c61a2f844",
            str(DEMO_WORKSPACE),
            "Why does test_mul fail?",
            "ask",
            "local",
            "SmolLM2-135M-Instruct.Q4_1",
            now - 400000,
            now - 345600,
            6_900,
            410,
            0.0,
        ),
    ]
    app.push_screen(SessionsScreen(rows, now=now, current_id=rows[0].id))


SCENES: dict[str, Any] = {
    "dashboard": _dashboard,
    "permission": _permission,
    "permission_edit": _permission_edit,
    "permission_long": _permission_long,
    "key_help": _key_help,
    "elicitation": _elicitation,
    "empty": _empty,
    "plan": _plan,
    "diagnostics": _diagnostics,
    "call_sites": _call_sites,
    "skills": _skills,
    "git": _git,
    "completion": _completion,
    "help": _help,
    "overflow": _overflow,
    "sessions": _sessions,
}


def demo_app(scene: str) -> DemoApp:
    """The app for ``scene`` (a key of :data:`SCENES`)."""
    return DemoApp(scene)
