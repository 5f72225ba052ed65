"""rename_symbol driven by a scripted model through a real session (basedpyright)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from tests.fakes.anthropic_api import FakeAnthropic
from tests.paths import TESTS
from tests.turns import Recorder, only_result
from zeph_tui.core.events import DiffContent, TextContent, ToolCall, ToolCallUpdate
from zeph_tui.core.ports import PermissionOutcome, PermissionRequest
from zeph_tui.core.providers.anthropic import AnthropicProvider

FIXTURES = TESTS / "fixtures_rename"
RENAME = {"path": "shop/pricing.py", "line": 4, "column": 5, "new_name": "grand_total"}


class Answer:
    def __init__(self, outcome: PermissionOutcome) -> None:
        self.outcome = outcome
        self.requests: list[PermissionRequest] = []

    async def request_permission(self, request: PermissionRequest) -> PermissionOutcome:
        self.requests.append(request)
        return self.outcome


def _script(results: list[dict[str, Any]]) -> Any:
    def script(body: dict[str, Any], index: int) -> dict[str, Any]:
        if index == 0:
            return {"blocks": [{"type": "tool_use", "name": "rename_symbol", "input": RENAME}]}
        results.append(only_result(body))
        return {"blocks": [{"type": "text", "text": "done"}]}

    return script


async def _turn(root: Path, runtime: Any, outcome: PermissionOutcome) -> tuple[Any, ...]:
    sink, approver, results = Recorder(), Answer(outcome), []  # type: ignore[var-annotated]
    async with FakeAnthropic(_script(results)) as fake:
        provider = AnthropicProvider(
            model="claude-sonnet-4-6", base_url=fake.base_url, max_retries=0
        )
        session = await runtime.open_session(
            workspace=root, sink=sink, approver=approver, mode="ask", provider=provider
        )
        assert "rename_symbol" in session.tools
        stop = await session.prompt(["rename total to grand_total"])
        await provider.aclose()
    assert stop == "end_turn"
    return sink, approver, results[0]


async def test_model_renames_after_seeing_the_diff(
    tmp_path: Path, runtime: Any, anthropic_env: None
) -> None:
    root = tmp_path / "pyproj"
    shutil.copytree(FIXTURES / "pyproj", root)
    sink, approver, result = await _turn(root, runtime, "allow_once")
    (request,) = approver.requests
    assert request.tool_name == "rename_symbol"
    diffs = [c for c in request.tool_call.content if isinstance(c, DiffContent)]
    assert {Path(d.path).name for d in diffs} == {
        "__init__.py",
        "cli.py",
        "pricing.py",
        "report.py",
    }
    assert any("grand_total(cart.items)" in d.new_text for d in diffs)
    assert len(request.tool_call.locations) == 6  # one per call site
    assert not result["is_error"], result["text"]
    text = result["text"]
    assert text.index("call site") < text.index("files changed")
    assert "9:19 in Report.render" in text
    assert "diagnostics: 0 new" in text
    assert "grand_total(cart.items)" in (root / "shop/report.py").read_text()
    assert "def total(self) -> str:" in (root / "shop/report.py").read_text()
    announced = [e for e in sink.of(ToolCall) if e.name == "rename_symbol"]
    assert announced
    final = [e for e in sink.of(ToolCallUpdate) if e.status == "completed"]
    assert final and any(isinstance(c, DiffContent) for c in final[-1].content or ())
    assert any(isinstance(c, TextContent) for c in request.tool_call.content)


async def test_rejected_rename_writes_nothing(
    tmp_path: Path, runtime: Any, anthropic_env: None
) -> None:
    root = tmp_path / "pyproj"
    shutil.copytree(FIXTURES / "pyproj", root)
    before = {p: p.read_bytes() for p in root.rglob("*.py")}
    _sink, approver, result = await _turn(root, runtime, "reject_once")
    assert len(approver.requests) == 1
    assert result["is_error"]
    assert "permission rejected" in result["text"]
    assert {p: p.read_bytes() for p in root.rglob("*.py")} == before
