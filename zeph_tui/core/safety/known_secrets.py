"""The exact secrets the agent knows, in the encodings a command can print them in.

For each literal secret (its provider keys, tokens from its environment) the
:class:`KnownSecrets` matcher finds, marked ``[REDACTED:secret]``:

* the value itself;
* the value reversed (``rev``);
* its hex encoding, lower or upper case (``xxd -p``, ``od``-free ``hexdump``
  forms without separators);
* its base64 encoding, standard and URL-safe alphabets, at each of the three
  byte alignments: a secret in the middle of a larger stream (``base64
  /proc/<pid>/environ``) produces one of three cores, and those cores are
  what is matched, so the surrounding bytes do not matter.

Each of these forms is also found spaced out or wrapped: up to
:data:`MAX_SEPARATOR_RUN` separator characters (whitespace and newlines as from
``fold``, ``base64``'s 76-column lines, ``xxd -p``'s 60-column lines or ``od``'s
spaces, and ``.,:;|_-/\\%``, so URL percent-encoding of every byte is hex spaced
by ``%``) between any two of its characters. Not covered:
dumps that interleave other text between lines (``xxd`` with offsets and an
ASCII column), and other encodings (rot13, compression, encryption).

Values shorter than :data:`MIN_ENCODED_LEN` characters are matched in plain
form only: their encodings are too short to be told from ordinary text.

Speed: the text is encoded once to UTF-8 with every separator (and ``+``)
deleted and ASCII lower-cased (``bytes.translate``, ``bytes.lower``); each form,
treated the same way (so hex in both cases and both base64 alphabets share one
test: six per secret), is looked for there with ``bytes.__contains__`` (two-way
search, fast); only a form found runs its regular expressions. Text without a known secret costs those tests only.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable

__all__ = ["MAX_SEPARATOR_RUN", "MIN_ENCODED_LEN", "KnownSecrets", "encoded_variants"]

MIN_ENCODED_LEN = 16
"""Shortest secret whose encodings and spaced form are matched, in characters."""
MAX_SEPARATOR_RUN = 3
"""Longest run of separator characters allowed between two characters of a spaced secret."""

_SEPARATORS = r"[\s.,:;|_\-/\\%]"
_SEPARATOR_BYTES = b" \t\n\r\x0b\x0c.,:;|_-/\\%"
_GATE_DELETE = _SEPARATOR_BYTES + b"+"  # so base64's two alphabets squeeze alike


_LOWER = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz")


def _gate(data: bytes) -> bytes:
    """The form forms are looked for in: separators and ``+`` deleted, ASCII lower-cased."""
    return data.translate(_LOWER, _GATE_DELETE)  # one pass, not translate + lower


_MARK = "[REDACTED:secret]"


def _base64_cores(raw: bytes) -> set[str]:
    """The base64 text that any encoding of a stream containing ``raw`` contains.

    For a secret at byte offset ``k`` (mod 3) in a stream, the characters
    wholly determined by its bytes are the same whatever surrounds it.
    """
    cores: set[str] = set()
    n = len(raw)
    for k in range(3):
        encoded = base64.b64encode(b"\0" * k + raw).decode()
        first = -(-8 * k // 6)  # ceil: the first character made only of secret bits
        last = 8 * (k + n) // 6  # floor: one past the last such character
        core = encoded[first:last]
        cores.add(core)
        cores.add(core.replace("+", "-").replace("/", "_"))
    return cores


def encoded_variants(secret: str) -> set[str]:
    """Plain, reversed, hex (both cases) and base64 cores (both alphabets) of ``secret``."""
    raw = secret.encode()
    variants = {secret, secret[::-1], raw.hex(), raw.hex().upper()}
    variants |= _base64_cores(raw)
    return variants


def _spaced_pattern(secret: str) -> str:
    sep = f"{_SEPARATORS}{{0,{MAX_SEPARATOR_RUN}}}"
    return sep.join(re.escape(ch) for ch in secret)


class KnownSecrets:
    """Finds the agent's own secret values, plain and encoded, and marks them.

    Args:
        secrets: literal values; those shorter than ``min_len`` are ignored.
        min_len: shortest value honoured, in characters.
    """

    def __init__(self, secrets: Iterable[str] = (), min_len: int = 8) -> None:
        self._min_len = min_len
        self._values: set[str] = set()
        self._short: list[tuple[bytes, re.Pattern[str]]] = []
        self._spaced: list[tuple[bytes, list[re.Pattern[str]]]] = []
        self.add(secrets)

    def __len__(self) -> int:
        return len(self._values)

    def add(self, secrets: Iterable[str]) -> None:
        """Add literal values; recompiles the patterns when one is new."""
        new = {s for s in secrets if len(s) >= self._min_len and "REDACTED" not in s}
        new -= self._values
        if not new:
            return
        self._values |= new
        short: list[tuple[bytes, re.Pattern[str]]] = []
        spaced: dict[bytes, list[re.Pattern[str]]] = {}
        for value in sorted(self._values, key=lambda v: (-len(v), v)):
            if len(value) < MIN_ENCODED_LEN:
                short.append((value.encode(), re.compile(re.escape(value))))
                continue
            for variant in sorted(encoded_variants(value), key=lambda v: (-len(v), v)):
                gate = _gate(variant.encode())
                spaced.setdefault(gate, []).append(re.compile(_spaced_pattern(variant)))
        self._short = short
        self._spaced = list(spaced.items())

    def redact(self, text: str) -> str:
        """``text`` with every known value (any form above) replaced by ``[REDACTED:secret]``."""
        return self.redact_encoded(text)[0]

    def redact_encoded(self, text: str) -> tuple[str, bytes]:
        """:meth:`redact`, and the result in UTF-8 (``surrogatepass``) for the next pass."""
        raw = text.encode("utf-8", "surrogatepass")
        if not self._values:
            return text, raw
        gated = _gate(raw)
        for needle, patterns in self._spaced:
            if needle not in gated:
                continue
            for pattern in patterns:
                new = pattern.sub(_MARK, text)
                if new != text:
                    text = new
                    raw = text.encode("utf-8", "surrogatepass")
                    gated = _gate(raw)
        for needle, pattern in self._short:
            if needle in raw:
                text = pattern.sub(_MARK, text)
                raw = text.encode("utf-8", "surrogatepass")
        return text, raw
