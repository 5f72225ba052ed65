"""Shared fixtures: an isolated ZEPH_HOME, a real git workspace, the fake Messages API."""

from __future__ import annotations

import os
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

_SECRET_VARS = (
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "ZEPH_PROVIDER",
    "ZEPH_MODEL",
)


@pytest.fixture(autouse=True)
def zeph_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own ZEPH_HOME and no provider variables from the outside."""
    home = tmp_path_factory.mktemp("zeph_home")
    monkeypatch.setenv("ZEPH_HOME", str(home))
    for name in _SECRET_VARS:
        monkeypatch.delenv(name, raising=False)
    return home


def make_repo(root: Path) -> Path:
    """A small real git repository with a Python package."""
    pkg = root / "pkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "calc.py").write_text(
        "def add(a: int, b: int) -> int:\n    return a + b\n\n\n"
        "def mul(a: int, b: int) -> int:\n    return a * b\n"
    )
    (root / "README.md").write_text("# demo\n")
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@e",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@e",
    }
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "init"]):
        subprocess.run(cmd, cwd=root, check=True, env=env)
    return root


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


@pytest.fixture
def anthropic_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Select the anthropic provider with a dummy key (the fake ignores it)."""
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key-not-real")
    monkeypatch.setenv("ZEPH_PROVIDER", "anthropic")


@pytest.fixture
async def runtime(zeph_home: Path) -> AsyncIterator[object]:
    from zeph_tui.core.runtime import Runtime

    rt = await Runtime.start()
    try:
        yield rt
    finally:
        await rt.aclose()


from tests.conftest_llama import llama_server, smollm2_gguf  # noqa: E402, F401  (session fixtures)
