"""Memory across sessions through `zeph-tui run` and `zeph-tui memory` (real subprocesses).

Session 1 in project A tells the model a fact, which it stores with
``remember``; a new session of project A sees it in its system prompt and
finds it with ``recall``; a session of project B sees neither.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import make_repo
from tests.core.replay.test_replay_cli import offline_env, zeph
from tests.fakes.anthropic_api import FakeAnthropic

FACT = "The staging database listens on port 6543."


def remember_script() -> list[dict[str, Any]]:
    return [
        {"blocks": [{"type": "tool_use", "name": "remember", "input": {"text": FACT}}]},
        {"blocks": [{"type": "text", "text": "Noted."}]},
    ]


def recall_script() -> list[dict[str, Any]]:
    return [
        {"blocks": [{"type": "tool_use", "name": "recall", "input": {"query": "staging port"}}]},
        {"blocks": [{"type": "text", "text": "ok"}]},
    ]


async def run_session(workspace: Path, script: list[dict[str, Any]], prompt: str) -> list[Any]:
    async with FakeAnthropic(script) as fake:
        env = {
            **offline_env(),
            "ANTHROPIC_API_KEY": "sk-ant-dummy",
            "ANTHROPIC_BASE_URL": fake.base_url,
            "ZEPH_PROVIDER": "anthropic",
        }
        code, _, err = await zeph(["run", "--yes", prompt], workspace, env)
        assert code == 0, err
        return list(fake.requests)


def recall_result(requests: list[Any]) -> str:
    block = requests[1]["messages"][-1]["content"][0]
    assert block["type"] == "tool_result"
    content = block["content"]
    return content if isinstance(content, str) else "".join(c["text"] for c in content)


async def test_fact_recalled_in_same_project_only(tmp_path: Path) -> None:
    project_a = make_repo(tmp_path / "a")
    project_b = make_repo(tmp_path / "b")
    first = await run_session(project_a, remember_script(), f"remember this: {FACT}")
    assert "remembered as memory 1" in recall_result(first)

    again = await run_session(project_a, recall_script(), "which port does staging use?")
    assert FACT in json.dumps(again[0]["system"])  # offered before the turn
    assert FACT in recall_result(again)

    other = await run_session(project_b, recall_script(), "which port does staging use?")
    assert FACT not in json.dumps(other[0]["system"])
    assert recall_result(other) == "no memory matches that query"

    code, listing, _ = await zeph(["memory", "list", "-w", str(project_a)], tmp_path, offline_env())
    assert code == 0 and FACT in listing
    code, listing, _ = await zeph(["memory", "list", "-w", str(project_b)], tmp_path, offline_env())
    assert code == 0 and listing == ""
    code, hits, _ = await zeph(
        ["memory", "search", "staging", "--json", "-w", str(project_a)], tmp_path, offline_env()
    )
    found = json.loads(hits.splitlines()[0])
    assert found["text"] == FACT and found["project"] == str(project_a)
    code, shown, _ = await zeph(["memory", "show", "1"], tmp_path, offline_env())
    assert code == 0 and json.loads(shown)["source_session"].startswith("sess_")
    code, out, _ = await zeph(["memory", "forget", "1"], tmp_path, offline_env())
    assert code == 0 and out.startswith("forgot memory 1")
    code, _, err = await zeph(["memory", "show", "1"], tmp_path, offline_env())
    assert code == 2 and "unknown memory id 1" in err
    code, _, err = await zeph(["memory", "forget", "one"], tmp_path, offline_env())
    assert code == 2 and "must be a number" in err


async def test_remember_refuses_a_secret_in_a_turn(tmp_path: Path) -> None:
    project = make_repo(tmp_path / "a")
    secret = "AKIAIOSFODNN7EXAMPLE"
    script: list[dict[str, Any]] = [
        {"blocks": [{"type": "tool_use", "name": "remember", "input": {"text": f"aws {secret}"}}]},
        {"blocks": [{"type": "text", "text": "ok"}]},
    ]
    requests = await run_session(project, script, "keep my key")
    block = requests[1]["messages"][-1]["content"][0]
    assert block["is_error"] is True
    assert "refused, it contains a secret (aws_access_key_id)" in recall_result(requests)
    code, listing, _ = await zeph(["memory", "list", "--all"], tmp_path, offline_env())
    assert code == 0 and listing == ""
