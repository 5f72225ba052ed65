"""``zeph-tui run`` pays only for what its prompt uses (core/runtime.py, ``warm=False``).

One prompt against an OpenAI-compatible server that answers at once, under
the import recorder: no repo map (tree-sitter), no skills index (bm25s,
numpy), no language-server bridge, no git, no other provider's SDK.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import make_repo
from tests.fakes.openai_api import MODEL, REPLY, FakeOpenAI
from tests.heavy_modules import PROVIDER_MODULES, SESSION_OPEN_NEEDS, heavy_in, import_recorder
from tests.paths import REPO_ROOT


def test_run_imports_only_what_the_prompt_uses(tmp_path: Path, zeph_home: Path) -> None:
    workspace = make_repo(tmp_path / "repo")
    log = tmp_path / "imports.json"
    with FakeOpenAI() as fake:
        env = {
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(REPO_ROOT),
            "ZEPH_HOME": str(zeph_home),
            "OPENAI_BASE_URL": fake.base_url,
        }
        args = ["run", "--provider", "openai", "--model", MODEL, "--workspace", str(workspace)]
        proc = subprocess.run(
            [sys.executable, "-c", import_recorder(str(log)), *args, "hi"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
    assert proc.returncode == 0, proc.stderr
    assert REPLY in proc.stdout
    imported = [name for name, _ in json.loads(log.read_text())]
    allowed = {*SESSION_OPEN_NEEDS, *PROVIDER_MODULES["openai"]}
    assert heavy_in(imported, allow=allowed) == []
