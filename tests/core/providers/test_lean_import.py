"""``import_lean``: real packages with lazy ``__init__`` files; the real anthropic SDK through it.

Each case runs in a fresh interpreter (what is imported is the point).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from tests.paths import REPO_ROOT

PACKAGES = {
    "pkgx/__init__.py": "from .alpha import Alpha as Alpha\nfrom .beta import Beta\n"
    "from . import gamma\nVALUE = 42\n",
    "pkgx/alpha.py": "class Alpha:\n    pass\n",
    "pkgx/beta.py": "Beta = 'b'\n",
    "pkgx/gamma.py": "G = 1\n",
    # pkgy.a needs the package __init__ to have run: the lazy import fails, the plain one works
    "pkgy/__init__.py": "import os\nos.environ['PKGY_INIT'] = '1'\nfrom .a import A\n",
    "pkgy/a.py": "import os\nif not os.environ.get('PKGY_INIT'):\n"
    "    raise RuntimeError('needs the package init')\nA = 1\n",
}


def run_python(code: str, *paths: Path) -> Any:
    """Run ``code`` in a fresh interpreter (``paths`` first on sys.path); its last line as JSON."""
    prelude = f"import sys\nsys.path[:0] = {[str(p) for p in paths]!r}\n"
    proc = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    result: Any = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def test_names_load_their_submodule_alone_until_the_init_must_run(tmp_path: Path) -> None:
    for name, text in PACKAGES.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    out = run_python(
        """
        import json
        from zeph_tui.core.providers.lean_import import import_lean
        m = import_lean("pkgx", ["Alpha"])
        seen = {"first": sorted(n for n in sys.modules if n.startswith("pkgx"))}
        seen["gamma"] = m.gamma.G
        seen["after_gamma"] = sorted(n for n in sys.modules if n.startswith("pkgx"))
        seen["value"] = m.VALUE  # defined by the __init__ itself: it runs now
        seen["beta"] = m.Beta
        try:
            m.nothing
        except AttributeError as exc:
            seen["missing"] = str(exc)
        seen["fallback"] = import_lean("pkgy", ["A"]).A
        print(json.dumps(seen))
        """,
        tmp_path,
    )
    assert out["first"] == ["pkgx", "pkgx.alpha"]
    assert out["gamma"] == 1 and out["after_gamma"] == ["pkgx", "pkgx.alpha", "pkgx.gamma"]
    assert out["value"] == 42 and out["beta"] == "b"
    assert out["missing"] == "module 'pkgx' has no attribute 'nothing'"
    assert out["fallback"] == 1


STREAM = """
import asyncio, json
from tests.fakes.anthropic_api import FakeAnthropic
from zeph_tui.core.errors import ProviderError
from zeph_tui.core.providers.anthropic import AnthropicProvider
from zeph_tui.core.providers.base import Message, MessageStop, ModelRequest, TextDelta, TextPart

async def main():
    script = [
        {"blocks": [{"type": "text", "text": "Hello from the lean SDK"}]},
        {"error": {"status": 529, "type": "overloaded_error", "message": "Overloaded"}},
    ]
    request = ModelRequest(system="terse", messages=[Message("user", [TextPart("hi")])])
    out = {}
    async with FakeAnthropic(script) as fake:
        provider = AnthropicProvider("claude-x", api_key="k", base_url=fake.base_url, max_retries=0)
        await provider.warm()
        events = [e async for e in provider.stream(request)]
        out["text"] = "".join(e.text for e in events if isinstance(e, TextDelta))
        out["stop"] = [e.stop_reason for e in events if isinstance(e, MessageStop)]
        try:
            [e async for e in provider.stream(request)]
        except ProviderError as exc:
            import anthropic
            out["error"] = str(exc)
            out["cause_is_status_error"] = isinstance(exc.__cause__, anthropic.APIStatusError)
        await provider.aclose()
    out["modules"] = sum(n.startswith("anthropic") for n in sys.modules)
    out["beta_resources"] = "anthropic.resources.beta.beta" in sys.modules
    import anthropic
    out["surface"] = [anthropic.NOT_GIVEN is not None, anthropic.types.Message.__name__]
    print(json.dumps(out))

asyncio.run(main())
"""


def test_the_provider_streams_with_the_lean_sdk() -> None:
    lean = run_python(STREAM)
    assert lean["text"] == "Hello from the lean SDK" and lean["stop"] == ["end_turn"]
    assert lean["error"].startswith("anthropic: HTTP 529"), lean["error"]
    assert lean["cause_is_status_error"] is True
    assert lean["beta_resources"] is False, "the beta resources are not imported"
    assert lean["surface"] == [True, "Message"], "the rest of the SDK loads on demand"
    eager = run_python("import json, anthropic\nprint(json.dumps(len(sys.modules)))\n")
    assert isinstance(eager, int)
    assert lean["modules"] < eager / 2, (lean["modules"], eager)
