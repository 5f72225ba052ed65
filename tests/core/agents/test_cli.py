"""``zeph-tui agents list|show`` as a real process."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.core.agents.helpers import write_agent
from tests.core.agents.test_definitions import CLAUDE_CODE_REVIEWER
from tests.turns import run_zeph


async def test_agents_list_and_show(workspace: Path) -> None:
    folder = workspace / ".claude" / "agents"
    folder.mkdir(parents=True)
    (folder / "code-reviewer.md").write_text(CLAUDE_CODE_REVIEWER)
    write_agent(workspace, "explorer", "Grep", body="mine")  # .zeph overrides the bundled one
    (workspace / ".zeph" / "agents" / "bad.md").write_text("---\nname: x\n---\n")
    env = dict(os.environ)

    code, out, err = await run_zeph(
        ["agents", "list", "--json", "-w", str(workspace)], workspace, env
    )
    assert code == 0, err
    rows = {row["name"]: row for row in map(json.loads, out.splitlines())}
    assert rows["code-reviewer"]["tools"] == ["Read", "Glob", "Grep", "Bash"]
    assert rows["explorer"]["source"] == "workspace" and rows["reviewer"]["source"] == "bundled"
    assert "bad.md" in err and "'description'" in err

    code, out, err = await run_zeph(
        ["agents", "show", "code-reviewer", "-w", str(workspace)], workspace, env
    )
    assert code == 0, err
    assert "tools:       read_file, glob, grep, bash" in out
    assert "You are a focused code reviewer for the 1Code desktop app." in out

    code, out, err = await run_zeph(
        ["agents", "show", "nobody", "-w", str(workspace)], workspace, env
    )
    assert code == 2 and err.strip().startswith("zeph-tui: no agent 'nobody'")
    assert "Traceback" not in err
    code, _, err = await run_zeph(["agents", "list", "-w", str(workspace / "nope")], workspace, env)
    assert code == 2 and len(err.strip().splitlines()) == 1
