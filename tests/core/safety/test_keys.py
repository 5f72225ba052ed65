"""Keys out of children's reach: real agent-like processes, real children reading /proc.

Each case runs a fresh Python process that holds a key in its environment,
calls :func:`protect_process_secrets` (what the CLI does first), then starts a
real child that reads ``/proc/<parent pid>/environ``. As root (this machine)
and as an unprivileged uid (``setpriv`` to nobody, with the system Python,
since the venv's interpreter lives under root's home).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from zeph_tui.core.safety.keys import protect_process_secrets

KEY = "sk-ant-api03-Kp4Lm8Nq2Rs6Tu0Vw3Xy7Za1Bc5De9Fg-ChildReach11QQ"
REPO = str(Path(__file__).resolve().parents[3])

AGENT = r"""
import ctypes, json, os, subprocess, sys
from zeph_tui.core.safety.keys import make_undumpable, protect_process_secrets
if sys.argv[1] == "undumpable-only":
    done = {"undumpable": make_undumpable(), "masked": 0, "taken": []}
else:
    p = protect_process_secrets()
    done = {"undumpable": p.undumpable, "masked": p.masked, "taken": sorted(p.values)}
libc = ctypes.CDLL(None)
done["dumpable_flag"] = libc.prctl(3, 0, 0, 0, 0)  # PR_GET_DUMPABLE
read = subprocess.run(["cat", f"/proc/{os.getpid()}/environ"], capture_output=True)
child_env = subprocess.run(["env"], capture_output=True).stdout
done.update(
    uid=os.getuid(),
    read_rc=read.returncode,
    read_err=read.stderr.decode().strip(),
    key_in_environ_file=sys.argv[2] in read.stdout.decode("latin-1"),
    key_in_child_env=sys.argv[2] in child_env.decode("latin-1"),
    key_in_os_environ="ANTHROPIC_API_KEY" in os.environ,
    masked_entry=[e.decode() for e in read.stdout.split(b"\0") if e.startswith(b"ANTHROPIC")],
)
print(json.dumps(done))
"""


def run_agent(mode: str, as_nobody: bool) -> dict[str, object]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": REPO, "HOME": "/", "ANTHROPIC_API_KEY": KEY}
    argv = [sys.executable, "-c", AGENT, mode, KEY]  # the probe knows what to look for
    if as_nobody:
        setpriv = shutil.which("setpriv")
        assert setpriv, "util-linux setpriv is needed to drop to an unprivileged uid"
        argv = [setpriv, "--reuid", "65534", "--regid", "65534", "--clear-groups"]
        argv += ["/usr/bin/python3", "-c", AGENT, mode, KEY]
    done = subprocess.run(argv, env=env, cwd="/", capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_as_root_the_child_sees_only_a_masked_value() -> None:
    assert os.getuid() == 0, "this case is the root one"
    r = run_agent("protect", as_nobody=False)
    assert r["taken"] == ["ANTHROPIC_API_KEY"]
    assert r["undumpable"] is True and r["dumpable_flag"] == 0
    assert r["masked"] == 1
    assert r["read_rc"] == 0  # root keeps CAP_SYS_PTRACE outside the sandbox...
    assert r["masked_entry"] == ["ANTHROPIC_API_KEY=" + "*" * len(KEY)]  # ...but reads stars
    assert r["key_in_environ_file"] is False
    assert r["key_in_child_env"] is False
    assert r["key_in_os_environ"] is False


def test_as_root_undumpable_alone_does_not_stop_root() -> None:
    """Why the initial block is masked: prctl alone leaves the key readable to root."""
    r = run_agent("undumpable-only", as_nobody=False)
    assert r["dumpable_flag"] == 0
    assert r["key_in_environ_file"] is True


def test_as_an_unprivileged_user_the_child_cannot_read_the_file_at_all() -> None:
    for mode in ("undumpable-only", "protect"):
        r = run_agent(mode, as_nobody=True)
        assert r["uid"] == 65534
        assert r["dumpable_flag"] == 0
        assert r["read_rc"] != 0
        assert "Permission denied" in str(r["read_err"])
        assert r["key_in_environ_file"] is False
    assert r["key_in_child_env"] is False


def test_other_mappings_are_only_emptied() -> None:
    env = {"ANTHROPIC_API_KEY": KEY, "GITHUB_TOKEN": "ghp_x" * 8, "PATH": "/bin"}
    done = protect_process_secrets(env, allow=["GITHUB_TOKEN"])
    assert done.values == {"ANTHROPIC_API_KEY": KEY}
    assert env == {"GITHUB_TOKEN": "ghp_x" * 8, "PATH": "/bin"}
    assert done.masked == 0 and done.undumpable is False
