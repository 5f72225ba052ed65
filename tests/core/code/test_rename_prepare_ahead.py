"""The server's ``prepareRename`` sent ahead (the LSP face, while the person types the name).

With basedpyright: the early answer serves the plan at the same position over
the same document version, once; a file changed on disk since (a new version
after the sync) or another position asks the server again, so a stale answer
never names the symbol.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from lsp_bridge import LspBridge
from tests.paths import TESTS
from zeph_tui.core.code.rename import plan_rename
from zeph_tui.core.code.rename_sync import prepare_ahead, server_prepare, sync_target


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "pyproj"
    shutil.copytree(TESTS / "fixtures_rename" / "pyproj", root)
    return root


async def test_the_early_answer_serves_one_plan_at_the_same_spot(tmp_path: Path) -> None:
    root = _project(tmp_path)
    pricing = (root / "shop/pricing.py").resolve()
    async with LspBridge(root, ["basedpyright"]) as bridge:
        await prepare_ahead(bridge, pricing, 4, 5)
        await sync_target(bridge, pricing)
        elsewhere = server_prepare(bridge, pricing, 8, 7)  # another spot: asked again
        assert not isinstance(elsewhere, asyncio.Future)
        assert (await elsewhere).placeholder == "Cart"
        await prepare_ahead(bridge, pricing, 4, 5)
        early = server_prepare(bridge, pricing, 4, 5)
        assert isinstance(early, asyncio.Future)
        assert (await early).placeholder == "total"
        again = server_prepare(bridge, pricing, 4, 5)  # used once: asked again
        assert not isinstance(again, asyncio.Future)
        assert (await again).placeholder == "total"
        await prepare_ahead(bridge, pricing, 4, 5)
        plan = await plan_rename(bridge, pricing, 4, 5, "grand_total")
        assert plan.old_name == "total"
        assert {p.name for p in plan.files} == {"__init__.py", "cli.py", "pricing.py", "report.py"}


async def test_a_file_changed_since_is_asked_again(tmp_path: Path) -> None:
    root = _project(tmp_path)
    pricing = (root / "shop/pricing.py").resolve()
    async with LspBridge(root, ["basedpyright"]) as bridge:
        await prepare_ahead(bridge, pricing, 4, 5)  # 'total'
        text = pricing.read_text().replace("def total(", "def summed(")
        pricing.write_text(text.replace("return sum(items)", "return sum(items)  # " + "x" * 9))
        plan = await plan_rename(bridge, pricing, 4, 5, "grand")
        assert plan.old_name == "summed"  # the early 'total' answer was not used
        assert [c.path.name for c in plan.edit.changes] == ["pricing.py"]
