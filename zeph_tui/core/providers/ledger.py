"""Cost and tokens per model, for the running prompt turn and for the whole session.

The session feeds every :class:`~zeph_tui.core.providers.base.MessageStop` to
:meth:`ModelLedger.charge`; faces read :meth:`ModelLedger.snapshot` through the
``UsageUpdate`` event (ACP ``usage_update`` ``_meta.models``, ``run --json``)
and :attr:`ModelLedger.last_model` (the model that answered last, shown in the
status bar).
"""

from __future__ import annotations

from dataclasses import dataclass

from zeph_tui.core.providers.base import MessageStop, ModelCharge, Provider, Usage

__all__ = ["ModelLedger", "ModelTotal", "charges_of"]


@dataclass(frozen=True, slots=True)
class ModelTotal:
    """Totals of one model: calls, tokens, US dollars."""

    model: str
    calls: int
    input_tokens: int
    output_tokens: int
    cost_usd: float

    def to_json(self) -> dict[str, object]:
        """``{"model", "calls", "inputTokens", "outputTokens", "costUsd"}`` (ACP ``_meta`` style)."""
        return {
            "model": self.model,
            "calls": self.calls,
            "inputTokens": self.input_tokens,
            "outputTokens": self.output_tokens,
            "costUsd": round(self.cost_usd, 6),
        }


def charges_of(provider: Provider, stop: MessageStop) -> tuple[ModelCharge, ...]:
    """The calls behind ``stop``: its own ``charges``, else one call on ``provider.model``."""
    if stop.charges:
        return stop.charges
    return (ModelCharge(provider.model, stop.usage, provider.cost_usd(stop.usage)),)


class _Totals:
    def __init__(self) -> None:
        self.by_model: dict[str, tuple[int, Usage, float]] = {}

    def add(self, charge: ModelCharge) -> None:
        calls, usage, cost = self.by_model.get(charge.model, (0, Usage(), 0.0))
        self.by_model[charge.model] = (calls + 1, usage + charge.usage, cost + charge.cost_usd)

    def rows(self) -> tuple[ModelTotal, ...]:
        return tuple(
            ModelTotal(model, calls, usage.input_tokens, usage.output_tokens, cost)
            for model, (calls, usage, cost) in self.by_model.items()
        )


class ModelLedger:
    """Per-model totals of one session (since it was opened) and of its current turn."""

    def __init__(self) -> None:
        self._session = _Totals()
        self._turn = _Totals()
        self.last_model = ""
        """Label of the model whose answer came last (``""`` before the first call)."""

    def start_turn(self) -> None:
        """Forget the turn totals (a new prompt turn or a ``/compact`` begins)."""
        self._turn = _Totals()

    def charge(self, charges: tuple[ModelCharge, ...]) -> None:
        """Add ``charges`` (in call order; the last one answered) to both totals."""
        for charge in charges:
            self._session.add(charge)
            self._turn.add(charge)
        if charges:
            self.last_model = charges[-1].model

    def snapshot(self) -> tuple[tuple[ModelTotal, ...], tuple[ModelTotal, ...]]:
        """``(session_totals, turn_totals)``, one row per model in first-use order."""
        return self._session.rows(), self._turn.rows()
