"""An agent's ``skills`` front matter limits its child's catalog and ``load_skill``.

Through the real session, the real anthropic provider and the fake Messages API:
the parent starts two sub-agents, one whose definition names its skills and one
without the key; the recorded requests show what each child's model was offered.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.core.agents.helpers import agent_of
from tests.turns import calls, scripted_session, tool_results
from zeph_tui.core.agents.definition import parse_agent


def write_skill(root: Path, name: str) -> None:
    folder = root / "skills" / name
    folder.mkdir(parents=True)
    (folder / "SKILL.md").write_text(
        f"---\nname: {name}\ndescription: Does {name} things.\n---\n# {name}\nStep one.\n"
    )


def write_agent(workspace: Path, name: str, skills_line: str) -> None:
    folder = workspace / ".zeph" / "agents"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.md").write_text(
        f"---\nname: {name}\ndescription: test agent {name}\n{skills_line}---\n"
        f"You are the {name} test agent.\n"
    )


def system_text(body: dict[str, Any]) -> str:
    system = body.get("system")
    return system if isinstance(system, str) else "".join(b.get("text", "") for b in system or [])


def script(body: dict[str, Any], index: int) -> dict[str, Any]:
    agent = agent_of(body)
    if agent is None:
        if len(body["messages"]) == 1:
            return calls(
                ("task", {"agent": "scoped", "prompt": "use a skill"}),
                ("task", {"agent": "open", "prompt": "use a skill"}),
            )
        return {"blocks": [{"type": "text", "text": "done"}]}
    if len(body["messages"]) == 1:
        return calls(
            ("load_skill", {"name": "beta-skill"}), ("load_skill", {"name": "alpha-skill"})
        )
    return {"blocks": [{"type": "text", "text": f"{agent} answered"}]}


def test_the_skills_key_is_parsed() -> None:
    base = "---\nname: a\ndescription: d\n{}---\nbody\n"
    assert parse_agent(base.format("")).skills is None
    assert parse_agent(base.format("skills:\n")).skills is None
    assert parse_agent(base.format("skills: []\n")).skills == ()
    assert parse_agent(base.format("skills: x, y\n")).skills == ("x", "y")
    assert parse_agent(base.format("skills: [x]\n")).skills == ("x",)


async def test_a_child_is_offered_only_its_skills_of_the_parents(
    runtime: Any, workspace: Path, zeph_home: Path, anthropic_env: None
) -> None:
    write_skill(zeph_home, "alpha-skill")
    write_skill(zeph_home, "beta-skill")
    write_agent(workspace, "scoped", "skills: alpha-skill, not-installed\n")
    write_agent(workspace, "open", "")
    async with scripted_session(runtime, workspace, script) as (session, fake):
        assert await session.prompt(["go"]) == "end_turn"

    by_agent: dict[str, list[dict[str, Any]]] = {}
    for body in fake.requests:
        by_agent.setdefault(agent_of(body) or "parent", []).append(body)

    scoped_first, scoped_second = by_agent["scoped"]
    catalog = system_text(scoped_first)
    assert "alpha-skill" in catalog and "beta-skill" not in catalog
    assert "not-installed" not in catalog  # the intersection with what the parent has
    beta, alpha = tool_results(scoped_second)
    assert beta["is_error"] and "outside the scope of sub-agent scoped" in beta["text"]
    assert "its skills: alpha-skill" in beta["text"]
    assert not alpha["is_error"] and '<skill name="alpha-skill"' in alpha["text"]

    open_first, open_second = by_agent["open"]
    catalog = system_text(open_first)
    assert "alpha-skill" in catalog and "beta-skill" in catalog  # absent key: the parent's
    beta, alpha = tool_results(open_second)
    assert not beta["is_error"] and not alpha["is_error"]
