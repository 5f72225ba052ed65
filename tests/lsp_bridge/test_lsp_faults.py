"""Faults: a killed server restarts, a silent server is "pending", a missing one hints."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest

from lsp_bridge import LspBridge, ServerDef
from tests.paths import TESTS

FIXTURES = TESTS / "fixtures_lsp"
FAKE = str(FIXTURES / "fake_server.py")


def fake(mode: str, **extra: object) -> ServerDef:
    return ServerDef(
        name=f"fake-{mode}",
        command=(sys.executable, FAKE, mode),
        languages=("python",),
        extensions=(".py",),
        version_command=(sys.executable, "--version"),
        install_hint="shipped with the tests",
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "pyproj"
    shutil.copytree(FIXTURES / "pyproj", root)
    return root


async def test_killed_server_is_restarted_and_next_result_is_correct(project: Path) -> None:
    use = project / "pkg" / "use.py"
    good = use.read_text()
    async with LspBridge(project, ["basedpyright"], diagnostics_timeout_s=30) as bridge:
        await bridge.open_or_change(use, good)
        assert bridge.status()[0].state == "running"
        slot_pid = next(iter(bridge._slots.values())).client.pid  # type: ignore[union-attr]
        assert slot_pid is not None
        os.killpg(slot_pid, signal.SIGKILL)
        client = next(iter(bridge._slots.values())).client
        assert client is not None
        await client.exited.wait()
        assert bridge.status()[0].state == "crashed"

        bad = good.replace("    account.deposit(100)\n", "    account.deposit('x')\n")
        report = await bridge.open_or_change(use, bad)
        assert report.pending == ()
        assert [d.line for d in report.errors] == [6], report.text
        after = bridge.status()[0]
        assert after.state == "running"
        assert after.restarts == 1
        # The restarted server had the document replayed: hover still works.
        assert await bridge.hover(use, 6, 14) is not None


async def test_silent_server_yields_pending_within_timeout(project: Path) -> None:
    use = project / "pkg" / "use.py"
    async with LspBridge(project, [fake("silent"), "ruff"], diagnostics_timeout_s=1.5) as bridge:
        started = time.monotonic()
        report = await bridge.open_or_change(use, "import os\n" + use.read_text())
        elapsed_s = time.monotonic() - started
        assert report.pending == ("fake-silent",)
        assert "diagnostics pending from fake-silent" in report.text
        assert elapsed_s < 5
        # The server that did answer is still reported.
        assert [d.server for d in report.new] == ["ruff"]


async def test_empty_first_publish_waits_for_the_real_one(project: Path) -> None:
    use = project / "pkg" / "use.py"
    server = fake("empty-first", empty_first_publish=True)
    async with LspBridge(project, [server], diagnostics_timeout_s=5) as bridge:
        for version in (1, 2, 3):
            report = await bridge.open_or_change(use, use.read_text() + f"# {version}\n")
            assert [d.message for d in report.current] == [f"real diagnostic v{version}"]


async def test_empty_first_publish_is_learned(project: Path) -> None:
    use = project / "pkg" / "use.py"
    async with LspBridge(project, [fake("empty-first")], settle_ms=300) as bridge:
        await bridge.open_or_change(use, use.read_text())  # the settle window catches the second
        slot = next(iter(bridge._slots.values()))
        assert slot.timing.empty_first_seen
        report = await bridge.open_or_change(use, use.read_text() + "# more\n")
        assert [d.message for d in report.current] == ["real diagnostic v2"]


async def test_missing_server_gives_hint_and_does_not_raise(tmp_path: Path) -> None:
    lib = tmp_path / "crate" / "src" / "lib.rs"
    lib.parent.mkdir(parents=True)
    (tmp_path / "crate" / "Cargo.toml").write_text('[package]\nname = "c"\nversion = "0.1.0"\n')
    lib.write_text("pub fn f() -> i32 { 1 }\n")
    async with LspBridge(tmp_path) as bridge:
        report = await bridge.open_or_change(lib, lib.read_text())
        assert report.current == ()
        assert len(report.missing) == 1
        assert "rust-analyzer missing" in report.missing[0]
        assert "rustup component add rust-analyzer" in report.text
        status = {s.name: s for s in bridge.status()}
        assert status["rust-analyzer"].state == "missing"
        assert "rustup component add rust-analyzer" in status["rust-analyzer"].detail
