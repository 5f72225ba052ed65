"""A cattrs converter for pygls that tolerates known server quirks.

pygls 2.1 structures every response with lsprotocol's strict converter. pylsp
advertises ``notebookDocumentSync`` with a ``notebookSelector`` lsprotocol
rejects, which makes the whole ``initialize`` response unparseable (the
request future then never resolves). We retry without that capability: the
bridge never uses notebooks.
"""

from __future__ import annotations

from typing import Any

import cattrs
from lsprotocol import types
from pygls import protocol as _pygls_protocol

__all__ = ["tolerant_converter"]

_DROPPABLE_CAPABILITIES = ("notebookDocumentSync",)


def tolerant_converter() -> cattrs.Converter:
    """Return pygls' default converter with a forgiving ``InitializeResult`` hook."""
    make: Any = _pygls_protocol.default_converter  # untyped in pygls
    converter: cattrs.Converter = make()
    strict = converter.get_structure_hook(types.InitializeResult)

    def structure_initialize_result(obj: Any, cls: type) -> types.InitializeResult:
        try:
            result: types.InitializeResult = strict(obj, cls)
        except Exception:
            capabilities = dict(obj.get("capabilities") or {})
            for key in _DROPPABLE_CAPABILITIES:
                capabilities.pop(key, None)
            result = strict({**obj, "capabilities": capabilities}, cls)
        return result

    converter.register_structure_hook(types.InitializeResult, structure_initialize_result)
    return converter
