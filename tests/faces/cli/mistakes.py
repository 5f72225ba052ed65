"""Helpers for the user-mistake tests: the real ``zeph-tui`` console script, a temp ZEPH_HOME.

``read_only(dir)`` makes a directory read-only for real: a read-only bind
mount when running as root (root ignores file modes), ``chmod`` otherwise.
``damage(db)`` overwrites table pages of a real database, keeping its header.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.conftest import REPO_ROOT

ZEPH = str(REPO_ROOT / ".venv" / "bin" / "zeph-tui")


def zeph_env(home: Path, **extra: str) -> dict[str, str]:
    """The parent's environment (PYTHONPATH kept) with ``ZEPH_HOME=home``."""
    return {**os.environ, "ZEPH_HOME": str(home), **extra}


def run_zeph(
    args: list[str], home: Path, cwd: Path, timeout_s: float = 60, **extra: str
) -> tuple[int, str, str]:
    proc = subprocess.run(
        [ZEPH, *args],
        cwd=cwd,
        env=zeph_env(home, **extra),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    return proc.returncode, proc.stdout, proc.stderr


def assert_one_line(code: int, out: str, err: str, *needles: str) -> str:
    """Exit 2, exactly one line on stderr containing every needle, no traceback anywhere."""
    assert "Traceback" not in out + err, err
    lines = err.strip().splitlines()
    assert code == 2, (code, out[-2000:], err[-2000:])
    assert len(lines) == 1, err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


@contextlib.contextmanager
def read_only(directory: Path) -> Iterator[None]:
    if os.geteuid() == 0:
        subprocess.run(["mount", "--bind", str(directory), str(directory)], check=True)
        try:
            subprocess.run(
                ["mount", "-o", "remount,bind,ro", str(directory), str(directory)], check=True
            )
            yield
        finally:
            subprocess.run(["umount", str(directory)], check=True)
        return
    modes = {p: p.stat().st_mode for p in [directory, *directory.iterdir()]}
    for path in modes:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        yield
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


def make_database(home: Path) -> Path:
    """A real zeph.db made by the CLI itself, with a few rows beside the schema."""
    code, _, err = run_zeph(["overflow", "list"], home, home.parent)
    assert code == 0, err
    db = home / "zeph.db"
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "INSERT INTO sessions(id, cwd, created_at, updated_at) VALUES ('s1', '/w', 1, 1)"
        )
        conn.executemany(
            "INSERT INTO events(session_id, payload_json, created_at) VALUES ('s1', ?, 1)",
            [(json.dumps({"n": i, "pad": "x" * 2000}),) for i in range(100)],
        )
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return db


def damage(db: Path) -> None:
    """Overwrite pages 2..8 (tables and indexes), keep page 1 (header and schema)."""
    data = bytearray(db.read_bytes())
    page = 4096
    data[page : 8 * page] = bytes(range(256)) * (7 * page // 256)
    db.write_bytes(bytes(data))


class AcpPipe:
    """A minimal ACP client: ``zeph-tui acp`` over real pipes, one request at a time."""

    def __init__(self, home: Path, **extra: str) -> None:
        self.env = zeph_env(home, **extra)
        self._next_id = 0
        self.updates: list[dict[str, Any]] = []  # session/update payloads, in order

    async def __aenter__(self) -> AcpPipe:
        self.proc = await asyncio.create_subprocess_exec(
            ZEPH,
            "acp",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self.env,
            limit=64 * 1024 * 1024,
        )
        return self

    async def request(
        self, method: str, params: dict[str, Any], timeout_s: float = 60
    ) -> dict[str, Any]:
        """Send one request; return its answer frame (notifications before it are skipped)."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._next_id += 1
        frame = {"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params}
        self.proc.stdin.write((json.dumps(frame) + "\n").encode())
        await self.proc.stdin.drain()
        async with asyncio.timeout(timeout_s):
            while True:
                line = await self.proc.stdout.readline()
                assert line, "the agent closed stdout"
                answer = json.loads(line)
                if answer.get("method") == "session/update":
                    self.updates.append(answer["params"]["update"])
                if answer.get("id") == self._next_id and "method" not in answer:
                    return dict(answer)

    async def __aexit__(self, *exc: object) -> None:
        assert self.proc.stdin is not None and self.proc.stderr is not None
        self.proc.stdin.close()
        self.stderr = (await self.proc.stderr.read()).decode(errors="replace")
        self.code = await asyncio.wait_for(self.proc.wait(), 30)


INIT = {"protocolVersion": 1, "clientCapabilities": {}, "clientInfo": {"name": "t", "version": "1"}}
