"""Agent definitions: Claude Code's ``.claude/agents/*.md`` read as is, override order, problems.

:data:`CLAUDE_CODE_REVIEWER` is a real public file, used verbatim:
repository ``21st-dev/1code`` (https://github.com/21st-dev/1code), path
``.claude/agents/code-reviewer.md``, commit ``e9c73b066f35d99c02275e5f89a9d543608aa47f``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.core.agents.helpers import agent_of, tool_names, write_agent
from tests.turns import calls, scripted_session, tool_results
from zeph_tui.core.agents.definition import discover_agents, parse_agent
from zeph_tui.core.agents.host import child_mode
from zeph_tui.core.errors import AgentError

CLAUDE_CODE_REVIEWER = """\
---
name: code-reviewer
description: Reviews code changes for correctness, regressions, integration risk, and missing verification.
tools: Read, Glob, Grep, Bash
model: sonnet
---

You are a focused code reviewer for the 1Code desktop app.

Review changes with a senior engineer's bias toward correctness and maintainability. Prioritize real bugs, behavior regressions, security issues, data-loss risks, and missing tests or smoke checks.

Rules:
- Lead with findings, ordered by severity.
- Include exact file references when possible.
- Avoid style-only feedback unless it hides a correctness or maintenance issue.
- Do not rewrite code unless explicitly asked.
- Do not run broad or destructive commands.
- When running commands, prefer read-only inspection and targeted verification.
- Respect existing user changes in the worktree.

Review focus for this repo:
- Electron main/preload/renderer boundaries.
- tRPC input validation and main-process-only secret handling.
- Drizzle schema changes and migration safety.
- Claude/Codex provider runtime behavior.
- Local mode vs hosted-only capability boundaries.
- UI state consistency across Jotai, Zustand, and React Query.

Expected output:
- Findings first.
- Open questions or assumptions.
- Verification performed or still needed.
"""


def test_the_public_claude_code_file_parses_unchanged() -> None:
    agent = parse_agent(CLAUDE_CODE_REVIEWER)
    assert agent.name == "code-reviewer"
    assert agent.tools == ("Read", "Glob", "Grep", "Bash")
    assert agent.model == "sonnet"
    assert agent.prompt.startswith("You are a focused code reviewer for the 1Code desktop app.")
    available = ["read_file", "write_file", "edit_file", "glob", "grep", "bash", "update_plan"]
    assert agent.allowed_tools(available) == ["read_file", "glob", "grep", "bash"]
    assert agent.unknown_tools(available) == []


async def test_the_public_claude_code_file_runs_as_a_sub_agent(
    runtime: Any, workspace: Path, anthropic_env: None
) -> None:
    folder = workspace / ".claude" / "agents"
    folder.mkdir(parents=True)
    (folder / "code-reviewer.md").write_text(CLAUDE_CODE_REVIEWER)

    def script(body: dict[str, Any], index: int) -> dict[str, Any]:
        if agent_of(body) is None:
            if len(body["messages"]) == 1:
                return calls(("task", {"agent": "code-reviewer", "prompt": "review pkg/calc.py"}))
            return {"blocks": [{"type": "text", "text": "reviewed"}]}
        if len(body["messages"]) == 1:
            return calls(("grep", {"pattern": "def add"}))
        return {"blocks": [{"type": "text", "text": "No findings in pkg/calc.py."}]}

    async with scripted_session(runtime, workspace, script) as (session, fake):
        assert await session.prompt(["review my change"]) == "end_turn"
    child = [b for b in fake.requests if agent_of(b) == "code-reviewer"]
    assert len(child) == 2
    system = child[0]["system"]
    system_text = system if isinstance(system, str) else "".join(b["text"] for b in system)
    assert "You are a focused code reviewer for the 1Code desktop app." in system_text
    assert tool_names(child[0]) == ["read_file", "glob", "grep", "bash"]
    assert child[0]["model"] == fake.requests[0]["model"]  # model: sonnet = the parent's model
    assert "pkg/calc.py" in tool_results(child[1])[0]["text"]
    assert tool_results(fake.requests[-1])[0]["text"].startswith("No findings in pkg/calc.py.")


def test_override_order_and_problems(workspace: Path, zeph_home: Path) -> None:
    write_agent(workspace, "explorer", "Read", body="from claude", folder=".claude/agents")
    write_agent(workspace, "mine", "Read", body="from .agents", folder=".agents/agents")
    write_agent(workspace, "mine", "Grep", body="from .zeph", folder=".zeph/agents")
    write_agent(zeph_home, "helper", "Bash", body="from home", folder="agents")
    (workspace / ".zeph" / "agents" / "broken.md").write_text("no front matter\n")
    agents, problems = discover_agents(workspace, zeph_home)
    assert agents["explorer"].prompt == "from claude" and agents["explorer"].source == "workspace"
    assert agents["mine"].prompt == "from .zeph"
    assert agents["helper"].source == "user"
    assert {"test-runner", "reviewer"} <= set(agents)  # bundled
    assert [p.path.name for p in problems] == ["broken.md"]
    assert "front matter" in problems[0].reason


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\ndescription: d\n---\nbody\n", "'name'"),
        ("---\nname: Bad Name\ndescription: d\n---\nbody\n", "bad agent name"),
        ("---\nname: a\ndescription: d\n---\n", "body"),
        ("---\nname: a\ndescription: d\npermissionMode: wild\n---\nx\n", "permission mode"),
        ("---\nname: a\ndescription: d\ntools: 3\n---\nx\n", "'tools'"),
        ("---\nname: [a\n---\nx\n", "YAML"),
    ],
)
def test_invalid_definitions_say_why(text: str, message: str) -> None:
    with pytest.raises(AgentError, match=message):
        parse_agent(text)


def test_modes_and_unknown_tools() -> None:
    agent = parse_agent(
        "---\nname: a\ndescription: d\ntools: [Read, WebFetch, Bash(git diff:*)]\n"
        "permissionMode: acceptEdits\ncolor: blue\n---\nx\n"
    )
    assert agent.mode == "accept-edits" and agent.extra == {"color": "blue"}
    assert agent.allowed_tools(["read_file", "bash"]) == ["read_file", "bash"]
    assert agent.unknown_tools(["read_file", "bash"]) == ["WebFetch"]
    assert child_mode("ask", "bypass") == "ask"
    assert child_mode("bypass", "plan") == "plan"
    assert child_mode("accept-edits", None) == "accept-edits"
