"""``wait_ready``: a server's work-done progress (project loading) is waited for.

tsserver publishes nothing for a clean file and loads its project under a
``$/progress``; a rename sent meanwhile returns a partial edit. A fake
server begins a progress at didOpen, publishes, and ends it 2 s later.
"""

from __future__ import annotations

from pathlib import Path

from lsp_bridge import LspBridge
from tests.lsp_bridge.test_lsp_faults import fake


async def test_wait_ready_waits_for_the_servers_work_in_progress(tmp_path: Path) -> None:
    a = tmp_path / "a.py"
    a.write_text("x = 1\n")
    async with LspBridge(tmp_path, [fake("loading")], diagnostics_timeout_s=5) as bridge:
        report = await bridge.open_or_change(a, a.read_text(), save=False)
        assert report.pending == ()  # the publish came, the project is still loading
        assert await bridge.wait_ready(a, timeout_s=0.01) == ["fake-loading"]
        assert await bridge.wait_ready(a) == []
        assert await bridge.wait_ready(a, timeout_s=0) == []
