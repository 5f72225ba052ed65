"""The audit layer writes one redacted JSON line per tool call, ran or refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.fakes.anthropic_api import FakeAnthropic
from zeph_tui.core.ports import PermissionOutcome, PermissionRequest
from zeph_tui.core.providers.anthropic import AnthropicProvider

KEY = "sk-ant-api03-" + "Q" * 40


class Deny:
    async def request_permission(self, request: PermissionRequest) -> PermissionOutcome:
        return "reject_once"


async def test_audit_log_records_calls_without_secrets(
    workspace: Path, runtime: Any, anthropic_env: None, zeph_home: Path
) -> None:
    script = [
        {
            "blocks": [
                {"type": "tool_use", "name": "read_file", "input": {"path": "pkg/calc.py"}},
                {"type": "tool_use", "name": "bash", "input": {"command": f"echo {KEY}"}},
            ]
        },
        {"blocks": [{"type": "text", "text": "ok"}]},
    ]

    async def sink(event: object) -> None:
        return None

    async with FakeAnthropic(script) as fake:
        provider = AnthropicProvider(
            model="claude-sonnet-4-6", base_url=fake.base_url, max_retries=0
        )
        session = await runtime.open_session(
            workspace=workspace, sink=sink, approver=Deny(), provider=provider
        )
        assert await session.prompt(["look"]) == "end_turn"
        await provider.aclose()
    lines = [json.loads(x) for x in (zeph_home / "audit.jsonl").read_text().splitlines()]
    by_tool = {line["tool"]: line for line in lines}
    assert by_tool["read_file"]["ran"] is True and by_tool["read_file"]["is_error"] is False
    assert by_tool["read_file"]["args"] == {"path": "pkg/calc.py"}
    assert by_tool["read_file"]["duration_ms"] is not None
    assert by_tool["bash"]["ran"] is False and by_tool["bash"]["is_error"] is True  # refused
    assert all(line["session"] == session.id for line in lines)
    raw = (zeph_home / "audit.jsonl").read_text()
    assert KEY not in raw and "REDACTED" in raw
