"""A user's mistake through every entry point: one line on stderr, exit 2, never a traceback.

Real subprocesses of ``.venv/bin/zeph-tui`` with a temp ZEPH_HOME. The
dashboard and ``lsp`` must refuse before their UI or protocol starts (nothing
on stdout); ``acp`` starts (``initialize`` answers) and refuses ``session/new``
with a JSON-RPC error whose message says what to fix.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.faces.cli.mistakes import (
    INIT,
    AcpPipe,
    assert_one_line,
    damage,
    make_database,
    read_only,
    run_zeph,
)

Setup = Callable[[Path], contextlib.AbstractContextManager[dict[str, str]]]


@contextlib.contextmanager
def config(text: str, home: Path) -> Iterator[dict[str, str]]:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(text)
    yield {}


@contextlib.contextmanager
def env_provider(home: Path) -> Iterator[dict[str, str]]:
    yield {"ZEPH_PROVIDER": "gpt"}


@contextlib.contextmanager
def home_is_a_file(home: Path) -> Iterator[dict[str, str]]:
    home.write_text("not a directory\n")
    yield {}


@contextlib.contextmanager
def home_unwritable(home: Path) -> Iterator[dict[str, str]]:
    home.mkdir()
    with read_only(home):
        yield {}


@contextlib.contextmanager
def db_read_only(home: Path) -> Iterator[dict[str, str]]:
    make_database(home)
    with read_only(home):
        yield {}


@contextlib.contextmanager
def db_not_a_database(home: Path) -> Iterator[dict[str, str]]:
    home.mkdir()
    (home / "zeph.db").write_bytes(b"my notes, not a database\n" * 400)
    yield {}


@contextlib.contextmanager
def db_malformed(home: Path) -> Iterator[dict[str, str]]:
    damage(make_database(home))
    yield {}


READ_ONLY = ("read-only or cannot be opened for writing", "ZEPH_HOME")
DAMAGED = ("damaged or not a zeph-tui database", "left untouched", "mv ")

MISTAKES: dict[str, tuple[Setup, tuple[str, ...]]] = {
    "unknown provider (ZEPH_PROVIDER)": (
        env_provider,
        ("ZEPH_PROVIDER", '"gpt"', "'anthropic', 'openai' or 'local'"),
    ),
    "unknown permission mode": (
        lambda home: config('[permissions]\nmode = "yolo"\n', home),
        ("permissions.mode", '"yolo"', "'ask', 'accept-edits', 'plan' or 'bypass'"),
    ),
    "provider = 5": (
        lambda home: config("provider = 5\n", home),
        ("config.toml", "provider = 5", "must be a table"),
    ),
    "negative diagnostics timeout": (
        lambda home: config("[lsp]\ndiagnostics_timeout_s = -1\n", home),
        ("lsp.diagnostics_timeout_s = -1", "greater than 0"),
    ),
    "server command is a string": (
        lambda home: config('[lsp.servers.zls]\ncommand = "zls"\nlanguages = ["zig"]\n', home),
        ('lsp.servers.zls.command = "zls"', 'must be a list, e.g. command = ["zls"]'),
    ),
    "unknown key": (
        lambda home: config("[lsp]\ndiagnostic_timeout_s = 3\n", home),
        ("lsp.diagnostic_timeout_s", "unknown key"),
    ),
    "ZEPH_HOME is a file": (home_is_a_file, ("is not a directory", "ZEPH_HOME")),
    "ZEPH_HOME unwritable": (home_unwritable, READ_ONLY),
    "read-only database": (db_read_only, READ_ONLY),
    "not a database": (db_not_a_database, DAMAGED),
    "malformed database": (db_malformed, DAMAGED),
}

ENTRY_POINTS: dict[str, list[str]] = {
    "dashboard": ["--workspace", "{ws}"],
    "run": ["run", "--workspace", "{ws}", "hello"],
    "overflow list": ["overflow", "list"],
    "overflow show": ["overflow", "show", "ovf_000000000000"],
    "skills": ["skills", "list", "--workspace", "{ws}"],
    "rename": ["rename", "--workspace", "{ws}", "pkg/calc.py:1:5", "plus", "--dry-run"],
    "lsp": ["lsp"],
}


def _digest(home: Path) -> str:
    db = home / "zeph.db"
    return hashlib.sha256(db.read_bytes()).hexdigest() if db.is_file() else ""


@pytest.mark.parametrize("mistake", list(MISTAKES))
@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_mistake_is_one_line_and_exit_2(
    entry: str, mistake: str, tmp_path: Path, workspace: Path
) -> None:
    setup, needles = MISTAKES[mistake]
    home = tmp_path / "home"
    args = [a.replace("{ws}", str(workspace)) for a in ENTRY_POINTS[entry]]
    with setup(home) as extra:
        before = _digest(home)
        code, out, err = run_zeph(args, home, workspace, **extra)
        assert_one_line(code, out, err, *needles)
        assert out == "", "nothing started: no UI, no protocol, no output"
        assert _digest(home) == before, "the database file is never written"


@pytest.mark.parametrize("entry", ["dashboard", "run", "acp"])
def test_unknown_provider_flag(entry: str, tmp_path: Path, workspace: Path) -> None:
    args = {"dashboard": [], "run": ["run", "-w", str(workspace), "hi"], "acp": ["acp"]}[entry]
    code, out, err = run_zeph([*args, "--provider", "gpt"], tmp_path / "home", workspace)
    assert_one_line(code, out, err, "--provider 'gpt'", "anthropic, openai, local")


def test_bad_argument_is_one_line(tmp_path: Path, workspace: Path) -> None:
    code, out, err = run_zeph(["overflow", "list", "--limit", "many"], tmp_path, workspace)
    assert_one_line(code, out, err, "--limit", "invalid int value", "--help")


@pytest.mark.parametrize("mistake", list(MISTAKES))
async def test_acp_answers_the_mistake_as_a_json_rpc_error(
    mistake: str, tmp_path: Path, workspace: Path
) -> None:
    setup, needles = MISTAKES[mistake]
    home = tmp_path / "home"
    with setup(home) as extra:
        before = _digest(home)
        async with AcpPipe(home, **extra) as acp:
            init = await acp.request("initialize", INIT)
            assert init["result"]["protocolVersion"] == 1
            answer = await acp.request("session/new", {"cwd": str(workspace), "mcpServers": []})
        assert _digest(home) == before
    error = answer["error"]
    assert "OperationalError" not in error["message"] and error["message"] != "Internal error"
    for needle in needles:
        assert needle in error["message"], (needle, error)
    assert "Traceback" not in acp.stderr and acp.code == 0, acp.stderr


NOT_FOUND: dict[str, tuple[list[str], tuple[str, ...]]] = {
    "skills show": (["skills", "show", "no-such-skill", "-w", "{ws}"], ("unknown skill",)),
    "agents show": (["agents", "show", "nobody", "-w", "{ws}"], ("no agent 'nobody'", "explorer")),
    "memory show": (["memory", "show", "99"], ("unknown memory id 99",)),
    "memory forget": (["memory", "forget", "99"], ("unknown memory id 99",)),
    "overflow show (shape)": (["overflow", "show", "nope"], ("not an overflow id", "ovf_")),
    "overflow show (unknown)": (["overflow", "show", "ovf_000000000000"], ("ovf_000000000000",)),
    "export": (["export", "nope"], ("no session 'nope'",)),
    "plan --resume": (["plan", "--resume", "-w", "{ws}"], ("no unfinished task graph",)),
    "plan --resume ID": (["plan", "--resume", "g_nope", "-w", "{ws}"], ("no task graph 'g_nope'",)),
}


@pytest.mark.parametrize("entry", list(NOT_FOUND))
def test_naming_what_does_not_exist_is_a_mistake(
    entry: str, tmp_path: Path, workspace: Path
) -> None:
    """Every headless command answers an unknown name or id the same way: one line, exit 2."""
    args, needles = NOT_FOUND[entry]
    args = [a.replace("{ws}", str(workspace)) for a in args]
    code, out, err = run_zeph(args, tmp_path / "home", workspace)
    assert_one_line(code, out, err, *needles)
