"""LspCodeIntel over real language servers (basedpyright + ruff), through the real tools.

Covers: the diagnostics delta after a write (with lines) and the fix after a
fixing edit, "pending" from a server that never answers, the install hint of
a missing server (the write still succeeds), silence for a language no server
handles, hover prefetch across modules appended to read_file, references
grouped by enclosing symbol, and files changed by bash re-synced. After each
test no server process is left.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Collection
from pathlib import Path
from typing import Any

import pytest

from lsp_bridge import ServerDef
from tests.paths import TESTS
from zeph_tui.core.code.intel import LspCodeIntel
from zeph_tui.core.events import DiffContent, Event, TextContent
from zeph_tui.core.ports import LocalFS
from zeph_tui.core.safety.paths import WorkspaceRoots
from zeph_tui.core.store import Store, open_store
from zeph_tui.core.tools.base import ToolContext
from zeph_tui.core.tools.bash import Bash
from zeph_tui.core.tools.files import EditFile, ReadFile, WriteFile
from zeph_tui.core.tools.lsp_tools import Definition, Diagnostics, Hover, References

FIXTURES = TESTS / "fixtures_lsp"
FAKE = str(FIXTURES / "fake_server.py")

BROKEN = 'def double(x: int) -> int:\n    return 2 * x\n\n\ndef name() -> int:\n    return "ada"\n'
FIXED = BROKEN.replace('return "ada"', "return 7")


def server_children(before: Collection[str] = ()) -> list[str]:
    """Live (non-zombie) child processes of this process not in ``before``, as ``pid cmdline``.

    Session-wide helpers (a llama.cpp server fixture) are left out by passing
    the children that existed before the test.
    """
    me, found = os.getpid(), []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        label = f"{entry.name} {cmdline}"
        if int(fields[1]) == me and fields[0] != "Z" and label not in before:
            found.append(label)
    return found


def git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"}  # fmt: skip
    subprocess.run(["git", *args], cwd=root, check=True, env=env, capture_output=True)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    shutil.copytree(FIXTURES / "pyproj", root)
    (root / "README.md").write_text("# notes\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    return root


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await open_store(tmp_path / "zeph.db")
    yield opened
    await opened.close()


class Ctx:
    """Builds ToolContexts on a real SQLite archive and records emitted events."""

    def __init__(self, root: Path, store: Store, intel: LspCodeIntel) -> None:
        self.root, self.store, self.intel = root, store, intel
        self.events: list[Event] = []
        self.calls = 0

    async def emit(self, event: Event) -> None:
        self.events.append(event)

    def __call__(self) -> ToolContext:
        self.calls += 1
        return ToolContext(
            workspace=self.root, roots=WorkspaceRoots(self.root), fs=LocalFS(),
            archive=self.store.archive, emit=self.emit, tool_call_id=f"call_{self.calls}",
            session_id="sess_test", code_intel=self.intel,
        )  # fmt: skip


@pytest.fixture
async def intel(project: Path) -> AsyncIterator[LspCodeIntel]:
    before = server_children()
    code_intel = LspCodeIntel(project, diagnostics_timeout_s=20.0, hover_budget_s=5.0)
    yield code_intel
    await code_intel.aclose()
    assert server_children(before) == []


@pytest.fixture
def ctx(project: Path, store: Store, intel: LspCodeIntel) -> Ctx:
    return Ctx(project, store, intel)


async def test_write_reports_new_error_with_line_then_edit_reports_it_fixed(ctx: Ctx) -> None:
    result = await WriteFile().run({"path": "pkg/names.py", "content": BROKEN}, ctx())
    assert result.text.startswith("Created pkg/names.py")
    assert "Diagnostics for pkg/names.py: 1 new, 0 fixed; the file now has 1 error" in result.text
    assert "pkg/names.py:6:12: error [basedpyright/reportReturnType]" in result.text
    assert '\n    return "ada"' in result.text  # the offending source line
    # faces: a TextContent next to the diff, structured items for raw_output
    kinds = [type(c) for c in result.content]
    assert kinds == [DiffContent, TextContent]
    assert "pkg/names.py:6:12" in result.content[1].text  # type: ignore[union-attr]
    payload = result.raw_extras["diagnostics"]
    assert payload["path"] == "pkg/names.py"
    assert payload["items"] == payload["new"]
    item = payload["items"][0]
    assert (item["line"], item["column"], item["severity"]) == (6, 12, "error")
    assert item["source"] == "basedpyright" and item["code"] == "reportReturnType"
    assert set(item) == {"line", "column", "severity", "message", "source", "code"}

    edit = {"path": "pkg/names.py", "old_string": 'return "ada"', "new_string": "return 7"}
    fixed = await EditFile().run(edit, ctx())
    assert "Diagnostics for pkg/names.py: 0 new, 1 fixed; the file now has 0 errors" in fixed.text
    assert "fixed:\npkg/names.py:6:12: error [basedpyright/reportReturnType]" in fixed.text
    # the diagnostics tool agrees: nothing left
    clean = await Diagnostics(ctx.intel).run({"path": "pkg/names.py"}, ctx())
    assert clean.text == "No diagnostics in pkg/names.py."


async def test_edit_shifting_an_old_error_reports_nothing_new(ctx: Ctx) -> None:
    await WriteFile().run({"path": "pkg/names.py", "content": BROKEN}, ctx())
    edit = {"path": "pkg/names.py", "old_string": "def double", "new_string": "\n\ndef double"}
    result = await EditFile().run(edit, ctx())
    assert "0 new, 0 fixed; the file now has 1 error" in result.text
    items = await ctx.intel.diagnostics(ctx.root / "pkg/names.py")
    assert [(d.line, d.severity) for d in items] == [(8, "error")]


async def test_pending_when_a_server_never_answers(project: Path, store: Store) -> None:
    silent = ServerDef(
        name="fake-silent", command=(sys.executable, FAKE, "silent"), languages=("fakelang",),
        extensions=(".fk",), version_command=(sys.executable, "--version"),
    )  # fmt: skip
    before = server_children()
    intel = LspCodeIntel(project, servers=[silent], diagnostics_timeout_s=1.0)
    try:
        started = time.monotonic()
        result = await WriteFile().run(
            {"path": "a.fk", "content": "x\n"}, Ctx(project, store, intel)()
        )
        elapsed_s = time.monotonic() - started
        assert "diagnostics pending from fake-silent: no answer within 1 s" in result.text
        assert "Diagnostics for" not in result.text  # nothing that reads as a clean result
        assert "0 new" not in result.text
        assert elapsed_s < 5.0
    finally:
        await intel.aclose()
    assert server_children(before) == []


async def test_missing_server_gives_install_hint_and_the_write_succeeds(
    project: Path, store: Store
) -> None:
    ghost = ServerDef(
        name="ghost-lsp", command=("zeph-no-such-language-server",), languages=("ghost",),
        extensions=(".ghost",), install_hint="pip install ghost-lsp",
    )  # fmt: skip
    intel = LspCodeIntel(project, servers=[ghost])
    try:
        result = await WriteFile().run(
            {"path": "x.ghost", "content": "boo\n"}, Ctx(project, store, intel)()
        )
        assert result.is_error is False
        assert (project / "x.ghost").read_text() == "boo\n"
        assert "no diagnostics from ghost-lsp missing" in result.text
        assert "install: pip install ghost-lsp" in result.text
        assert "pending" not in result.text
    finally:
        await intel.aclose()


async def test_config_override_to_a_missing_binary_keeps_ruff_and_says_so(
    project: Path, store: Store
) -> None:
    before = server_children()
    intel = LspCodeIntel(
        project,
        user_servers={"basedpyright": {"command": ["zeph-no-such-basedpyright", "--stdio"],
                                       "version_command": ["zeph-no-such-basedpyright"]}},
        disabled=["pyright", "pylsp"],
    )  # fmt: skip
    try:
        content = "import os\n\nx: int = 1\n"
        result = await WriteFile().run(
            {"path": "pkg/r.py", "content": content}, Ctx(project, store, intel)()
        )
        assert "Diagnostics for pkg/r.py (partial): 1 new" in result.text
        assert "pkg/r.py:1:8: warning [Ruff/F401] `os` imported but unused" in result.text
        assert "no diagnostics from basedpyright missing" in result.text
        assert "install: pip install basedpyright" in result.text
    finally:
        await intel.aclose()
    assert server_children(before) == []


async def test_no_server_for_the_language_means_no_text(ctx: Ctx) -> None:
    result = await WriteFile().run({"path": "notes.txt", "content": "hello\n"}, ctx())
    assert result.text == "Created notes.txt (6 bytes, 1 line)."
    assert [type(c) for c in result.content] == [DiffContent]
    read = await ReadFile().run({"path": "README.md"}, ctx())
    assert read.text == "1\t# notes"


async def test_read_appends_hover_of_symbols_from_other_modules(ctx: Ctx) -> None:
    await ctx.intel.diagnostics(ctx.root / "pkg/use.py")  # warm the servers up
    started = time.monotonic()
    result = await ReadFile().run({"path": "pkg/use.py"}, ctx())
    elapsed_s = time.monotonic() - started
    text = result.text
    assert text.startswith("1\tfrom pkg.models import Account, open_account")
    assert "Symbols from other files used in these lines" in text
    assert (
        "- Account (pkg/models.py:4): class Account(owner: str, balance_cents: int = 0)"
        " -- A bank account with a balance in cents." in text
    )
    assert (
        "- open_account (pkg/models.py:17): (function) def open_account(owner: str) -> Account"
        in text
    )
    assert "(module)" not in text
    hover_part = text[text.index("Symbols from other files") :]
    assert len(hover_part) <= 1500 and hover_part.count("\n- ") <= 5
    assert elapsed_s < 2.0, elapsed_s


async def test_read_on_cold_servers_returns_within_the_budget(project: Path, store: Store) -> None:
    before = server_children()
    intel = LspCodeIntel(project, hover_budget_s=0.3)
    try:
        started = time.monotonic()
        result = await ReadFile().run({"path": "pkg/use.py"}, Ctx(project, store, intel)())
        assert time.monotonic() - started < 1.5
        assert "def main() -> int:" in result.text
    finally:
        await intel.aclose()  # the prefetch still starting servers is reaped
    assert server_children(before) == []


async def test_references_grouped_by_file_and_enclosing_symbol(ctx: Ctx) -> None:
    result = await References(ctx.intel).run(
        {"path": "pkg/models.py", "line": 11, "column": 9}, ctx()
    )
    assert result.text.startswith("3 references in 2 file(s):")
    assert (
        "pkg/models.py\n  Account.deposit\n    11:9: def deposit(self, amount_cents: int) -> int:"
        in result.text
    )
    assert (
        "pkg/use.py\n  main\n    6:13: account.deposit(100)\n"
        "    8:18: return other.deposit(account.balance_cents)" in result.text
    )


async def test_hover_and_definition_tools_are_one_based(ctx: Ctx) -> None:
    hover = await Hover(ctx.intel).run({"path": "pkg/use.py", "line": 6, "column": 13}, ctx())
    assert hover.text.startswith("pkg/use.py:6:13 (basedpyright):")
    assert "def deposit(amount_cents: int) -> int" in hover.text
    found = await Definition(ctx.intel).run({"path": "pkg/use.py", "line": 6, "column": 13}, ctx())
    assert found.text == "pkg/models.py:11:9: def deposit(self, amount_cents: int) -> int:"


async def test_files_changed_by_bash_are_synced(ctx: Ctx) -> None:
    await WriteFile().run({"path": "pkg/names.py", "content": FIXED}, ctx())
    assert await ctx.intel.diagnostics(ctx.root / "pkg/names.py") == []
    command = "sed -i 's/return 7/return \"seven\"/' pkg/names.py && rm pkg/use.py"
    result = await Bash().run({"command": command}, ctx())
    assert result.text.startswith("exit code 0")
    items = await ctx.intel.diagnostics(ctx.root / "pkg/names.py")
    assert [(d.line, d.col, d.severity) for d in items] == [(6, 12, "error")]
    everything = await Diagnostics(ctx.intel).run({}, ctx())
    assert "pkg/names.py:6:12: error" in everything.text
    # and back again, through git this time: the file leaves the dirty set
    await Bash().run({"command": "git checkout -- pkg/use.py"}, ctx())
    assert (ctx.root / "pkg/use.py").exists()
    changed = await ctx.intel.tracker.changed()
    assert changed == []  # the bash call already consumed that change


async def test_lsp_tools_refuse_files_without_a_server(ctx: Ctx) -> None:
    from zeph_tui.core.errors import ToolError

    with pytest.raises(ToolError, match=r"no language server handles README\.md"):
        await Hover(ctx.intel).run({"path": "README.md", "line": 1, "column": 1}, ctx())


async def test_cancelled_write_leaves_no_server_behind(project: Path) -> None:
    before = server_children()
    intel = LspCodeIntel(project)
    try:
        task = asyncio.create_task(intel.after_write(project / "pkg/names.py", None, BROKEN))
        await asyncio.sleep(0.3)  # a server start is under way; the turn is cancelled
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        text = await intel.after_write(project / "pkg/names.py", BROKEN, FIXED)
        assert "the file now has 0 errors" in text
    finally:
        await intel.aclose()
    assert server_children(before) == []


async def _open(runtime: Any, workspace: Path) -> Any:
    from tests.turns import AllowAll, Recorder
    from zeph_tui.core.providers.anthropic import AnthropicProvider

    provider = AnthropicProvider(model="claude-sonnet-4-6", base_url="http://127.0.0.1:9")
    return await runtime.open_session(
        workspace=workspace, sink=Recorder(), approver=AllowAll(), provider=provider
    )


async def test_runtime_wires_tools_and_hooks_per_workspace(
    workspace: Path, runtime: Any, anthropic_env: None
) -> None:
    first, second = await _open(runtime, workspace), await _open(runtime, workspace)
    assert {"diagnostics", "hover", "definition", "references"} <= set(first.tools)
    assert isinstance(first.code_intel, LspCodeIntel)
    assert first.code_intel is second.code_intel  # one bridge per workspace


async def test_runtime_without_lsp_has_no_tools_and_no_hooks(
    workspace: Path, zeph_home: Path, anthropic_env: None
) -> None:
    from zeph_tui.core.runtime import Runtime

    (zeph_home / "config.toml").write_text("[lsp]\nenabled = false\n")
    runtime = await Runtime.start()
    try:
        session = await _open(runtime, workspace)
        assert session.code_intel is None
        assert "hover" not in session.tools and "read_file" in session.tools
    finally:
        await runtime.aclose()


async def test_bad_server_table_is_a_config_error(
    workspace: Path, zeph_home: Path, anthropic_env: None
) -> None:
    from zeph_tui.core.errors import ConfigError
    from zeph_tui.core.runtime import Runtime

    (zeph_home / "config.toml").write_text('[lsp.servers.mylang]\ncommand = ["x"]\n')
    with pytest.raises(ConfigError, match=r"lsp\.servers\.mylang\.languages"):
        await Runtime.start()  # checked with the settings, before any session


def test_importing_the_hooks_and_tools_does_not_load_pygls() -> None:
    code = (
        "import sys, zeph_tui.core.code.intel, zeph_tui.core.tools.lsp_tools, "
        "zeph_tui.core.runtime\n"
        "print(sorted(m for m in ('pygls', 'lsprotocol', 'lsp_bridge') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


async def test_diagnostics_tool_analyses_a_file_only_read_so_far(ctx: Ctx) -> None:
    (ctx.root / "pkg/names.py").write_text(BROKEN + "\n\nfrom pkg.models import open_account\n")
    read = await ReadFile().run({"path": "pkg/names.py"}, ctx())
    assert "open_account" in read.text
    result = await Diagnostics(ctx.intel).run({"path": "pkg/names.py"}, ctx())
    assert "pkg/names.py:6:12: error [basedpyright/reportReturnType]" in result.text


async def test_typescript_write_and_read(tmp_path: Path) -> None:
    root = tmp_path / "tsproj"
    shutil.copytree(FIXTURES / "tsproj", root)
    before = server_children()
    intel = LspCodeIntel(root, hover_budget_s=5.0)
    try:
        main = root / "src/main.ts"
        text = main.read_text() + "\nconst bad: number = 'x';\n"
        report = await intel.after_write(main, main.read_text(), text)
        assert "src/main.ts:12:7: error [typescript/2322]" in report
        hovers = await intel.after_read(main, text, 1, 12)
        assert "- Shape (src/shapes.ts:1): (alias) interface Shape\n" in hovers
        assert (
            "- totalArea (src/shapes.ts:5): (alias) function totalArea(shapes: Shape[]): number"
            in hovers
        )
    finally:
        await intel.aclose()
    assert server_children(before) == []


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        (
            "```python\nclass A(\n    x: int,\n)\n```\n---\nDoc line.\n\nMore.",
            ("class A(x: int)", "Doc line."),
        ),
        (
            "```typescript\n(alias) interface Shape\nimport Shape\n```",
            ("(alias) interface Shape", ""),
        ),
        ("plain signature\nfirst doc", ("plain signature", "first doc")),
    ],
)
def test_hover_summary(markdown: str, expected: tuple[str, str]) -> None:
    from zeph_tui.core.code.render import hover_summary

    assert hover_summary(markdown) == expected
