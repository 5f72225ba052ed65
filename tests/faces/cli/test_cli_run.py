"""`zeph-tui run` as a subprocess, as a script or CI would use it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tests.acp_schema import validate
from tests.fakes.anthropic_api import FakeAnthropic
from tests.turns import run_zeph

SCRIPT: list[dict[str, Any]] = [
    {
        "blocks": [
            {"type": "thinking", "thinking": "I should write the file."},
            {"type": "text", "text": "Writing it."},
            {
                "type": "tool_use",
                "name": "write_file",
                "input": {"path": "notes.txt", "content": "hello\n"},
            },
        ]
    },
    {"blocks": [{"type": "text", "text": "Done."}]},
]


async def run_cli(args: list[str], base_url: str, cwd: Path) -> tuple[int, str, str]:
    env = {
        **os.environ,
        "ANTHROPIC_API_KEY": "sk-ant-dummy",
        "ANTHROPIC_BASE_URL": base_url,
        "ZEPH_PROVIDER": "anthropic",
    }
    return await run_zeph(args, cwd, env)


async def test_run_json_prints_acp_updates_and_stop_reason(workspace: Path) -> None:
    async with FakeAnthropic(SCRIPT) as fake:
        code, out, err = await run_cli(
            ["run", "--json", "--yes", "write notes"], fake.base_url, workspace
        )
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[-1] == {"stopReason": "end_turn"}
    for update in lines[:-1]:  # each one a valid ACP session/update payload
        validate("SessionNotification", {"sessionId": "s", "update": update})
    kinds = [u["sessionUpdate"] for u in lines[:-1]]
    assert "agent_thought_chunk" in kinds and "agent_message_chunk" in kinds
    call = next(u for u in lines if u.get("sessionUpdate") == "tool_call")
    assert call["kind"] == "edit" and call["title"] == "Write notes.txt"
    done = [
        u
        for u in lines
        if u.get("sessionUpdate") == "tool_call_update" and u.get("status") == "completed"
    ]
    assert done[0]["content"][0]["type"] == "diff"
    assert (workspace / "notes.txt").read_text() == "hello\n"


async def test_run_without_yes_denies_and_says_so(workspace: Path) -> None:
    async with FakeAnthropic(SCRIPT) as fake:
        code, out, err = await run_cli(["run", "write notes"], fake.base_url, workspace)
        sent_back = fake.requests[1]["messages"][-1]["content"][0]
    assert code == 0
    assert "Writing it." in out and "Done." in out
    assert "denied Write notes.txt" in err and "--yes" in err
    assert not (workspace / "notes.txt").exists()
    assert sent_back["is_error"] is True and "permission rejected" in str(sent_back["content"])


async def test_overflow_cli_lists_and_shows(workspace: Path) -> None:
    script: list[dict[str, Any]] = [
        {"blocks": [{"type": "tool_use", "name": "bash", "input": {"command": "seq 1 50000"}}]},
        {"blocks": [{"type": "text", "text": "ok"}]},
    ]
    async with FakeAnthropic(script) as fake:
        code, _, err = await run_cli(["run", "--yes", "count"], fake.base_url, workspace)
        assert code == 0, err
        code, listing, _ = await run_cli(["overflow", "list"], fake.base_url, workspace)
    assert code == 0
    oid = listing.split()[0]
    assert oid.startswith("ovf_") and "50000 lines" in " ".join(listing.split())
    async with FakeAnthropic([]) as fake:
        code, page, _ = await run_cli(
            ["overflow", "show", oid, "--offset", "41", "--limit", "2"], fake.base_url, workspace
        )
        assert code == 0
        assert "42: 42\n43: 43" in page  # numbered from 1: line 42 holds 42
        code, hits, _ = await run_cli(
            ["overflow", "show", oid, "--grep", "^4999[0-9]$"], fake.base_url, workspace
        )
        assert hits.strip().count("\n") == 10 and "49999: 49999" in hits
        code, _, err = await run_cli(
            ["overflow", "show", "ovf_000000000000"], fake.base_url, workspace
        )
    assert code == 2 and "unknown overflow id" in err


async def test_run_says_the_model_cannot_ask_and_prints_nothing_extra(workspace: Path) -> None:
    from zeph_tui.cli.run import CANNOT_ASK

    script: list[dict[str, Any]] = [
        {
            "blocks": [
                {
                    "type": "tool_use",
                    "name": "ask_user",
                    "input": {"question": "Which port should the server use?"},
                }
            ]
        },
        {"blocks": [{"type": "text", "text": "I will use 8080."}]},
    ]
    async with FakeAnthropic(script) as fake:
        code, out, err = await run_cli(["run", "pick a port"], fake.base_url, workspace)
        offered = [tool["name"] for tool in fake.requests[0]["tools"]]
        sent_back = fake.requests[1]["messages"][-1]["content"][0]
    assert code == 0, err
    assert "ask_user" in offered
    assert sent_back["type"] == "tool_result"
    assert sent_back["is_error"] is True
    assert str(sent_back["content"]).count(CANNOT_ASK) == 1
    assert CANNOT_ASK.startswith("cannot ask the person in `zeph-tui run` (non-interactive)")
    assert out == "I will use 8080.\n"
    # stderr: the tool's usual two lines; at most the one-off sandbox notice besides
    lines = [line for line in err.splitlines() if line.strip()]
    notices = [line for line in lines if line.startswith("zeph-tui: ")]
    assert len(notices) <= 1 and not any("ask" in n.lower() for n in notices), err
    assert [line for line in lines if line not in notices] == [
        "→ Ask: Which port should the server use?",
        "  ✗ failed",
    ]
