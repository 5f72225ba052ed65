"""lsp_bridge's module graph is acyclic, type-only imports included (grimp reads them all)."""

from __future__ import annotations

import grimp


def test_lsp_bridge_modules_form_no_cycle() -> None:
    graph = grimp.build_graph("lsp_bridge", include_external_packages=False)
    cycles = []
    for module in sorted(graph.modules):
        for other in sorted(graph.find_modules_directly_imported_by(module)):
            if graph.chain_exists(importer=other, imported=module):
                cycles.append((module, other))
    assert cycles == []
    # the queries reach documents through the DocumentHost interface, not the bridge
    assert "lsp_bridge.manager" not in graph.find_modules_directly_imported_by("lsp_bridge.queries")
    assert "lsp_bridge.queries" in graph.find_modules_directly_imported_by("lsp_bridge.manager")
