"""The tools the model sees. Names and parameters are a public contract.

``read_file(path, offset?, limit?)``, ``write_file(path, content)``,
``edit_file(path, old_string, new_string, replace_all?)``, ``glob(pattern, path?)``,
``grep(pattern, path?, glob?)``, ``bash(command, timeout_s?)``,
``read_overflow(id, offset?, limit?, grep?)``, ``update_plan(entries)``; sessions opened
with the default tools also get ``task(agent, prompt, description?)``
(:mod:`.task_tool`, registered by ``Runtime.open_session`` with the session's sub-agent host).
Every built-in tool's description and input schema, the text the model
reads, stand in ``contracts.md`` (loaded by :mod:`.contracts`); the class that
runs it names its section: ``class Bash(Tool, name="bash", kind="execute")``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zeph_tui.core.tools.base import Tool, ToolContext, ToolResult, check_args, parse_args

if TYPE_CHECKING:
    from zeph_tui.core.safety.sandbox import Sandbox

__all__ = [
    "Tool",
    "ToolContext",
    "ToolResult",
    "check_args",
    "default_tools",
    "parse_args",
]


def default_tools(sandbox: Sandbox | None = None) -> list[Tool]:
    """The built-in tool set, in the order the model sees it.

    Args:
        sandbox: the shell sandbox for ``bash`` (None: its default, on).
    """
    from zeph_tui.core.tools.bash import Bash
    from zeph_tui.core.tools.files import EditFile, ReadFile, WriteFile
    from zeph_tui.core.tools.overflow_tool import ReadOverflow
    from zeph_tui.core.tools.plan_tool import UpdatePlan
    from zeph_tui.core.tools.search import Glob, Grep

    return [
        ReadFile(),
        WriteFile(),
        EditFile(),
        Glob(),
        Grep(),
        Bash(sandbox),
        ReadOverflow(),
        UpdatePlan(),
    ]
