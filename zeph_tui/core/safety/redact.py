"""Secret redaction for everything that leaves the process or is stored.

Why a focused regex set rather than a library: detect-secrets (Yelp) and
similar scanners are built to *find* secrets line by line in files through
plugin objects; none offers "replace every secret in this string", and they
pull in extra dependencies. The token shapes below follow the published formats
and the coverage of detect-secrets' plugins (AWS, GitHub, Slack, JWT, private
keys, basic-auth/bearer, high-entropy keyword pairs).

Why several gated passes rather than one combined alternation: CPython's ``re``
tries every branch of an alternation at every position (about 230 ms per MB
measured for the combined form), while a pattern that starts with a literal or
a character class is searched with a fast prefix scan. So each kind is one
compiled pattern with such a start, and a pass only runs when its cheap trigger
(a substring test) is present. Typical cost: a few ms per MB of text without
secrets, well under 50 ms per MB with them (see tests/test_safety_redact.py).

Every hit becomes ``[REDACTED:<kind>]``; for ``key=value`` shapes the key and
the separator are kept and only the value is replaced. Redaction is idempotent:
the marker matches no pattern.

Kinds: ``secret`` (literal values given to :class:`Redactor`), ``private_key``,
``anthropic_key``, ``openai_key``, ``github_token``, ``aws_access_key_id``,
``aws_secret_key``, ``slack_webhook``, ``slack_token``, ``jwt``, ``bearer``,
``generic`` (a value after a key/token/secret/password/credential/auth-like name
and ``:``/``=``, at least :data:`GENERIC_MIN_LEN` characters, containing a
digit, with Shannon entropy at least :data:`GENERIC_MIN_ENTROPY_BITS`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = [
    "GENERIC_MIN_ENTROPY_BITS",
    "GENERIC_MIN_LEN",
    "Redactor",
    "redact",
    "shannon_entropy",
]

GENERIC_MIN_LEN = 16
GENERIC_MIN_ENTROPY_BITS = 3.0

_KEY_TAIL_REV = re.compile(r"[ \t]*[\"']?([A-Za-z0-9_\-]{1,40})")
_KEY_NAME = re.compile(r"(?i:api_?key|apikey|key|token|secret|passw(?:or)?d|pwd|credential|auth)")


def shannon_entropy(value: str) -> float:
    """Shannon entropy of the characters of ``value``, in bits per character."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def _looks_random(value: str) -> bool:
    return (
        len(value) >= GENERIC_MIN_LEN
        and any(ch.isdigit() for ch in value)
        and shannon_entropy(value) >= GENERIC_MIN_ENTROPY_BITS
    )


def _whole(kind: str) -> str:
    return f"[REDACTED:{kind}]"


def _value(kind: str) -> Callable[[re.Match[str]], str]:
    def repl(m: re.Match[str]) -> str:
        return f"{m.group('pre')}[REDACTED:{kind}]"

    return repl


def _sk_key(m: re.Match[str]) -> str:
    whole = m.group()
    if not any(ch.isdigit() for ch in whole):  # "sk-loading-spinner-container" is a name
        return whole
    kind = "anthropic_key" if whole.startswith("sk-ant-") else "openai_key"
    return f"[REDACTED:{kind}]"


def _generic(m: re.Match[str]) -> str:
    start = m.start()
    # The key name just before the separator, read backwards with one anchored match.
    tail = _KEY_TAIL_REV.match(m.string[max(0, start - 48) : start][::-1])
    if tail is None or not _KEY_NAME.search(tail.group(1)[::-1]):
        return m.group()
    if not _looks_random(m.group("val")):
        return m.group()
    return f"{m.group('pre')}[REDACTED:generic]"


@dataclass(frozen=True)
class _Pass:
    triggers: tuple[str, ...]  # run when any is in the text ("" = always)
    lower: bool  # test triggers against the lower-cased text
    regex: re.Pattern[str]
    repl: str | Callable[[re.Match[str]], str]


