"""Model providers: Anthropic (SDK), OpenAI-compatible (httpx2), local (llama.cpp).

The message and stream vocabulary every provider speaks lives in
:mod:`zeph_tui.core.providers.base`; import it from there. This package exposes
how a provider is chosen. Only light modules are imported here;
``resolve_provider`` imports the chosen provider module when it builds it, and
the provider imports its SDK (or loads its model) lazily on first use.
"""

from __future__ import annotations

from zeph_tui.core.providers.resolve import (
    PROVIDER_NAMES,
    Resolution,
    describe_resolution,
    resolve,
    resolve_provider,
)

__all__ = [
    "PROVIDER_NAMES",
    "Resolution",
    "describe_resolution",
    "resolve",
    "resolve_provider",
]
