"""Secret redaction for everything that leaves the process or is stored.

Why a focused regex set rather than a library: detect-secrets 1.5.0 (Yelp, the
maintained scanner) was measured here (bench/redact_speed.py has the numbers of
this module; the library was installed from PyPI for the measurement and
removed): ``scan_file`` over 1 MB of the installed textual package's sources
took 14.8 s, about 0.07 KiB/ms against this module's budget of 64 KiB/ms, and
its high-entropy plugins only look inside quoted strings, so it missed an AWS
secret access key on its own line. It is built to *find* secrets in files
through plugin objects, not to replace them in a stream. The token shapes below
follow the published formats and the coverage of detect-secrets' plugins (AWS,
GitHub, Slack, JWT, private keys, basic-auth/bearer, high-entropy keyword pairs,
high-entropy base64 strings), tuned for unquoted text.

Why several gated passes rather than one combined alternation: CPython's ``re``
tries every branch of an alternation at every position (about 230 ms per MB
measured for the combined form), while a pattern that starts with a literal or
a character class is searched with a fast prefix scan. So each kind is one
compiled pattern with such a start, and a pass only runs when its cheap gate
(a compiled literal pattern: sre's literal scan is faster than ``bytes in``, and
faster still on a rare first byte) finds something. A leading character class
is scanned about 20 times slower than a literal, so the ``key=value`` pass
(``generic``) looks for a literal ``=`` in a copy where ``:`` became ``=``. Typical cost: a few ms per MB of text without
secrets, well under 50 ms per MB with them (see tests/test_safety_redact.py).

Every hit becomes ``[REDACTED:<kind>]``; for ``key=value`` shapes the key and
the separator are kept and only the value is replaced. Redaction is idempotent:
the marker matches no pattern.

Context-free high entropy (``high_entropy``): a run of at least
:data:`ENTROPY_MIN_LEN` base64/URL-safe characters containing a digit, an
upper- and a lower-case letter, whose Shannon entropy reaches the bound for its
length (:func:`entropy_bound`: 4.1 bits at 32 characters, 4.3 at 40, 4.7 from 64
on; random base64 of those lengths falls below it in fewer than 1 in 100). This
catches an AWS secret access key on its own line, PEM body lines of a private
key read in pieces, and long random tokens. Hex-only runs (git SHAs, digests)
have no upper-case letters and are left alone. When the text also holds an AWS
access key id or the word ``aws``, 40-character runs are judged with the lower
bound of :data:`AWS_CONTEXT_ENTROPY_BITS` (kind ``aws_secret_key``).

The end of a private key without its BEGIN line (a read that starts mid-key) is
redacted from the first base64 line before ``-----END ... PRIVATE KEY-----``.

Kinds: ``secret`` (literal values given to :class:`Redactor`, in every encoding
of :mod:`zeph_tui.core.safety.known_secrets`), ``private_key``,
``anthropic_key``, ``openai_key``, ``github_token``, ``aws_access_key_id``,
``aws_secret_key``, ``slack_webhook``, ``slack_token``, ``jwt``, ``bearer``,
``generic`` (a value after a key/token/secret/password/credential/auth-like name
and ``:``/``=``, at least :data:`GENERIC_MIN_LEN` characters, containing a
digit, with Shannon entropy at least :data:`GENERIC_MIN_ENTROPY_BITS`).
"""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from zeph_tui.core.safety.known_secrets import KnownSecrets

__all__ = [
    "AWS_CONTEXT_ENTROPY_BITS",
    "ENTROPY_MIN_LEN",
    "GENERIC_MIN_ENTROPY_BITS",
    "GENERIC_MIN_LEN",
    "Redactor",
    "entropy_bound",
    "redact",
    "shannon_entropy",
]

GENERIC_MIN_LEN = 16
GENERIC_MIN_ENTROPY_BITS = 3.0
ENTROPY_MIN_LEN = 32
AWS_CONTEXT_ENTROPY_BITS = 3.5


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


