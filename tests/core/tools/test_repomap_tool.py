"""The repo_map tool through the real session, and the cached system prompt section."""

from __future__ import annotations

import importlib.util
import os
import shutil
import time
from pathlib import Path
from typing import Any

from tests.turns import only_result, scripted_session
from zeph_tui.core.code.repomap import build_repo_map, estimate_tokens
from zeph_tui.core.tools.repomap_tool import RepoMapSection


def system_text(body: dict[str, Any]) -> str:
    system = body.get("system", "")
    return system if isinstance(system, str) else "".join(b.get("text", "") for b in system)


async def test_repo_map_tool_and_prompt_section(
    runtime: Any, workspace: Path, anthropic_env: None
) -> None:
    script: list[dict[str, Any]] = [
        {
            "blocks": [
                {
                    "type": "tool_use",
                    "name": "repo_map",
                    "input": {"task": "multiply numbers", "budget_tokens": 300},
                }
            ]
        },
        {"blocks": [{"type": "text", "text": "ok"}]},
    ]
    async with scripted_session(runtime, workspace, script, mode="ask") as (session, fake):
        # a prompt takes the map only once its warm-up has run (it never waits for it)
        await runtime.warmup.wait(f"repo_map:{session.workspace}")
        assert await session.prompt(["where is mul?"]) == "end_turn"
    assert "repo_map" in {t["name"] for t in fake.requests[0]["tools"]}
    text = only_result(fake.requests[1])["text"]
    assert text.startswith("[repo map: ")
    assert "pkg/calc.py:" in text and "def mul(a: int, b: int) -> int" in text
    body = text.split("\n", 1)[1]
    assert estimate_tokens(body) <= 300
    assert body == build_repo_map(workspace, task="multiply numbers", budget_tokens=300).text
    system = system_text(fake.requests[0])
    assert "# Repository map" in system and "def add(a: int, b: int) -> int" in system


async def test_section_cached_and_refreshed_on_change(workspace: Path) -> None:
    section = RepoMapSection(budget_tokens=200)
    first = await section.text(workspace)
    assert "pkg/calc.py:" in first
    assert await section.text(workspace) == first and section.builds == 1
    new = workspace / "pkg" / "geometry.py"
    new.write_text("def area_of_circle(radius: float) -> float:\n    return 3.14 * radius**2\n")
    later = time.time() + 5
    os.utime(new, (later, later))
    refreshed = await section.text(workspace)
    assert section.builds == 2 and "area_of_circle" in refreshed
    await section.aclose()


async def test_tool_on_a_real_project_within_budget(
    runtime: Any, tmp_path: Path, anthropic_env: None
) -> None:
    spec = importlib.util.find_spec("textual")
    assert spec is not None and spec.submodule_search_locations, "textual must be installed"
    project = tmp_path / "proj"
    shutil.copytree(
        next(iter(spec.submodule_search_locations)),
        project / "textual",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    script: list[dict[str, Any]] = [
        {
            "blocks": [
                {
                    "type": "tool_use",
                    "name": "repo_map",
                    "input": {"task": "widget layout", "budget_tokens": 1000},
                }
            ]
        },
        {"blocks": [{"type": "text", "text": "ok"}]},
    ]
    async with scripted_session(runtime, project, script, mode="ask") as (session, fake):
        started = time.perf_counter()
        assert await session.prompt(["map it"]) == "end_turn"
        elapsed_s = time.perf_counter() - started
    text = only_result(fake.requests[1])["text"]
    assert estimate_tokens(text.split("\n", 1)[1]) <= 1000
    assert "textual/" in text
    # two builds (prompt section + tool) and two model calls; bench/repomap.py times one build
    assert elapsed_s < 15, elapsed_s
