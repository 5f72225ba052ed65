"""Short full garbage-collector passes while a person types (the dashboard's key latency).

A full (generation 2) pass of CPython's collector walks every tracked object:
with textual, the provider SDK and a resumed chat loaded that is ~280,000
objects and 60-100 ms with the event loop stopped, so a key pressed then
renders late. What is alive once the session is open and the warm-ups have
ended (modules, classes, the resumed chat's widgets) lives as long as the
dashboard, so it is moved out of the collector's sight with :func:`gc.freeze`
(a full pass then takes ~10 ms). Measured by ``bench/ui_latency.py``.

Frozen objects are never collected, so the heap is unfrozen whenever the
chat's widgets are dropped (a cleared conversation, another session, the
app's exit): what became garbage is collected by the ordinary passes again.
"""

from __future__ import annotations

import gc

__all__ = ["freeze", "unfreeze"]


def freeze() -> None:
    """Move every object alive now into the collector's permanent generation (~0 ms)."""
    gc.freeze()


def unfreeze() -> None:
    """Give the frozen objects back to the collector's oldest generation."""
    gc.unfreeze()