def entropy_bound(length: int) -> float:
    """Bits per character a context-free token of ``length`` characters must reach."""
    if length >= 64:
        return 4.7
    if length >= 40:
        return 4.3 + (length - 40) * (0.4 / 24)
    return 4.1 + max(0, length - 32) * (0.2 / 8)


def _mixed(value: str) -> bool:
    return (
        any(ch.isdigit() for ch in value)
        and any(ch.isupper() for ch in value)
        and any(ch.islower() for ch in value)
    )


_TOKEN_CHARS = string.ascii_letters + string.digits + "+/_-"
_TOKEN_MAP = bytes.maketrans(
    bytes(range(256)),
    bytes(ord("a") if chr(i) in _TOKEN_CHARS else ord(" ") for i in range(256)),
)
_TOKEN_NEEDLE = b"a" * ENTROPY_MIN_LEN
_TOKEN_RUN = re.compile(rb"[A-Za-z0-9+/_\-]++={0,2}")
_AWS_WORDS = (b"AKIA", b"ASIA", b"aws", b"AWS", b"Aws")
_AWS_ALPHABET = frozenset(string.ascii_letters + string.digits + "+/")


def _judge_token(value: str, raw: bytes) -> str | None:
    """The kind a context-free token is redacted as, or None when it looks ordinary.

    ``raw`` (the whole text) is searched for AWS context only for a 40-character
    candidate.
    """
    if not _mixed(value):
        return None
    bits = shannon_entropy(value)
    body = value.rstrip("=")
    if (
        len(body) == 40
        and _AWS_ALPHABET.issuperset(body)
        and any(word in raw for word in _AWS_WORDS)
    ):
        return "aws_secret_key" if bits >= AWS_CONTEXT_ENTROPY_BITS else None
    return "high_entropy" if bits >= entropy_bound(len(body)) else None


def _redact_tokens(text: str, raw: bytes) -> str:
    """Replace long high-entropy runs (see the module docstring).

    ``raw`` is ``text`` in UTF-8. Runs are found on a byte translation of it
    (token characters -> ``a``, every other byte, multi-byte sequences included,
    -> space) with ``bytes.find``, several times faster than a regex scan, and
    replaced in the bytes, which are decoded again only when something changed.
    """
    mapped = raw.translate(_TOKEN_MAP)
    pos = mapped.find(_TOKEN_NEEDLE)
    if pos < 0:
        return text
    out: list[bytes] = []
    done = 0
    while pos >= 0:
        run = _TOKEN_RUN.match(raw, pos)
        end = run.end() if run is not None else pos + ENTROPY_MIN_LEN
        kind = _judge_token(raw[pos:end].decode("ascii"), raw)
        if kind is not None:
            out.append(raw[done:pos])
            out.append(f"[REDACTED:{kind}]".encode())
            done = end
        pos = mapped.find(_TOKEN_NEEDLE, end)
    if not out:
        return text
    out.append(raw[done:])
    return b"".join(out).decode("utf-8", "surrogatepass")


_KEY_END = re.compile(r"-----END[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----")
_PEM_LINE = re.compile(r"[A-Za-z0-9+/=]{1,100}\r?")


def _redact_key_tails(text: str) -> str:
    """The end of a private key whose BEGIN line is in an earlier read: redact its body.

    For each END marker left (whole blocks went first), the base64 lines just
    before it, back to the first line that is not one, are replaced with the marker.
    """
    out: list[str] = []
    done = 0
    for m in _KEY_END.finditer(text):
        start = m.start()
        while start > done:
            line_start = text.rfind("\n", done, start - 1) + 1
            if not _PEM_LINE.fullmatch(text, line_start, start - 1):
                break
            start = max(line_start, done)
        if start < m.start():
            out.append(text[done:start])
            out.append("[REDACTED:private_key]")
            done = m.end()
    out.append(text[done:])
    return "".join(out)


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


