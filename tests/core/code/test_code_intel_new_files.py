"""A turn writes a module, then a second one importing it: no false unresolved import.

New files are announced to the servers (``workspace/didChangeWatchedFiles``
Created, then didOpen), so the import resolves in the second write's
diagnostics. Real turn: the anthropic SDK against the fake Messages API,
basedpyright or pyright chosen through ``[lsp] disabled`` in config.toml.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.fakes.anthropic_api import FakeAnthropic
from tests.turns import AllowAll, Recorder, only_result
from zeph_tui.core.providers.anthropic import AnthropicProvider

BAD = "def count(items: list[int]) -> int:\n    return len(items)\n"
BAD2 = (
    "from bad import count\n\n\ndef twice(items: list[int]) -> int:\n    return 2 * count(items)\n"
)


def script(body: dict[str, Any], index: int) -> dict[str, Any]:
    if index == 0:  # the servers start here, before bad.py exists
        return {"blocks": [{"type": "tool_use", "name": "write_file",
                            "input": {"path": "main.py", "content": "print('hello')\n"}}]}  # fmt: skip
    if index == 1:
        return {"blocks": [{"type": "tool_use", "name": "write_file",
                            "input": {"path": "bad.py", "content": BAD}}]}  # fmt: skip
    if index == 2:
        return {"blocks": [{"type": "tool_use", "name": "write_file",
                            "input": {"path": "bad2.py", "content": BAD2}}]}  # fmt: skip
    return {"blocks": [{"type": "text", "text": "Done."}]}


@pytest.mark.parametrize(
    ("server", "other"), [("basedpyright", "pyright"), ("pyright", "basedpyright")]
)
async def test_second_module_imports_the_first_without_false_diagnostic(
    tmp_path: Path, zeph_home: Path, anthropic_env: None, server: str, other: str
) -> None:
    from zeph_tui.core.runtime import Runtime

    (zeph_home / "config.toml").write_text(f'[lsp]\ndisabled = ["{other}", "ruff"]\n')
    workspace = tmp_path / "proj"
    workspace.mkdir()
    (workspace / "pyproject.toml").write_text('[project]\nname = "proj"\nversion = "0"\n')
    (workspace / "main.py").write_text("print('hi')\n")
    runtime = await Runtime.start()
    try:
        async with FakeAnthropic(script) as fake:
            provider = AnthropicProvider(
                model="claude-sonnet-4-6", base_url=fake.base_url, max_retries=0
            )
            session = await runtime.open_session(
                workspace=workspace, sink=Recorder(), approver=AllowAll(), mode="bypass",
                provider=provider,
            )  # fmt: skip
            assert await session.prompt(["Write the two modules."]) == "end_turn"
            await provider.aclose()
    finally:
        await runtime.aclose()
    first = only_result(fake.requests[2])["text"]
    second = only_result(fake.requests[3])["text"]
    assert "Diagnostics for bad.py: 0 new, 0 fixed; the file now has 0 errors" in first, first
    assert "could not be resolved" not in second, second
    assert "Diagnostics for bad2.py: 0 new, 0 fixed; the file now has 0 errors" in second, second
    assert f"[{'basedpyright' if server == 'basedpyright' else 'Pyright'}/" not in second
