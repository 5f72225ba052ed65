"""Start-up of ``zeph-tui --version``, and ``zeph-tui run`` answering from an instant server.

All in the same run with the same interpreter (the project's venv), median of
N runs each, interleaved so machine load hits every command alike:

* ``zeph-tui --version`` against a bare interpreter start; target: ratio <= 2.5.
  Also prints which heavy modules ``--version`` loads (none of
  tests/heavy_modules.py's list may appear).
* ``zeph-tui run --provider openai --model fake-model hi`` against
  tests/fakes/openai_api.py on loopback (it answers at once), in a fresh
  ``ZEPH_HOME`` and an empty workspace, against ``--version``; target: at most
  0.5 s more (issue 18). ``--provider anthropic`` against tests/fakes/anthropic_api.py
  (the real SDK) is printed too, for information.

    .venv/bin/python bench/startup.py [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.session_open import provider_env, start_fakes  # noqa: E402
from tests.heavy_modules import HEAVY_MODULES  # noqa: E402

RUN_OVER_VERSION_S = 0.5


def timed(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env, cwd=cwd)
    return time.perf_counter() - start


def heavy_of_version(py: str) -> str:
    probe = subprocess.run(
        [
            py,
            "-c",
            "import sys; from zeph_tui.cli import main\n"
            "try:\n main(['--version'])\nexcept SystemExit: pass\n"
            f"print('HEAVY=' + ','.join(m for m in {HEAVY_MODULES!r} if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return probe.stdout.rsplit("HEAVY=", 1)[-1].strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    py = sys.executable
    script = Path(py).with_name("zeph-tui")
    zeph = [str(script)] if script.exists() else [py, "-m", "zeph_tui"]
    tmp = Path(tempfile.mkdtemp(prefix="zeph-bench-startup-"))
    fakes, anthropic_url, openai_url = start_fakes(tmp, args.runs + 10)
    workspace = tmp / "ws"
    workspace.mkdir()
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("ZEPH_", "ANTHROPIC_", "OPENAI_"))
    }
    commands: dict[str, tuple[list[str], dict[str, str] | None]] = {
        "bare": ([py, "-c", "pass"], None),
        "version": ([*zeph, "--version"], None),
    }
    for provider in ("openai", "anthropic"):
        env = dict(base, ZEPH_HOME=str(tmp / provider))
        env.update(provider_env(provider, anthropic_url, openai_url))
        model = ["--model", "fake-model"] if provider == "openai" else []
        commands[f"run_{provider}"] = ([*zeph, "run", "--provider", provider, *model, "hi"], env)
    times: dict[str, list[float]] = {name: [] for name in commands}
    try:
        for _ in range(2):  # warm the page cache (and the stores)
            for cmd, env in commands.values():
                timed(cmd, env, workspace)
        for _ in range(args.runs):
            for name, (cmd, env) in commands.items():
                times[name].append(timed(cmd, env, workspace))
    finally:
        for proc in fakes:
            proc.terminate()
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    med = {name: statistics.median(values) for name, values in times.items()}
    b, v = med["bare"], med["version"]
    print(f"bare interpreter start     median {b * 1000:7.1f} ms  (n={args.runs})")
    print(f"zeph-tui --version         median {v * 1000:7.1f} ms  (n={args.runs})")
    print(
        f"ratio                      {v / b:7.2f}x   target <= 2.5x  {'OK' if v / b <= 2.5 else 'MISSED'}"
    )
    print(f"heavy modules loaded       {heavy_of_version(py) or 'none'}")
    for provider in ("openai", "anthropic"):
        r = med[f"run_{provider}"]
        over = r - v
        verdict = ""
        if provider == "openai":
            verdict = f"  target <= +{RUN_OVER_VERSION_S:.1f} s  "
            verdict += "OK" if over <= RUN_OVER_VERSION_S else "MISSED"
        print(
            f"zeph-tui run ({provider:9}) median {r * 1000:7.1f} ms  (n={args.runs})"
            f"  +{over * 1000:.0f} ms over --version{verdict}"
        )


if __name__ == "__main__":
    main()