_GENERIC_SCAN = re.compile(
    rb"=[>=]?[ \t]*[\"']?[A-Za-z0-9+/=_\-.~!@#$%%^&*:]{%d,}" % GENERIC_MIN_LEN
)
_GENERIC = re.compile(
    rb"[:=][>=]?[ \t]*[\"']?([A-Za-z0-9+/=_\-.~!@#$%%^&*]{%d,})" % GENERIC_MIN_LEN
)
_COLON_AS_EQUALS = bytes.maketrans(b":", b"=")
_KEY_TAIL_REV_B = re.compile(rb"[ \t]*[\"']?([A-Za-z0-9_\-]{1,40})")
_KEY_NAME_B = re.compile(
    rb"(?i:api_?key|apikey|key|token|secret|passw(?:or)?d|pwd|credential|auth)"
)


def _redact_generic(text: str, raw: bytes) -> str:
    """Replace the values of ``key=value`` / ``key: value`` pairs that look random.

    ``raw`` is ``text`` in UTF-8. CPython's ``re`` scans for a character class
    (``[:=]``) about 20 times slower than for a literal, so candidates are found
    in a copy where ``:`` is translated to ``=`` (same length, same offsets) with
    a pattern that starts with the literal ``=``; each candidate is then matched
    on the real bytes, and judged by the key name before it (read backwards, one
    anchored match) and by :func:`_looks_random`.
    """
    mapped = raw.translate(_COLON_AS_EQUALS)
    out: list[bytes] = []
    done = pos = 0
    while (cand := _GENERIC_SCAN.search(mapped, pos)) is not None:
        start = cand.start()
        m = _GENERIC.match(raw, start)
        if m is None:
            pos = start + 1
            continue
        pos = m.end()
        tail = _KEY_TAIL_REV_B.match(raw[max(0, start - 48) : start][::-1])
        if tail is None or not _KEY_NAME_B.search(tail.group(1)[::-1]):
            continue
        if not _looks_random(m.group(1).decode("ascii")):
            continue
        out += (raw[done : m.start(1)], b"[REDACTED:generic]")
        done = pos
    if not out:
        return text
    out.append(raw[done:])
    return b"".join(out).decode("utf-8", "surrogatepass")


@dataclass(frozen=True)
class _Pass:
    """One kind: its gate (a cheap search; a hit runs the pass), regex and replacement."""

    lower: bool  # test triggers against the lower-cased text
    regex: re.Pattern[str]
    repl: str | Callable[[re.Match[str]], str]
    gate: re.Pattern[bytes]  # the triggers as one pattern (sre's literal scan beats ``in``)

    def triggered(self, haystack: bytes) -> bool:
        return self.gate.search(haystack) is not None


def _pass(
    triggers: str | None,
    pattern: str,
    kind: str | Callable[[re.Match[str]], str],
    *,
    lower: bool = False,
    value: bool = False,
    gate: bytes | None = None,
) -> _Pass:
    """A row of :data:`_PASSES`: ``triggers`` space-separated (or ``gate``, a bytes
    pattern); ``value`` keeps group ``pre``."""
    repl = kind if callable(kind) else (_value(kind) if value else _whole(kind))
    if gate is None:
        gate = b"|".join(re.escape(t.encode()) for t in (triggers or "").split())
    return _Pass(lower, re.compile(pattern), repl, re.compile(gate))


