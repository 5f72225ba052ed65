"""Workspace confinement end to end, in bypass mode (--yes), through the real session and tools.

A scripted model (fake Messages API through the real anthropic SDK) asks for
writes, edits and reads that try to leave the workspace; each must come back
as an error tool result that says why, and nothing outside may change.
Destructive commands still ask the approver, even in bypass mode.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.turns import AllowAll, scripted_session, tool_results, use
from zeph_tui.core.ports import PermissionOutcome, PermissionRequest

SECRET = "OUTSIDE-SECRET-CONTENT-42"


class RecordingApprover:
    """Like tests.turns.AllowAll, but answers ``answer`` (the destructive tests reject)."""

    def __init__(self, answer: PermissionOutcome = "reject_once") -> None:
        self.answer = answer
        self.requests: list[PermissionRequest] = []

    async def request_permission(self, request: PermissionRequest) -> PermissionOutcome:
        self.requests.append(request)
        return self.answer


def snapshot(root: Path) -> dict[str, bytes | str]:
    """Every entry under root: file bytes, or the target of a symlink."""
    out: dict[str, bytes | str] = {}
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            p = Path(directory, name)
            if p.is_symlink():
                out[str(p)] = "-> " + os.readlink(p)
            elif p.is_file():
                out[str(p)] = p.read_bytes()
    return out


@pytest.fixture
def outside(tmp_path: Path, workspace: Path) -> Path:
    out = tmp_path / "outside"
    out.mkdir()
    (out / "target.txt").write_text(f"{SECRET}\noriginal\n")
    (tmp_path / "repo2").mkdir()  # a sibling whose name extends the workspace's
    os.symlink(out / "target.txt", workspace / "link_file")
    os.symlink(out, workspace / "link_dir")
    return out


async def run_script(
    runtime: Any,
    workspace: Path,
    steps: list[dict[str, Any]],
    approver: RecordingApprover | None = None,
) -> tuple[list[dict[str, Any]], Any]:
    script = [*steps, {"blocks": [{"type": "text", "text": "done"}]}]
    async with scripted_session(runtime, workspace, script, approver=approver or AllowAll()) as (
        session,
        fake,
    ):
        stop = await session.prompt(["try to escape"])
    assert stop == "end_turn"
    return [r for body in fake.requests[1:] for r in tool_results(body)], fake


ESCAPES = [
    pytest.param(lambda ws, out: "../x", "outside", id="dotdot"),
    pytest.param(lambda ws, out: str(out / "x"), "outside", id="absolute"),
    pytest.param(lambda ws, out: "/etc/zeph_pwned", "outside", id="absolute-etc"),
    pytest.param(lambda ws, out: "pkg/../../x", "outside", id="nested-dotdot"),
    pytest.param(lambda ws, out: "link_file", "outside", id="symlink-file"),
    pytest.param(lambda ws, out: "link_dir/new.txt", "outside", id="symlink-dir"),
    pytest.param(lambda ws, out: "link_dir/../../x", "outside", id="symlink-dir-dotdot"),
    pytest.param(lambda ws, out: f"../{ws.name}2/x", "outside", id="sibling-prefix"),
    pytest.param(lambda ws, out: f"../{ws.name.upper()}/x", "outside", id="case"),
    pytest.param(lambda ws, out: "\u2025/outside/x", "outside", id="two-dot-leader"),
    pytest.param(lambda ws, out: "\uff0e\uff0e/outside/x", "outside", id="fullwidth-dots"),
    pytest.param(
        lambda ws, out: "pkg\uff0f..\uff0f..\uff0f..\uff0foutside\uff0fx",
        "outside",
        id="fullwidth-solidus",
    ),
    pytest.param(lambda ws, out: "..\\..\\outside\\x", "outside", id="backslashes"),
    pytest.param(lambda ws, out: "..\u200b/x", "invisible", id="zero-width"),
    pytest.param(lambda ws, out: "pkg/\u202e/x", "bidirectional", id="bidi-override"),
]


@pytest.mark.parametrize(("make_path", "expected"), ESCAPES)
@pytest.mark.parametrize("tool", ["write_file", "edit_file", "read_file"])
async def test_escape_refused_in_bypass_mode(
    runtime: Any,
    workspace: Path,
    outside: Path,
    anthropic_env: None,
    make_path: Any,
    expected: str,
    tool: str,
) -> None:
    path = make_path(workspace, outside)
    args: dict[str, Any] = {"path": path}
    if tool == "write_file":
        args["content"] = "pwned\n"
    elif tool == "edit_file":
        args.update(old_string="original", new_string="pwned")
    before_out = snapshot(workspace.parent)
    got, _ = await run_script(runtime, workspace, [use(tool, **args)])
    assert len(got) == 1
    assert got[0]["is_error"] is True, got[0]
    assert expected in got[0]["text"].lower(), got[0]["text"]
    assert SECRET not in got[0]["text"]
    after = snapshot(workspace.parent)
    changed = {k for k in after if after.get(k) != before_out.get(k) and "/.git/" not in k}
    assert not changed - {k for k in changed if k.startswith(str(workspace) + "/.")}, changed
    assert "zeph_pwned" not in os.listdir("/etc")
    assert (outside / "target.txt").read_text() == f"{SECRET}\noriginal\n"


async def test_symlink_made_by_bash_in_the_same_turn(
    runtime: Any, workspace: Path, outside: Path, anthropic_env: None
) -> None:
    steps = [
        use("bash", command=f"ln -s {outside} made_link && ls -l made_link"),
        use("write_file", path="made_link/x", content="pwned\n"),
        use("edit_file", path="made_link/target.txt", old_string="original", new_string="pwned"),
        use("read_file", path="made_link/target.txt"),
    ]
    got, _ = await run_script(runtime, workspace, steps)
    assert got[0]["is_error"] is False and "made_link ->" in got[0]["text"]
    assert (workspace / "made_link").is_symlink()  # bash did make it
    for refused in got[1:]:
        assert refused["is_error"] is True
        assert "outside" in refused["text"].lower(), refused["text"]
        assert SECRET not in refused["text"]
    assert not (outside / "x").exists()
    assert (outside / "target.txt").read_text() == f"{SECRET}\noriginal\n"


async def test_inside_paths_still_work_in_bypass_mode(
    runtime: Any, workspace: Path, outside: Path, anthropic_env: None
) -> None:
    """The matrix is not passing because everything is refused."""
    got, _ = await run_script(
        runtime,
        workspace,
        [
            use("write_file", path="pkg/new.py", content="X = 1\n"),
            use("read_file", path="./pkg/../pkg/new.py"),
        ],
    )
    assert [r["is_error"] for r in got] == [False, False]
    assert (workspace / "pkg/new.py").read_text() == "X = 1\n"


@pytest.mark.parametrize(
    "command",
    [  # all harmless outside the temporary workspace
        "rm -rf .",
        "echo ok && rm -rf *",
        "git push --force origin main",
        "git reset --hard HEAD~1",
    ],
)
async def test_destructive_command_asks_even_with_yes(
    runtime: Any, workspace: Path, anthropic_env: None, command: str
) -> None:
    (workspace / "build").mkdir()
    (workspace / "build" / "keep.txt").write_text("keep\n")
    approver = RecordingApprover("reject_once")
    got, _ = await run_script(runtime, workspace, [use("bash", command=command)], approver)
    assert len(approver.requests) == 1
    request = approver.requests[0]
    assert request.tool_name == "bash"
    assert "destructive" in request.reason
    assert got[0]["is_error"] is True and "permission rejected" in got[0]["text"]
    assert (workspace / "build" / "keep.txt").read_text() == "keep\n"  # never ran


async def test_plain_command_in_bypass_mode_does_not_ask(
    runtime: Any, workspace: Path, anthropic_env: None
) -> None:
    approver = RecordingApprover("reject_once")
    got, _ = await run_script(runtime, workspace, [use("bash", command="echo fine")], approver)
    assert approver.requests == []
    assert got[0]["is_error"] is False and "fine" in got[0]["text"]
