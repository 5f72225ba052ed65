"""File tools on a 200 MB file: peak RSS growth of each tool vs a plain read, same run.

Each case runs in a fresh Python process that imports the tools, records its
peak RSS (``ru_maxrss``), runs the case once and prints the peak growth, so one
case cannot hide another's peak. The baseline is ``Path.read_bytes()`` of the
same file (what the old ``edit_file`` did, plus its copies). Cases:

* ``edit_file`` (refused above ``MAX_EDIT_BYTES``, the message names the size),
* ``edit_file`` of a file just under the limit (the largest edit that runs),
* ``read_file`` of 20 lines near the end (streamed),
* ``grep`` over the workspace (the big file is skipped and named).

Target: peak RSS growth <= 100 MB for every tool case.

    .venv/bin/python bench/large_files.py [--mb 200]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASE = r"""
import asyncio, json, resource, sys, time
from pathlib import Path

def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

async def main(case, ws, db_path):
    from zeph_tui.core.errors import ToolError
    from zeph_tui.core.ports import LocalFS
    from zeph_tui.core.safety.paths import WorkspaceRoots
    from zeph_tui.core.store.db import open_database
    from zeph_tui.core.store.overflow import OverflowArchive
    from zeph_tui.core.tools.base import ToolContext
    from zeph_tui.core.tools.files import EditFile, ReadFile
    from zeph_tui.core.tools.search import Grep

    db = await open_database(Path(db_path))
    async def emit(event):
        return None
    ctx = ToolContext(workspace=Path(ws), roots=WorkspaceRoots(Path(ws)), fs=LocalFS(),
                      archive=OverflowArchive(db), emit=emit, tool_call_id="c", session_id="s")
    base = peak_mb()
    start = time.perf_counter()
    note = ""
    if case == "baseline_read_bytes":
        data = (Path(ws) / "big.txt").read_bytes()
        note = f"{len(data)} bytes read"
    elif case == "edit_file_200mb":
        try:
            await EditFile().run({"path": "big.txt", "old_string": "x", "new_string": "y"}, ctx)
        except ToolError as exc:
            note = str(exc)
    elif case == "edit_file_at_limit":
        r = await EditFile().run(
            {"path": "limit.txt", "old_string": "line 000000000007 x", "new_string": "edited"}, ctx
        )
        note = r.text
    elif case == "read_file_tail":
        r = await ReadFile().run({"path": "big.txt", "offset": LINES - 20, "limit": 20}, ctx)
        note = r.text.splitlines()[-1]
    elif case == "grep":
        r = await Grep().run({"pattern": "line 000000000003 x"}, ctx)
        note = r.text.replace("\n", " | ")
    elapsed = time.perf_counter() - start
    await db.close()
    print(json.dumps({"case": case, "growth_mb": peak_mb() - base, "s": elapsed, "note": note}))

LINES = int(sys.argv[4])
asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
"""

CASES = (
    "baseline_read_bytes",
    "edit_file_200mb",
    "edit_file_at_limit",
    "read_file_tail",
    "grep",
)


def write_lines(path: Path, size_bytes: int) -> int:
    """Write 20-byte numbered lines until ``size_bytes``; returns the line count."""
    count = size_bytes // 20
    with path.open("w") as f:
        block = 100_000
        for start in range(1, count + 1, block):
            stop = min(start + block, count + 1)
            f.write("".join(f"line {n:012d} x\n" for n in range(start, stop)))
    return count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=200)
    args = parser.parse_args()
    from zeph_tui.core.tools.files import MAX_EDIT_BYTES

    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp, "ws")
        ws.mkdir()
        lines = write_lines(ws / "big.txt", args.mb * 1_000_000)
        write_lines(ws / "limit.txt", MAX_EDIT_BYTES - 100)
        print(
            f"file: {(ws / 'big.txt').stat().st_size / 1e6:.0f} MB, {lines} lines; "
            f"edit limit {MAX_EDIT_BYTES} bytes"
        )
        rows = []
        for case in CASES:
            t0 = time.perf_counter()
            out = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    CASE,
                    case,
                    str(ws),
                    str(Path(tmp, f"{case}.db")),
                    str(lines),
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            rows.append(json.loads(out.strip().splitlines()[-1]))
            rows[-1]["wall_s"] = time.perf_counter() - t0
    baseline = rows[0]["growth_mb"]
    print(f"{'case':<22}{'peak RSS growth':>18}{'vs baseline':>13}{'tool time':>11}")
    for row in rows:
        ratio = row["growth_mb"] / baseline if baseline else 0.0
        print(f"{row['case']:<22}{row['growth_mb']:>15.1f} MB{ratio:>12.2f}x{row['s']:>10.2f}s")
    for row in rows[1:]:
        print(f"  {row['case']}: {row['note'][:160]}")
    worst = max(row["growth_mb"] for row in rows[1:])
    print(f"worst tool case: {worst:.1f} MB (target <= 100 MB): {'ok' if worst <= 100 else 'OVER'}")


if __name__ == "__main__":
    main()