_KEY_RE = r"-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|\Z)"
_AWS_RE = r"(?P<pre>[Aa][Ww][Ss]_?(?i:secret_?access_?key|secret_?key|secret)[\"']?[ \t]*[:=][ \t]*[\"']?)[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])"
_AUTH_RE = r"(?P<pre>[Aa](?i:uthorization)[\"']?[ \t]*[:=][ \t]*[\"']?(?i:bearer|basic|token|bot)[ \t]+)[A-Za-z0-9._~+/\-]{8,}=*"
_JWT_RE = r"eyJ(?<![A-Za-z0-9_]eyJ)[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"
_GH_RE = r"g(?<![A-Za-z0-9_]g)(?:h[pousr]_[A-Za-z0-9]{20,255}|ithub_pat_[A-Za-z0-9_]{22,255})"
_AKIA_RE = r"A(?<![A-Za-z0-9_]A)(?:KIA|SIA|BIA|CCA|3T[A-Z0-9])[A-Z0-9]{16}(?![A-Za-z0-9])"
_PASSES: tuple[_Pass, ...] = (
    _pass("-----BEGIN", _KEY_RE, "private_key"),
    _pass("sk-", r"sk-(?<![A-Za-z0-9_]sk-)[A-Za-z0-9_\-]{20,}", _sk_key),
    _pass(None, _GH_RE, "github_token", gate=rb"g(?:h[pousr]_|ithub_pat_)"),
    _pass(None, _AKIA_RE, "aws_access_key_id", gate=rb"A(?:KIA|SIA|BIA|CCA|3T)"),
    _pass("aws", _AWS_RE, "aws_secret_key", lower=True, value=True),
    _pass(
        "https://hooks.slack.com/",
        r"https://hooks\.slack\.com/services/[A-Za-z0-9_/]{20,}",
        "slack_webhook",
    ),
    _pass("xox", r"xox(?<![A-Za-z0-9_]xox)[abposr]-[A-Za-z0-9\-]{10,}", "slack_token"),
    _pass(None, _JWT_RE, "jwt", gate=rb"yJ"),  # sre scans for "y" faster than for "e"
    _pass("authorization", _AUTH_RE, "bearer", lower=True, value=True),
    _pass(
        "bearer",
        r"(?P<pre>[Bb](?i:earer)[ \t]+)[A-Za-z0-9._~+/\-]{16,}=*",
        "bearer",
        lower=True,
        value=True,
    ),
)


class Redactor:
    """Replaces secrets in text with ``[REDACTED:<kind>]`` markers.

    Args:
        extra_secrets: literal values to redact wherever they appear, plain or
            encoded (e.g. from :func:`zeph_tui.core.safety.env.secret_env_values`);
            marked ``[REDACTED:secret]``. Values shorter than ``min_secret_len``
            are ignored.
        min_secret_len: shortest literal value honoured, in characters.
    """

    def __init__(self, extra_secrets: Iterable[str] = (), min_secret_len: int = 8) -> None:
        self.known = KnownSecrets(extra_secrets, min_secret_len)

    def add_secrets(self, secrets: Iterable[str]) -> None:
        """Add literal values to redact (plain and encoded); recompiles the patterns."""
        self.known.add(secrets)

    def redact(self, text: str) -> str:
        """Return ``text`` with every recognised secret replaced.

        Idempotent: ``redact(redact(t)) == redact(t)``.
        """
        # Triggers are tested on the UTF-8 bytes: bytes search and ASCII lower-casing
        # stay fast when the text holds wide characters (str search does not).
        text, raw = self.known.redact_encoded(text)
        lowered: bytes | None = None
        for p in _PASSES:
            if p.lower:
                if lowered is None:
                    lowered = raw.lower()
                haystack = lowered
            else:
                haystack = raw
            if p.triggered(haystack):
                new = p.regex.sub(p.repl, text)
                if new != text:
                    text, lowered = new, None
                    raw = text.encode("utf-8", "surrogatepass")
        new = _redact_generic(text, raw)
        if new is not text:
            text, raw = new, new.encode("utf-8", "surrogatepass")
        if b"-----END" in raw:
            text = _redact_key_tails(text)
            raw = text.encode("utf-8", "surrogatepass")
        return _redact_tokens(text, raw)


_DEFAULT = Redactor()


def redact(text: str) -> str:
    """Redact ``text`` with the built-in patterns only (no literal secrets).

    See :class:`Redactor` and the module docstring for the kinds recognised.
    """
    return _DEFAULT.redact(text)
