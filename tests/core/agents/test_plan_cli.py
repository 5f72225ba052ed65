"""``zeph-tui plan GOAL`` as a real process against the fake Messages API (a subprocess too)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from tests.conftest import REPO_ROOT
from tests.core.agents.helpers import write_agent
from tests.turns import run_zeph

TASKS = [
    {"id": "one", "agent": "worker", "prompt": "[node one] a", "deps": []},
    {"id": "two", "agent": "worker", "prompt": "[node two] b", "deps": []},
    {"id": "three", "agent": "worker", "prompt": "[node three] c", "deps": ["one", "two"]},
]


async def test_plan_a_goal_headless(workspace: Path, zeph_home: Path, tmp_path: Path) -> None:
    plan = json.dumps({"tasks": TASKS})
    script: list[dict[str, Any]] = [{"blocks": [{"type": "text", "text": plan}]}]
    script += [{"blocks": [{"type": "text", "text": f"done {i}"}]} for i in range(3)]
    (tmp_path / "script.json").write_text(json.dumps(script))
    port_file = tmp_path / "port"
    fake = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.fakes.anthropic_api", "--script", str(tmp_path / "script.json"),
        "--port-file", str(port_file), cwd=REPO_ROOT, stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )  # fmt: skip
    try:
        assert fake.stdout is not None
        port = int((await fake.stdout.readline()).decode())
        write_agent(workspace, "worker", "Read")
        env = {
            **os.environ,
            "ANTHROPIC_API_KEY": "sk-ant-dummy",
            "ANTHROPIC_BASE_URL": f"http://127.0.0.1:{port}",
        }
        args = ["plan", "--provider", "anthropic", "--json", "-w", str(workspace), "document", "it"]
        code, out, err = await run_zeph(args, workspace, env)
        assert code == 0, err
        lines = [json.loads(line) for line in out.splitlines()]
        assert lines[-1]["status"] == "completed" and lines[-1]["graph"].startswith("graph_")
        plans = [u for u in lines if u.get("sessionUpdate") == "plan"]
        assert [e["status"] for e in plans[-1]["entries"]] == ["completed"] * 3

        code, out, err = await run_zeph(["plan", "-w", str(workspace)], workspace, env)
        assert (
            code == 2 and err.strip() == "zeph-tui: give a goal: zeph-tui plan GOAL (or --resume)"
        )
        code, out, err = await run_zeph(["plan", "--resume", "-w", str(workspace)], workspace, env)
        assert code == 2 and "no unfinished task graph" in err and "Traceback" not in err
    finally:
        fake.terminate()
        await fake.wait()
