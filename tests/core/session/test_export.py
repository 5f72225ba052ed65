"""/export and ``zeph-tui export``: a real session's messages, tool calls and diffs as Markdown."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.turns import calls, run_zeph, scripted_session
from zeph_tui.core.commands.host import CommandError
from zeph_tui.core.session.export import ExportError, export_markdown

SCRIPT: list[dict[str, Any]] = [
    {
        "blocks": [
            {"type": "text", "text": "Swapping the factors."},
            {
                "type": "tool_use",
                "name": "edit_file",
                "input": {
                    "path": "pkg/calc.py",
                    "old_string": "return a * b",
                    "new_string": "return b * a",
                },
            },
        ]
    },
    calls(("bash", {"command": "printf 'one\\ntwo\\n'"})),
    {"blocks": [{"type": "text", "text": "Done: ```b * a``` now."}]},
]


async def _session_with_a_turn(runtime: Any, workspace: Path) -> str:
    async with scripted_session(runtime, workspace, SCRIPT) as (session, _fake):
        assert await session.prompt(["swap mul's factors"]) == "end_turn"
        return session.id


async def test_markdown_holds_messages_tool_calls_and_diffs(
    runtime: Any, workspace: Path, anthropic_env: None
) -> None:
    session_id = await _session_with_a_turn(runtime, workspace)
    done = await export_markdown(runtime.store.sessions, session_id)
    text = done.text
    assert done.path is None and done.messages == 3 and done.tool_calls == 2
    assert text.index("## User\n\nswap mul's factors") < text.index("## Assistant")
    assert "### ✓ Edit pkg/calc.py" in text
    assert "```diff\n--- a/pkg/calc.py\n+++ b/pkg/calc.py\n" in text
    assert "-    return a * b\n+    return b * a" in text
    assert "```console\n$ printf 'one\\ntwo\\n'\n```" in text
    assert "one\ntwo" in text
    # a reply holding a fence is fenced no deeper than it: it stays plain text, untouched
    assert "Done: ```b * a``` now." in text


async def test_export_command_writes_the_file_in_the_workspace(
    runtime: Any, workspace: Path, anthropic_env: None
) -> None:
    from zeph_tui.core.commands.builtin import export

    async with scripted_session(runtime, workspace, SCRIPT) as (session, _fake):
        await session.prompt(["swap mul's factors"])

        class Host:
            pass

        host: Any = Host()
        host.session = session
        reply = await export(host, "")
        name = f"zeph-{session.id}.md"
        assert reply == f"Exported the session to {name} (3 messages, 2 tool calls)."
        assert "### ✓ Edit pkg/calc.py" in (workspace / name).read_text()
        with pytest.raises(CommandError, match=r"^Export: cannot write .*notes/out.md: directory"):
            await export(host, "notes/out.md")


async def test_unknown_session_is_an_export_error(runtime: Any) -> None:
    with pytest.raises(ExportError, match="no session 'sess_nope'"):
        await export_markdown(runtime.store.sessions, "sess_nope")


async def test_cli_export_to_stdout_and_to_a_file(
    runtime: Any, workspace: Path, anthropic_env: None, tmp_path: Path
) -> None:
    session_id = await _session_with_a_turn(runtime, workspace)
    await runtime.aclose()  # the CLI opens the same database
    env = dict(os.environ)
    code, out, err = await run_zeph(["export", session_id], workspace, env)
    assert code == 0, err
    assert "### ✓ Edit pkg/calc.py" in out and "```diff" in out
    target = tmp_path / "session.md"
    code, out, err = await run_zeph(["export", session_id, "-o", str(target)], workspace, env)
    assert code == 0 and out == ""
    assert err.strip() == f"zeph-tui: Exported the session to {target} (3 messages, 2 tool calls)."
    assert target.read_text().startswith("# ")
    code, out, err = await run_zeph(["export", "sess_nope"], workspace, env)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "no session 'sess_nope'" in err and "Traceback" not in err


def test_slash_command_exchanges_are_left_out() -> None:
    """The ACP face stores ``/model`` and its reply for session/load; no face exports them."""
    from zeph_tui.core.session.export import render_markdown
    from zeph_tui.core.store.sessions import SessionRecord

    def chunk(kind: str, text: str) -> dict[str, Any]:
        return {"sessionUpdate": kind, "content": {"type": "text", "text": text}}

    record = SessionRecord("sess_1", "/ws", "", "ask", "anthropic", "m", 0.0, 0.0)
    done = render_markdown(
        record,
        [
            chunk("user_message_chunk", "/model claude-haiku-4-5"),
            chunk("agent_message_chunk", "Model set to claude-haiku-4-5."),
            chunk("user_message_chunk", "/usr/bin is on PATH?"),
            chunk("agent_message_chunk", "Yes."),
        ],
    )
    assert "Model set to" not in done.text and "/model" not in done.text
    assert "/usr/bin is on PATH?" in done.text and done.messages == 2