_VAL = r"[A-Za-z0-9+/=_\-.~!@#$%^&*]"
_PASSES: tuple[_Pass, ...] = (
    _Pass(
        ("-----BEGIN",),
        False,
        re.compile(
            r"-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?"
            r"(?:-----END[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|\Z)"
        ),
        _whole("private_key"),
    ),
    _Pass(("sk-",), False, re.compile(r"sk-(?<![A-Za-z0-9_]sk-)[A-Za-z0-9_\-]{20,}"), _sk_key),
    _Pass(
        ("gh", "github_pat_"),
        False,
        re.compile(
            r"g(?<![A-Za-z0-9_]g)(?:h[pousr]_[A-Za-z0-9]{20,255}|ithub_pat_[A-Za-z0-9_]{22,255})"
        ),
        _whole("github_token"),
    ),
    _Pass(
        ("AKIA", "ASIA", "ABIA", "ACCA", "A3T"),
        False,
        re.compile(r"A(?<![A-Za-z0-9_]A)(?:KIA|SIA|BIA|CCA|3T[A-Z0-9])[A-Z0-9]{16}(?![A-Za-z0-9])"),
        _whole("aws_access_key_id"),
    ),
    _Pass(
        ("aws",),
        True,
        re.compile(
            r"(?P<pre>[Aa][Ww][Ss]_?(?i:secret_?access_?key|secret_?key|secret)[\"']?[ \t]*[:=][ \t]*[\"']?)"
            r"[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])"
        ),
        _value("aws_secret_key"),
    ),
    _Pass(
        ("https://hooks.slack.com/",),
        False,
        re.compile(r"https://hooks\.slack\.com/services/[A-Za-z0-9_/]{20,}"),
        _whole("slack_webhook"),
    ),
    _Pass(
        ("xox",),
        False,
        re.compile(r"xox(?<![A-Za-z0-9_]xox)[abposr]-[A-Za-z0-9\-]{10,}"),
        _whole("slack_token"),
    ),
    _Pass(
        ("eyJ",),
        False,
        re.compile(
            r"eyJ(?<![A-Za-z0-9_]eyJ)[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"
        ),
        _whole("jwt"),
    ),
    _Pass(
        ("authorization",),
        True,
        re.compile(
            r"(?P<pre>[Aa](?i:uthorization)[\"']?[ \t]*[:=][ \t]*[\"']?(?i:bearer|basic|token|bot)[ \t]+)"
            r"[A-Za-z0-9._~+/\-]{8,}=*"
        ),
        _value("bearer"),
    ),
    _Pass(
        ("bearer",),
        True,
        re.compile(r"(?P<pre>[Bb](?i:earer)[ \t]+)[A-Za-z0-9._~+/\-]{16,}=*"),
        _value("bearer"),
    ),
    _Pass(
        ("",),
        False,
        re.compile(rf"(?P<pre>[:=][>=]?[ \t]*[\"']?)(?P<val>{_VAL}{{{GENERIC_MIN_LEN},}})"),
        _generic,
    ),
)


class Redactor:
    """Replaces secrets in text with ``[REDACTED:<kind>]`` markers.

    Args:
        extra_secrets: literal values to redact verbatim wherever they appear
            (e.g. from :func:`zeph_tui.core.safety.env.secret_env_values`); marked
            ``[REDACTED:secret]``. Values shorter than ``min_secret_len`` are ignored.
        min_secret_len: shortest literal value honoured, in characters.
    """

    def __init__(self, extra_secrets: Iterable[str] = (), min_secret_len: int = 8) -> None:
        self._min_secret_len = min_secret_len
        self._secrets: set[str] = set()
        self._literal: re.Pattern[str] | None = None
        self.add_secrets(extra_secrets)

    def add_secrets(self, secrets: Iterable[str]) -> None:
        """Add literal values to redact verbatim; recompiles the literal pattern."""
        new = {s for s in secrets if len(s) >= self._min_secret_len and "REDACTED" not in s}
        if new - self._secrets:
            self._secrets |= new
            ordered = sorted(self._secrets, key=lambda s: (-len(s), s))
            self._literal = re.compile("|".join(re.escape(s) for s in ordered))

    def redact(self, text: str) -> str:
        """Return ``text`` with every recognised secret replaced.

        Idempotent: ``redact(redact(t)) == redact(t)``.
        """
        if self._literal is not None:
            text = self._literal.sub("[REDACTED:secret]", text)
        lowered: str | None = None
        for p in _PASSES:
            if p.lower:
                if lowered is None:
                    lowered = text.lower()
                haystack = lowered
            else:
                haystack = text
            if any(t in haystack for t in p.triggers):
                text = p.regex.sub(p.repl, text)
                lowered = None
        return text


_DEFAULT = Redactor()


def redact(text: str) -> str:
    """Redact ``text`` with the built-in patterns only (no literal secrets).

    See :class:`Redactor` and the module docstring for the kinds recognised.
    """
    return _DEFAULT.redact(text)
