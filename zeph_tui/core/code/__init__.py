"""Code intelligence: what language servers and tree-sitter tell the agent about code.

- :mod:`.intel`: :class:`~.intel.LspCodeIntel`, the agent's view of ``lsp_bridge``.
- :mod:`.changes`, :mod:`.hover`, :mod:`.render`: files changed behind the servers' back,
  hover prefetch after reads, the text and data the model and the faces get.
- :mod:`.outline`, :mod:`.repomap`: tree-sitter outlines and the ranked repository map.
- :mod:`.rename`: rename a symbol with its call sites, the one flow every face uses;
  :mod:`.rename_checks` its refusals, :mod:`.call_sites` the sites classified
  (definition / import / call / other reference), :mod:`.rename_sync` what the servers
  know during renames and the diagnostics baseline.
"""
