"""Record a real multi-step turn with `zeph-tui run --record`, replay it without a network.

The recording run uses the real ``anthropic`` SDK against the scripted fake
Messages API; the replays have no ``ANTHROPIC_*`` variables at all.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from tests.conftest import make_repo
from tests.fakes.anthropic_api import FakeAnthropic
from tests.turns import run_zeph

PROMPT = "count to 50000, then add a typed constant"

SCRIPT: list[dict[str, Any]] = [
    {
        "blocks": [
            {"type": "thinking", "thinking": "Count first."},
            {"type": "text", "text": "Counting."},
            {"type": "tool_use", "name": "bash", "input": {"command": "seq 1 50000"}},
        ]
    },
    {
        "blocks": [
            {"type": "text", "text": "Now the constant."},
            {
                "type": "tool_use",
                "name": "write_file",
                "input": {"path": "const.py", "content": 'LIMIT: int = "fifty"\n'},
            },
        ]
    },
    {"blocks": [{"type": "text", "text": "Done: 50000 lines, and const.py."}]},
]


async def zeph(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str, str]:
    return await run_zeph(args, cwd, env, timeout_s=120)


def offline_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "ZEPH_PROV"))}


def _live_text(event: dict[str, Any]) -> str | None:
    """The text of a live-output update (a bash chunk), else None."""
    content = event.get("content") or []
    if event.get("sessionUpdate") != "tool_call_update" or set(event) != {
        "sessionUpdate",
        "toolCallId",
        "content",
    }:
        return None
    return "".join(c["content"]["text"] for c in content)


def normalised(out: str, workspace: Path) -> list[dict[str, Any]]:
    """The events of `run --json` with what differs per run by nature made equal.

    Per-run random ids (message ids, overflow ids) and the workspace path are
    masked, and the live chunks of a command's output are joined (how a pipe
    splits them is the kernel's choice; the text itself must be the same).
    """
    text = re.sub(r"ovf_[0-9a-f]{12}", "ovf_<id>", out.replace(str(workspace), "$WS"))
    events: list[dict[str, Any]] = []
    for event in (json.loads(line) for line in text.splitlines()):
        event.pop("messageId", None)
        live, previous = _live_text(event), events[-1] if events else {}
        if live is not None and _live_text(previous) is not None:
            previous["content"][0]["content"]["text"] += live
            continue
        events.append(event)
    return events


async def record(workspace: Path, tape: Path) -> list[dict[str, Any]]:
    async with FakeAnthropic(SCRIPT) as fake:
        env = {
            **offline_env(),
            "ANTHROPIC_API_KEY": "sk-ant-dummy",
            "ANTHROPIC_BASE_URL": fake.base_url,
            "ZEPH_PROVIDER": "anthropic",
        }
        code, out, err = await zeph(
            ["run", "--json", "--yes", "--record", str(tape), PROMPT], workspace, env
        )
    assert code == 0, err
    return normalised(out, workspace)


async def test_recorded_turn_replays_with_identical_events(tmp_path: Path, workspace: Path) -> None:
    tape = tmp_path / "turn.jsonl"
    recorded = await record(workspace, tape)
    kinds = [e.get("sessionUpdate") for e in recorded]
    assert kinds.count("tool_call") == 2 and recorded[-1] == {"stopReason": "end_turn"}
    calls = [json.loads(line) for line in tape.read_text().splitlines()][1:]
    assert len(calls) == 3
    bash_result = calls[1]["request"]["messages"][-1]["parts"][0]["content"]
    assert "overflow_id=ovf_" in bash_result  # the overflow notice reached the model
    write_result = calls[2]["request"]["messages"][-1]["parts"][0]["content"]
    assert "const.py" in write_result and "$WORKSPACE" not in json.dumps(SCRIPT)

    fresh = make_repo(tmp_path / "elsewhere")
    code, out, err = await zeph(
        ["run", "--json", "--yes", "--replay", str(tape), PROMPT], fresh, offline_env()
    )
    assert code == 0, err
    assert normalised(out, fresh) == recorded
    assert (fresh / "const.py").read_text() == 'LIMIT: int = "fifty"\n'

    again = make_repo(tmp_path / "third")
    code, out, err = await zeph(["replay", str(tape), "-w", str(again)], again, offline_env())
    assert code == 0, err
    assert out.splitlines()[-1] == "replay: matched (3 model calls)"


async def test_edited_prompt_reports_the_divergence(tmp_path: Path, workspace: Path) -> None:
    tape = tmp_path / "turn.jsonl"
    await record(workspace, tape)
    fresh = make_repo(tmp_path / "elsewhere")
    edited = PROMPT.replace("50000", "60000")
    code, out, err = await zeph(
        ["run", "--json", "--yes", "--replay", str(tape), edited], fresh, offline_env()
    )
    assert code == 1, err  # a failed turn (the replay's stop), not a crash
    assert "Traceback" not in err
    line = next(x for x in err.splitlines() if "replay diverged" in x)
    assert "replay diverged at model call 1, field messages[0].parts[0].text" in line
    assert '"count to 50000' in line and '"count to 60000' in line
    assert "Counting." not in out  # nothing was answered past the divergence
    assert not (fresh / "const.py").exists()


async def test_replay_command_mistakes_exit_2(tmp_path: Path) -> None:
    missing = tmp_path / "none.jsonl"
    code, _, err = await zeph(["replay", str(missing)], tmp_path, offline_env())
    assert code == 2 and "cannot read tape" in err and "Traceback" not in err
    junk = tmp_path / "junk.jsonl"
    junk.write_text('{"kind": "call"}\n')
    code, _, err = await zeph(["replay", str(junk)], tmp_path, offline_env())
    assert code == 2 and "not a zeph-tui tape" in err
    broken = tmp_path / "broken.jsonl"
    header = {"kind": "header", "version": 1, "provider": "anthropic", "mode": "bypass"}
    prompt = {"messages": [{"role": "user", "parts": [{"type": "text", "text": "hi"}]}]}
    call = {"kind": "call", "seq": 0, "request": prompt, "stream": [{"type": "text"}]}
    broken.write_text(json.dumps(header) + "\n" + json.dumps(call) + "\n")
    code, _, err = await zeph(["replay", str(broken), "-w", str(tmp_path)], tmp_path, offline_env())
    assert code in (1, 2) and "Traceback" not in err
    code, _, err = await zeph(
        ["run", "--record", str(tmp_path / "no" / "t.jsonl"), "hi"], tmp_path, offline_env()
    )
    assert code == 2 and "does not exist" in err
