"""The write validator of the memory store: what may be remembered.

A memory is refused (:class:`MemoryRejected`, naming the field) when its text
is empty or over :data:`MAX_TEXT_CHARS`, when the redactor of
:mod:`zeph_tui.core.safety.redact` finds a secret in it (API keys, tokens,
private keys, secret values of the environment: a secret is never stored,
not even redacted), or when scope, kind or importance are out of range.
Duplicates are not an error: the store merges them (:mod:`.store`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from zeph_tui.core.errors import ZephError

__all__ = [
    "KINDS",
    "MAX_TEXT_CHARS",
    "SCOPES",
    "MemoryDraft",
    "MemoryRejected",
    "normalised_text",
    "validate",
]

MAX_TEXT_CHARS = 1000
SCOPES = ("project", "user")
KINDS = ("note", "fact")
_REDACTED = re.compile(r"\[REDACTED:([\w-]+)\]")


class MemoryRejected(ZephError):
    """A memory was not stored; the message names the field and the reason."""


@dataclass(frozen=True, slots=True)
class MemoryDraft:
    """A memory about to be written (checked by :func:`validate`)."""

    text: str
    scope: str = "project"
    kind: str = "note"
    importance: float = 0.5


def normalised_text(text: str) -> str:
    """Lower case, words only, single spaces: the duplicate key of a memory."""
    return " ".join(re.findall(r"[^\W_]+", text.lower()))


def validate(draft: MemoryDraft, redact: Callable[[str], str]) -> MemoryDraft:
    """Return the draft with its text stripped, or raise.

    Args:
        draft: the memory.
        redact: the session's redactor (``Redactor.redact``).

    Raises:
        MemoryRejected: naming ``text``, ``scope``, ``kind`` or ``importance``.
    """
    text = draft.text.strip()
    if not text:
        raise MemoryRejected("text: a memory cannot be empty")
    if len(text) > MAX_TEXT_CHARS:
        raise MemoryRejected(
            f"text: {len(text)} characters; a memory holds at most {MAX_TEXT_CHARS} "
            "(store a short summary and where to find the rest)"
        )
    redacted = redact(text)
    if redacted != text:
        kinds = sorted(set(_REDACTED.findall(redacted)) - set(_REDACTED.findall(text))) or [
            "secret"
        ]
        raise MemoryRejected(
            f"text: refused, it contains a secret ({', '.join(kinds)}); secrets are never "
            "remembered. Store where the secret lives instead (e.g. 'in 1Password')."
        )
    if draft.scope not in SCOPES:
        raise MemoryRejected(f"scope: {draft.scope!r} is not one of {', '.join(SCOPES)}")
    if draft.kind not in KINDS:
        raise MemoryRejected(f"kind: {draft.kind!r} is not one of {', '.join(KINDS)}")
    if not 0.0 <= draft.importance <= 1.0:
        raise MemoryRejected(f"importance: {draft.importance} is outside 0.0 .. 1.0")
    return MemoryDraft(text, draft.scope, draft.kind, float(draft.importance))
