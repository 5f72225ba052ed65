"""The end-to-end turn with language servers: real anthropic SDK, fake Messages API, basedpyright.

The scripted model writes a Python file with a type error, fixes it with an
edit, writes a module importing from another one and reads it back. Asserts
on what the model received (``fake.requests``) and on what the faces got
(ToolCallUpdate content and raw_output).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.core.code.test_code_intel import server_children
from tests.fakes.anthropic_api import FakeAnthropic
from tests.turns import AllowAll, Recorder, only_result
from zeph_tui.core.events import DiffContent, TextContent, ToolCallUpdate
from zeph_tui.core.providers.anthropic import AnthropicProvider

BROKEN = 'def double(x: int) -> int:\n    return 2 * x\n\n\ndef name() -> int:\n    return "ada"\n'
APP = "from pkg.calc import add\n\n\ndef total() -> int:\n    return add(1, 2)\n"


def script(body: dict[str, Any], index: int) -> dict[str, Any]:
    """The scripted model; each step checks the previous tool result."""
    if index == 0:
        return {"blocks": [{"type": "tool_use", "name": "write_file", "input": {
            "path": "pkg/names.py", "content": BROKEN}}]}  # fmt: skip
    if index == 1:
        text = only_result(body)["text"]
        assert "pkg/names.py:6:12: error [basedpyright/reportReturnType]" in text, text
        return {"blocks": [{"type": "tool_use", "name": "edit_file", "input": {
            "path": "pkg/names.py", "old_string": 'return "ada"', "new_string": "return 7"}}]}  # fmt: skip
    if index == 2:
        assert "1 fixed" in only_result(body)["text"]
        return {"blocks": [{"type": "tool_use", "name": "write_file", "input": {
            "path": "pkg/app.py", "content": APP}}]}  # fmt: skip
    if index == 3:
        return {"blocks": [{"type": "tool_use", "name": "read_file", "input": {
            "path": "pkg/app.py"}}]}  # fmt: skip
    return {"blocks": [{"type": "text", "text": "Fixed the return type."}]}


async def test_turn_sees_type_error_then_fix_then_hover(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    before = server_children()
    sink = Recorder()
    async with FakeAnthropic(script) as fake:
        provider = AnthropicProvider(
            model="claude-sonnet-4-6", base_url=fake.base_url, max_retries=0
        )
        session = await runtime.open_session(
            workspace=workspace, sink=sink, approver=AllowAll(), mode="bypass", provider=provider
        )
        stop = await session.prompt(["Add a name helper."])
        await provider.aclose()
    assert stop == "end_turn"
    reqs = fake.requests
    assert len(reqs) == 5
    assert {"diagnostics", "hover", "definition", "references"} <= {
        t["name"] for t in reqs[0]["tools"]
    }

    write = only_result(reqs[1])
    assert write["is_error"] is False
    assert write["text"].startswith("Created pkg/names.py")
    assert "Diagnostics for pkg/names.py: 1 new, 0 fixed; the file now has 1 error" in write["text"]
    assert "pkg/names.py:6:12: error [basedpyright/reportReturnType]" in write["text"]
    assert '    return "ada"' in write["text"]

    edit = only_result(reqs[2])["text"]
    assert "Diagnostics for pkg/names.py: 0 new, 1 fixed; the file now has 0 errors" in edit
    assert "fixed:\npkg/names.py:6:12: error [basedpyright/reportReturnType]" in edit

    read = only_result(reqs[4])["text"]
    assert read.startswith("1\tfrom pkg.calc import add")
    assert "- add (pkg/calc.py:1): (function) def add(a: int, b: int) -> int" in read

    # the faces: diagnostics as TextContent beside the diff, structured items in raw_output
    updates = sink.of(ToolCallUpdate)
    finals = [u for u in updates if u.status == "completed"]
    first = finals[0]
    assert [type(c) for c in first.content] == [DiffContent, TextContent]
    assert "pkg/names.py:6:12: error" in first.content[1].text
    structured = [
        u.raw_output["diagnostics"]
        for u in updates
        if u.raw_output and "diagnostics" in u.raw_output
    ]
    assert [len(d["new"]) for d in structured[:2]] == [1, 0]
    assert structured[1]["fixed"][0]["line"] == 6 and structured[1]["items"] == []

    await runtime.code_intel(workspace).aclose()
    assert server_children(before) == []
