"""Record and replay of model calls (``--record PATH`` / ``--replay PATH``).

A face opens a :class:`TapeDeck` once and hands it to the
:class:`~zeph_tui.core.runtime.Runtime` (``runtime.tapes``); every session the
runtime opens then gets the deck's layer (:mod:`.layer`) in its stack, and
with ``--replay`` the runtime's provider is the recorded one. The file format
is :mod:`.tape`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from zeph_tui.core.replay.layer import (
    RecordedProvider,
    RecordLayer,
    ReplayLayer,
    TapePlayer,
    TapeWriter,
)
from zeph_tui.core.replay.tape import Normaliser, ReplayDivergence, Tape, TapeError

if TYPE_CHECKING:
    from zeph_tui.core.layers.base import Layer
    from zeph_tui.core.session.session import Session

__all__ = ["ReplayDivergence", "Tape", "TapeDeck", "TapeError", "open_tapes"]


def open_tapes(record: str | None, replay: str | None) -> TapeDeck | None:
    """The deck for ``--record`` / ``--replay`` values (None when both are empty).

    Raises:
        TapeError: as :meth:`TapeDeck.open`.
    """
    if not record and not replay:
        return None
    return TapeDeck.open(
        record=Path(record).resolve() if record else None,
        replay=Path(replay) if replay else None,
    )


@dataclass(slots=True)
class TapeDeck:
    """What a face asked for: record to a path, or replay a loaded tape (not both)."""

    record_path: Path | None = None
    player: TapePlayer | None = None
    writer: TapeWriter | None = None

    @classmethod
    def open(cls, *, record: Path | None = None, replay: Path | None = None) -> TapeDeck:
        """Check the paths and load a replayed tape.

        Raises:
            TapeError: both given, the replayed tape cannot be read or is not a
                tape, or the record path's folder does not exist.
        """
        if record is not None and replay is not None:
            raise TapeError("--record and --replay cannot be used together")
        if replay is not None:
            return cls(player=TapePlayer(Tape.load(replay)))
        if record is not None and not record.parent.is_dir():
            raise TapeError(f"--record: folder {record.parent} does not exist")
        return cls(record_path=record)

    def provider(self) -> RecordedProvider | None:
        """The recorded provider when replaying, else None (resolve as usual)."""
        return RecordedProvider(self.player.tape.header) if self.player else None

    def layer(self, session: Session) -> Layer | None:
        """This deck's layer for ``session`` (None when neither recording nor replaying)."""
        normaliser = Normaliser(session.redactor.redact, session.workspace)
        if self.player is not None:
            return ReplayLayer(self.player, normaliser)
        if self.record_path is None:
            return None
        if self.writer is None:
            provider = session.provider
            header = {
                "workspace": str(session.workspace),
                "provider": provider.name,
                "model": provider.model,
                "context_window_tokens": provider.context_window_tokens,
                "mode": session.mode,
            }
            self.writer = TapeWriter(self.record_path, normaliser.to_tape(header))
        return RecordLayer(self.writer, normaliser)
