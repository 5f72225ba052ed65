"""Per-model token prices for Anthropic models and the cost of a :class:`Usage`.

Prices are US dollars per million tokens, from Anthropic's public price list
(standard tier, 5-minute cache writes = 1.25 x input, cache reads = 0.1 x
input). Model ids are matched after dropping a ``-YYYYMMDD`` date suffix, by
the longest known prefix; unknown ids fall back by family (``opus``,
``sonnet``, ``haiku``) and then to :data:`DEFAULT_PRICE`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zeph_tui.core.providers.base import Usage

__all__ = ["DEFAULT_PRICE", "PRICES", "Price", "cost_usd", "price_for"]


@dataclass(frozen=True, slots=True)
class Price:
    """US dollars per million tokens."""

    input_per_mtok: float
    output_per_mtok: float
    cache_read_per_mtok: float
    cache_write_per_mtok: float

    @classmethod
    def standard(cls, input_per_mtok: float, output_per_mtok: float) -> Price:
        """A price with Anthropic's usual cache multipliers (read 0.1x, write 1.25x)."""
        return cls(input_per_mtok, output_per_mtok, input_per_mtok * 0.1, input_per_mtok * 1.25)

    def cost_usd(self, usage: Usage) -> float:
        """Dollar cost of ``usage`` (token counts, cache reads and writes included) at this price."""
        micro_dollars = (
            usage.input_tokens * self.input_per_mtok
            + usage.output_tokens * self.output_per_mtok
            + usage.cache_read_tokens * self.cache_read_per_mtok
            + usage.cache_write_tokens * self.cache_write_per_mtok
        )
        return micro_dollars / 1_000_000


_OPUS_4_5 = Price.standard(5.0, 25.0)
_OPUS_4 = Price.standard(15.0, 75.0)
_SONNET = Price.standard(3.0, 15.0)
_HAIKU_4_5 = Price.standard(1.0, 5.0)

PRICES: dict[str, Price] = {
    "claude-opus-4-5": _OPUS_4_5,
    "claude-opus-4-1": _OPUS_4,
    "claude-opus-4": _OPUS_4,
    "claude-sonnet-4-5": _SONNET,
    "claude-sonnet-4": _SONNET,
    "claude-3-7-sonnet": _SONNET,
    "claude-haiku-4-5": _HAIKU_4_5,
    "claude-3-5-haiku": Price.standard(0.8, 4.0),
    "claude-3-haiku": Price.standard(0.25, 1.25),
}
"""Known model id prefixes (without date suffix) and their prices."""

_FAMILY: dict[str, Price] = {"opus": _OPUS_4_5, "sonnet": _SONNET, "haiku": _HAIKU_4_5}

DEFAULT_PRICE = _SONNET
"""Price used for ids that match neither a known prefix nor a family."""

_DATE_SUFFIX = re.compile(r"-\d{8}$")


def price_for(model: str) -> Price:
    """The price of ``model`` (any Anthropic id, with or without date suffix)."""
    base = _DATE_SUFFIX.sub("", model.strip().lower())
    matches = [key for key in PRICES if base == key or base.startswith(key + "-")]
    if matches:
        return PRICES[max(matches, key=len)]
    for family, price in _FAMILY.items():
        if family in base:
            return price
    return DEFAULT_PRICE


def cost_usd(model: str, usage: Usage) -> float:
    """Dollar cost of ``usage`` (token counts) on ``model``."""
    return price_for(model).cost_usd(usage)
