"""The shell sandbox with a real bubblewrap: confinement in bypass mode, a real build, the off switch.

Every command runs through a real session (bypass mode: nothing asks) on the real
anthropic SDK against the fake Messages API; the checks look at the host file
system afterwards, not at what the command claims.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.faces.cli.test_cli_run import run_cli
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fixtures_acp.zeph_agent import INIT_NONE, ZephPeer, agent_env
from tests.turns import only_result, scripted_session
from zeph_tui.core.runtime import Runtime
from zeph_tui.core.safety.sandbox import Sandbox


def bash(command: str) -> dict[str, Any]:
    return {"blocks": [{"type": "tool_use", "name": "bash", "input": {"command": command}}]}


def done() -> dict[str, Any]:
    return {"blocks": [{"type": "text", "text": "done"}]}


def test_bubblewrap_is_installed_and_confines_here() -> None:
    assert shutil.which("bwrap"), "scripts/dev.sh installs bubblewrap"
    status = Sandbox(hidden=()).status()
    assert status.confined, status.text
    assert status.text.startswith("sandbox: bubblewrap")


async def test_bypass_mode_bash_cannot_write_outside_or_read_zeph_home(
    zeph_home: Path, workspace: Path, request: pytest.FixtureRequest, anthropic_env: None
) -> None:
    # outside /tmp, so "read-only" is seen (under /tmp a write lands in the private tmpfs)
    outside = Path(tempfile.mkdtemp(prefix="zeph-sandbox-", dir="/var/tmp"))
    request.addfinalizer(lambda: shutil.rmtree(outside))
    (zeph_home / "secret.txt").write_text("zeph home content\n")
    host_tmp = Path("/tmp") / f"zeph-sandbox-{uuid.uuid4().hex}.txt"
    sibling = workspace.parent / "outside_dotdot.txt"
    attempts = [
        "echo x > ../outside_dotdot.txt",
        f"echo x > {outside}/outside_abs.txt",
        f"ln -s {outside} link && echo x > link/outside_link.txt",
        f"cd /tmp && echo x > {host_tmp.name} && cat {host_tmp.name}",
        f"touch {zeph_home}/planted.txt",
    ]
    script = [bash(c) for c in attempts]
    script += [bash(f"ls -A {zeph_home}; cat {zeph_home}/secret.txt"), done()]
    runtime = await Runtime.start()
    try:
        async with scripted_session(runtime, workspace, script) as (session, fake):
            assert await session.prompt(["try to escape"]) == "end_turn"
    finally:
        await runtime.aclose()
    outs = [only_result(fake.requests[i + 1])["text"] for i in range(len(script) - 1)]
    assert outs[0].startswith("exit code 0")  # the workspace's parent is in /tmp: private
    assert "Read-only file system" in outs[1]
    assert "Read-only file system" in outs[2]
    assert outs[3].startswith("exit code 0")  # /tmp is private and writable...
    assert not host_tmp.exists()  # ...but nothing reaches the host's /tmp
    assert not sibling.exists()
    assert sorted(os.listdir(outside)) == []
    assert (workspace / "link").is_symlink()  # the workspace itself is writable
    assert not (zeph_home / "planted.txt").exists()
    assert "zeph home content" not in outs[5]
    assert "No such file or directory" in outs[5]


async def test_a_real_python_project_builds_and_tests_inside(
    zeph_home: Path, workspace: Path, anthropic_env: None
) -> None:
    (workspace / "tests").mkdir()
    (workspace / "tests" / "test_calc.py").write_text(
        "from pkg.calc import add, mul\n\n\n"
        "def test_add() -> None:\n    assert add(2, 3) == 5\n\n\n"
        "def test_mul() -> None:\n    assert mul(2, 3) == 6\n"
    )
    script = [
        bash("python -m compileall -q pkg tests && ls pkg/__pycache__ | grep calc"),
        bash("python -m pytest -q tests 2>&1 | tail -3"),
        bash(
            "pip --version >/dev/null && python -c 'import tempfile; print(tempfile.gettempdir())'"
        ),
        done(),
    ]
    runtime = await Runtime.start()
    try:
        async with scripted_session(runtime, workspace, script) as (session, fake):
            assert await session.prompt(["build and test"]) == "end_turn"
    finally:
        await runtime.aclose()
    compiled, tested, tmp = (only_result(fake.requests[i])["text"] for i in (1, 2, 3))
    assert compiled.startswith("exit code 0"), compiled
    assert "calc." in compiled and os.listdir(workspace / "pkg" / "__pycache__")
    assert "2 passed" in tested, tested
    assert tmp.splitlines()[1] == "/tmp"


async def test_sandbox_off_by_setting_is_the_old_behaviour_and_announced(
    zeph_home: Path, workspace: Path, anthropic_env: None
) -> None:
    (zeph_home / "config.toml").write_text("[sandbox]\nenabled = false\n")
    target = workspace.parent / f"outside-{uuid.uuid4().hex}.txt"
    runtime = await Runtime.start()
    try:
        notice = runtime.sandbox_notice()
        assert notice is not None
        assert notice.text.startswith("sandbox off ([sandbox] enabled = false)")
        assert runtime.sandbox_notice() is None  # taken once
        script = [bash(f"echo x > ../{target.name}"), done()]
        async with scripted_session(runtime, workspace, script) as (session, fake):
            assert await session.prompt(["write outside"]) == "end_turn"
    finally:
        await runtime.aclose()
    assert only_result(fake.requests[1])["text"].startswith("exit code 0")
    assert target.read_text() == "x\n"
    target.unlink()


async def test_run_announces_an_unconfined_shell_once(zeph_home: Path, workspace: Path) -> None:
    (zeph_home / "config.toml").write_text("[sandbox]\nenabled = false\n")
    async with FakeAnthropic([bash("true"), bash("true"), done()]) as fake:
        code, out, err = await run_cli(["run", "--json", "--yes", "go"], fake.base_url, workspace)
    assert code == 0, err
    assert err.count("sandbox off") == 1, err
    assert out.count("sandbox off") == 1  # the one notice line of --json
    (zeph_home / "config.toml").unlink()
    async with FakeAnthropic([bash("true"), done()]) as fake:
        code, _, err = await run_cli(["run", "--json", "--yes", "go"], fake.base_url, workspace)
    assert code == 0, err
    assert "sandbox" not in err  # confined: nothing to announce


async def test_network_off_by_setting_leaves_only_loopback(workspace: Path) -> None:
    on = Sandbox(network=True).wrap(["true"], workspace)
    off = Sandbox(network=False).wrap(["cat", "/proc/net/dev"], workspace)
    assert "--unshare-net" not in on
    proc = await asyncio.create_subprocess_exec(*off, stdout=-1, stderr=-1, env=dict(os.environ))
    out, err = await proc.communicate()
    assert proc.returncode == 0, err
    interfaces = [line.split(":")[0].strip() for line in out.decode().splitlines()[2:]]
    assert interfaces == ["lo"]


async def test_destructive_commands_still_ask_with_yes(zeph_home: Path, workspace: Path) -> None:
    (workspace / "keep.txt").write_text("keep\n")
    async with FakeAnthropic([bash("rm -rf ./*"), done()]) as fake:
        code, _, err = await run_cli(["run", "--json", "--yes", "clean"], fake.base_url, workspace)
    assert code == 0, err
    assert "denied" in err and "destructive" in err
    assert (workspace / "keep.txt").exists()
    assert "destructive" in only_result(fake.requests[1])["text"]


def test_the_same_sandbox_confines_an_unprivileged_user() -> None:
    """As uid 65534 bwrap uses an unprivileged user namespace; the rules are the same."""
    ws = Path(tempfile.mkdtemp(prefix="zeph-ws-", dir="/var/tmp"))
    hidden = Path(tempfile.mkdtemp(prefix="zeph-home-", dir="/var/tmp"))
    try:
        (hidden / "zeph.db").write_text("private\n")
        for d in (ws, hidden):
            d.chmod(0o777)
        (hidden / "zeph.db").chmod(0o644)
        sandbox = Sandbox(hidden=(hidden,))
        script = (
            "id -u; touch ok.txt && echo ws-ok; touch /var/tmp/escape-$$ 2>&1; "
            f"cat {hidden}/zeph.db 2>&1"
        )
        argv = sandbox.wrap(["bash", "-c", script], ws)
        assert argv[0].endswith("bwrap")
        setpriv = shutil.which("setpriv")
        assert setpriv
        done = subprocess.run(
            [setpriv, "--reuid", "65534", "--regid", "65534", "--clear-groups", *argv],
            capture_output=True,
            text=True,
            cwd="/",
            env={"PATH": "/usr/bin:/bin"},
            check=False,
        )
        lines = done.stdout.splitlines()
        assert lines[0] == "65534", done.stderr
        assert lines[1] == "ws-ok"
        assert "Read-only file system" in lines[2]
        assert "No such file or directory" in lines[3]  # ZEPH_HOME is an empty tmpfs
        assert (ws / "ok.txt").exists()
        assert not list(Path("/var/tmp").glob("escape-*"))
    finally:
        shutil.rmtree(ws)
        shutil.rmtree(hidden)


async def test_acp_agent_logs_an_unconfined_shell_once(zeph_home: Path, workspace: Path) -> None:
    (zeph_home / "config.toml").write_text("[sandbox]\nenabled = false\n")
    async with FakeAnthropic([done()]) as fake:
        peer = await ZephPeer(agent_env(fake.base_url)).start()
        await peer.ok("initialize", INIT_NONE)
        for _ in range(2):
            await peer.ok("session/new", {"cwd": str(workspace), "mcpServers": []})
        assert await peer.close() == 0
    assert peer.stderr.decode().count("sandbox off ([sandbox] enabled = false)") == 1


def _sleepers(tag: str) -> list[int]:
    """Host PIDs of processes whose command line holds ``tag``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            if tag.encode() in cmdline and b"bash" not in cmdline:
                found.append(int(entry.name))
    return found


async def test_timeout_kills_everything_inside_even_a_setsid_escapee(
    zeph_home: Path, workspace: Path, anthropic_env: None
) -> None:
    tag = str(300 + uuid.uuid4().int % 600)  # a sleep length no one else uses
    # without the sandbox the setsid'd sleep leaves the process group and survives the kill
    command = f"setsid sleep {tag} & sleep {tag}"
    script = [
        {
            "blocks": [
                {"type": "tool_use", "name": "bash", "input": {"command": command, "timeout_s": 1}}
            ]
        },
        done(),
    ]
    runtime = await Runtime.start()
    try:
        async with scripted_session(runtime, workspace, script) as (session, fake):
            assert await session.prompt(["run it"]) == "end_turn"
    finally:
        await runtime.aclose()
    assert "timed out after 1 s" in only_result(fake.requests[1])["text"]
    for _ in range(100):  # the PID namespace's init dies with bwrap; its processes follow
        if not _sleepers(f"sleep {tag}"):
            break
        await asyncio.sleep(0.02)
    assert _sleepers(f"sleep {tag}") == []
