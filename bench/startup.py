"""`zeph-tui --version` start-up time as a ratio to a bare interpreter start.

Both are measured in the same run with the same interpreter (the project's
venv), median of N runs each, interleaved so machine load hits both alike.
Target: ratio <= 2.5. Also prints which heavy modules `--version` loads (none
of textual, anthropic, aiosqlite may appear).

    .venv/bin/python bench/startup.py [--runs 30]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HEAVY = ("textual", "anthropic", "aiosqlite", "pydantic", "tree_sitter", "pygls", "httpx")


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    py = sys.executable
    script = Path(py).with_name("zeph-tui")
    bare_cmd = [py, "-c", "pass"]
    zeph_cmd = (
        [str(script), "--version"] if script.exists() else [py, "-m", "zeph_tui", "--version"]
    )
    for _ in range(3):  # warm the page cache
        timed(bare_cmd), timed(zeph_cmd)
    bare, zeph = [], []
    for _ in range(args.runs):
        bare.append(timed(bare_cmd))
        zeph.append(timed(zeph_cmd))
    b, z = statistics.median(bare), statistics.median(zeph)
    probe = subprocess.run(
        [
            py,
            "-c",
            "import sys; from zeph_tui.cli import main\n"
            "try:\n main(['--version'])\nexcept SystemExit: pass\n"
            f"print('HEAVY=' + ','.join(m for m in {HEAVY!r} if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = probe.stdout.rsplit("HEAVY=", 1)[-1].strip()
    print(f"bare interpreter start     median {b * 1000:7.1f} ms  (n={args.runs})")
    print(f"zeph-tui --version         median {z * 1000:7.1f} ms  (n={args.runs})")
    print(
        f"ratio                      {z / b:7.2f}x   target <= 2.5x  "
        f"{'OK' if z / b <= 2.5 else 'MISSED'}"
    )
    print(f"heavy modules loaded       {loaded or 'none'}")


if __name__ == "__main__":
    main()
