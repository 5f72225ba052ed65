"""LspBridge against real Python servers: basedpyright (push), ruff (pull), pylsp."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from lsprotocol import types

from lsp_bridge import LspBridge
from tests.paths import TESTS

FIXTURES = TESTS / "fixtures_lsp"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "pyproj"
    shutil.copytree(FIXTURES / "pyproj", root)
    return root


@pytest.fixture
async def bridge(project: Path) -> AsyncIterator[LspBridge]:
    async with LspBridge(project, diagnostics_timeout_s=30) as b:
        yield b


BAD_CALL = "    account.deposit('lots')\n"


async def test_type_error_reported_with_its_line_then_fixed(
    bridge: LspBridge, project: Path
) -> None:
    use = project / "pkg" / "use.py"
    good = use.read_text()
    first = await bridge.open_or_change(use, good)
    assert first.pending == ()
    assert first.errors == ()

    bad = good.replace("    account.deposit(100)\n", BAD_CALL)
    report = await bridge.open_or_change(use, bad)
    errors = [d for d in report.new if d.severity == "error"]
    assert [(d.line, d.server) for d in errors] == [(6, "basedpyright")], report.text
    assert errors[0].source_line == BAD_CALL.rstrip("\n")
    assert "pkg/use.py:6:21: error [basedpyright/reportArgumentType]" in report.text
    assert "account.deposit('lots')" in report.text

    fixed = await bridge.open_or_change(use, good)
    assert fixed.new == ()
    assert [(d.line, d.message) for d in fixed.fixed] == [(6, errors[0].message)]
    assert "1 fixed" in fixed.text
    assert bridge.diagnostics(use) == []


async def test_lines_shift_through_edit_above_an_existing_error(
    bridge: LspBridge, project: Path
) -> None:
    use = project / "pkg" / "use.py"
    bad = use.read_text().replace("    account.deposit(100)\n", BAD_CALL)
    await bridge.open_or_change(use, bad)
    shifted = "# one\n# two\n" + bad
    report = await bridge.open_or_change(use, shifted)
    assert report.new == ()
    assert report.fixed == ()
    assert [d.line for d in report.errors] == [8]


async def test_ruff_is_pulled_and_merged(bridge: LspBridge, project: Path) -> None:
    use = project / "pkg" / "use.py"
    text = "import os\n" + use.read_text()
    report = await bridge.open_or_change(use, text)
    by_server = {d.server for d in report.new if d.line == 1}
    assert by_server == {"ruff", "basedpyright"}, report.text
    modes = {s.name: s.diagnostics_mode for s in bridge.status()}
    assert modes == {"basedpyright": "push", "ruff": "pull"}


async def test_hover_across_modules(bridge: LspBridge, project: Path) -> None:
    hover = await bridge.hover(project / "pkg" / "use.py", 6, 14)
    assert hover is not None
    assert "def deposit(amount_cents: int) -> int" in hover.text
    assert "Add money" in hover.text  # the docstring lives in models.py


async def test_definition_and_references_across_files(bridge: LspBridge, project: Path) -> None:
    models = project / "pkg" / "models.py"
    use = project / "pkg" / "use.py"
    definition = await bridge.definition(use, 6, 14)
    assert [(d.path, d.line, d.col) for d in definition] == [(models, 11, 9)]
    refs = await bridge.references(models, 11, 10)
    assert [(r.path.name, r.line, r.col) for r in refs] == [
        ("models.py", 11, 9),
        ("use.py", 6, 13),
        ("use.py", 8, 18),
    ]
    assert refs[1].source_line == "    account.deposit(100)"


async def test_prepare_rename_and_rename(bridge: LspBridge, project: Path) -> None:
    models = project / "pkg" / "models.py"
    target = await bridge.prepare_rename(models, 11, 10)
    assert target.supported
    assert target.placeholder == "deposit"
    edit = await bridge.rename(models, 11, 10, "add")
    changed = _edited_files(edit)
    assert changed == {"models.py": 1, "use.py": 2}


async def test_staleness_second_edit_never_shows_first(bridge: LspBridge, project: Path) -> None:
    use = project / "pkg" / "use.py"
    good = use.read_text()
    await bridge.open_or_change(use, good)
    first = good.replace("    account.deposit(100)\n", "    account.deposit('first')\n")
    second = good.replace(
        '    other = Account("bob", 5)\n', "    other = Account(\"bob\", 'second')\n"
    )
    first_report, second_report = await asyncio.gather(
        bridge.open_or_change(use, first), bridge.open_or_change(use, second)
    )
    assert second_report.version == first_report.version + 1
    assert all("first" not in d.message for d in second_report.current), second_report.text
    assert [d.line for d in second_report.errors] == [7]


async def test_pylsp_has_no_prepare_rename_and_falls_back(project: Path) -> None:
    async with LspBridge(project, ["pylsp"]) as bridge:
        use = project / "pkg" / "use.py"
        target = await bridge.prepare_rename(use, 7, 6)
        assert not target.supported
        assert target.placeholder == "other"
        assert (target.location.line, target.location.col, target.location.end_col) == (7, 5, 10)
        edit = await bridge.rename(use, 7, 6, "second")
        assert set(_edited_files(edit)) == {"use.py"}
        new_texts = "".join(
            getattr(e, "new_text", "")
            for change in edit.document_changes or ()
            if isinstance(change, types.TextDocumentEdit)
            for e in change.edits
        )
        assert "second = Account" in new_texts  # jedi sends one whole-file edit
        assert "return second.deposit" in new_texts
        hover = await bridge.hover(use, 5, 16)
        assert hover is not None
        assert "open_account" in hover.text


def _edited_files(edit: types.WorkspaceEdit) -> dict[str, int]:
    counts: dict[str, int] = {}
    for change in edit.document_changes or ():
        if isinstance(change, types.TextDocumentEdit):
            name = change.text_document.uri.rsplit("/", 1)[-1]
            counts[name] = counts.get(name, 0) + len(change.edits)
    for uri, edits in (edit.changes or {}).items():
        name = uri.rsplit("/", 1)[-1]
        counts[name] = counts.get(name, 0) + len(edits)
    return counts


async def test_late_publish_of_a_pending_edit_is_not_attributed_to_the_next(
    bridge: LspBridge, project: Path
) -> None:
    use = project / "pkg" / "use.py"
    good = use.read_text()
    await bridge.open_or_change(use, good)
    bridge.diagnostics_timeout_s = 0.001  # the first edit gives up before the server answers
    first = await bridge.open_or_change(use, good.replace("deposit(100)", "deposit('first')"))
    assert "basedpyright" in first.pending
    bridge.diagnostics_timeout_s = 30
    second = await bridge.open_or_change(
        use, good.replace('Account("bob", 5)', "Account('bob', 'second')")
    )
    assert second.pending == ()
    assert all("first" not in d.message for d in second.current), second.text
    assert [d.line for d in second.errors] == [7]
