"""zeph-tui: a coding assistant for the terminal and the editor.

Kept import-free on purpose: `zeph-tui --version` and the ACP `initialize`
path import this package and must stay fast (see DESIGN.md, "Heavy imports").
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
