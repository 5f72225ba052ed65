"""Sanitising untrusted content (tool output, fetched pages, MCP results).

:func:`sanitize` removes what a reader cannot see but a model can, and flags
text that looks like an attempt to give the model instructions (prompt
injection). It never rewrites the visible words: flagged text is passed on,
marked, so the model and the user can judge it. :func:`wrap_untrusted` puts the
result between delimiters the content cannot forge.

Removed: ANSI escape sequences (CSI and OSC, e.g. colours and hyperlinks), C0/C1
control characters except ``\\n`` and ``\\t`` (``\\r\\n`` and a lone ``\\r``
become ``\\n``), every Unicode format character (category ``Cf``: zero-width
space/joiner/non-joiner, word joiner, BOM, soft hyphen, bidi embeddings,
overrides and isolates U+202A–U+202E and U+2066–U+2069, tag characters
U+E0000–U+E007F), variation selectors, the combining grapheme joiner, Hangul
fillers and Mongolian free variation selectors; U+2028/U+2029 become ``\\n``.

Flags (``SanitizedText.flags``, sorted, unique): ``ansi_escapes``,
``control_chars``, ``invisible_chars``, ``bidi_controls``, ``tag_chars`` and
``hidden_tag_text`` (tag characters spelling ASCII, the "ASCII smuggling"
trick; the hidden text is scanned for injection too), plus one id per
injection pattern in :data:`INJECTION_PATTERNS` (``(id, triggers, regex)``:
the regex runs only when one of the lower-case trigger substrings is present).
Patterns are matched on an NFKC-folded copy, so fullwidth letters do not hide
them.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

__all__ = ["INJECTION_PATTERNS", "SanitizedText", "sanitize", "wrap_untrusted"]

_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_TAGS = "\U000e0000-\U000e007f"
_OTHER_INVISIBLE = (
    "\u00ad\u0600-\u0605\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200d\u2060-\u2065"
    "\u206a-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\ufe00-\ufe0f\U000e0100-\U000e01ef\u034f\u115f\u1160\u3164\uffa0\u180b-\u180d\u17b4\u17b5"
)
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f"
_STRIP = re.compile(f"[{_CONTROL}{_BIDI}{_TAGS}{_OTHER_INVISIBLE}]")
_CLASSES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("control_chars", re.compile(f"[{_CONTROL}]")),
    ("bidi_controls", re.compile(f"[{_BIDI}]")),
    ("tag_chars", re.compile(f"[{_TAGS}]")),
    ("invisible_chars", re.compile(f"[{_OTHER_INVISIBLE}]")),
)
_TAG_TEXT = re.compile("[\U000e0020-\U000e007e]+")

_W = r"[\s\W]+"  # words may be separated by spaces, punctuation or newlines

# (id, lower-case triggers, regex source, ignore case), compiled on first use
_INJECTION_SOURCES: tuple[tuple[str, tuple[str, ...], str, bool], ...] = (
        ("ignore_previous", ("ignore",), rf"\bignore{_W}(?:all{_W}|any{_W}|the{_W}|of{_W}|your{_W})*(?:previous|prior|above|earlier|preceding|former){_W}(?:instructions?|prompts?|directions?|rules|messages?|context)", True),
        ("disregard_above", ("disregard", "forget"), rf"\b(?:disregard|forget){_W}(?:all{_W}|any{_W}|the{_W}|everything{_W}|of{_W}|your{_W})*(?:above|previous|prior|earlier|preceding|instructions)\b", True),
        ("you_are_now", ("now",), rf"\byou{_W}are{_W}now{_W}(?:a|an|the|my|in|DAN|no{_W}longer)\b", True),
        ("new_instructions", ("instruction",), r"\b(?:new|updated|real|actual|important)\s+(?:system\s+)?instructions?\s*:", True),
        ("system_prompt_label", ("system", "assistant"), r"(?:^|\n)[ \t>#*]*(?:system(?:\s+prompt|\s+message)?|assistant)\s*:|\bsystem\s+prompt\s*:", True),
        ("fake_role_tag", ("<",), r"<\s*/?\s*(?:system|assistant|user|human|tool_result|tool_use|function_results?|function_calls?|instructions?|untrusted|im_start|im_end)(?=[\s>/])[^>\n]{0,80}>|<\|(?:im_start|im_end|system|endoftext|eot_id|start_header_id)\|>", True),
        ("act_as", ("act", "behave", "respond", "pretend"), rf"(?:^|[.!?:]\s+|\n|\bnow{_W}|\bplease{_W})(?:act|behave|respond|pretend){_W}(?:as|like|to{_W}be){_W}(?:if{_W})?(?:a|an|the|my|you)\b", True),
        ("conceal_from_user", ("user",), rf"\b(?:do{_W}not|don'?t|never|without){_W}(?:tell|telling|inform|informing|mention|mentioning|reveal|revealing|alert|alerting|notify|notifying|show|showing)(?:{_W}(?:this|it|anything))?{_W}(?:to{_W})?the{_W}user\b", True),
        ("reveal_system_prompt", ("reveal", "leak", "disclose", "expose", "dump"), rf"\b(?:reveal|leak|disclose|expose|dump){_W}(?:me{_W})?(?:your|the){_W}(?:full{_W}|entire{_W}|complete{_W})?(?:system{_W}prompt|initial{_W}prompt|hidden{_W}(?:prompt|instructions)|secret{_W}instructions|system{_W}message)", True),
        ("print_instructions", ("your",), rf"\b(?:print|output|repeat|show|display|write{_W}out|recite|list){_W}(?:me{_W})?(?:all{_W})?(?:of{_W})?your{_W}(?:full{_W}|original{_W}|initial{_W})?(?:instructions|rules|guidelines|prompt|system{_W}prompt|system{_W}message)\b", True),
        ("exfiltrate_to_url", ("://",), r"\b(?:send|post|upload|transmit|forward|exfiltrate|leak|submit)\b[^\n;]{0,120}?\b(?:to|into)\s+(?:https?|ftp)://", True),
        ("pipe_to_shell", ("curl", "wget"), r"\b(?:curl|wget)\b[^\n|]{0,200}\|\s*(?:sudo\s+)?(?:ba|z|da|k)?sh\b", True),
        ("as_an_ai_must", ("ai",), rf"\bas{_W}an{_W}ai(?:{_W}language)?(?:{_W}model)?,?{_W}you{_W}(?:must|should|will|have{_W}to|are{_W}(?:required|obligated))\b", True),
        ("dan_jailbreak", ("dan", "anything", "jailbr"), r"\bDAN\b(?=[^\n]{0,40}(?i:mode|jailbreak|do anything now|\bprompt))|(?i:\bdo\s+anything\s+now\b)|(?i:\byou\s+are\s+)DAN\b|(?i:\bjailbr(?:ea|o)k(?:en)?\s+mode\b)", False),
        ("developer_mode", ("mode",), rf"\b(?:developer|dev|god|admin|debug)\s+mode\s+(?:is\s+)?(?:now\s+)?(?:enabled|activated|on|unlocked)\b|\b(?:enable|enter|activate)\s+(?:the\s+)?(?:developer|god)\s+mode{_W}(?:and|now|you)\b", True),
        ("markdown_image_exfil", ("![",), r"!\[[^\]\n]*\]\(\s*<?https?://[^)\s]*\?[^)\s]*=", True),
        ("override_safety", ("safety", "policy", "guideline", "guardrail", "restriction", "filter", "rules"), rf"\b(?:ignore|bypass|override|disable|forget){_W}(?:all{_W}|any{_W}|your{_W}|the{_W})+(?:safety|content{_W}policy|guidelines|guardrails|restrictions|filters|rules)\b", True),
        ("tool_call_request", ("bash", "shell", "terminal", "tool", "command"), rf"\b(?:assistant|ai|agent|claude|model)\b[^\n]{{0,40}}\b(?:must|should|needs{_W}to){_W}(?:now{_W})?(?:run|execute|call|invoke|use){_W}(?:the{_W})?(?:bash|shell|terminal|tool|command)\b", True),
)  # fmt: skip

if TYPE_CHECKING:
    INJECTION_PATTERNS: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...]


@functools.cache
def _injection_patterns() -> tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...]:
    """The injection patterns, compiled once (about 7 ms: not at import, on first use)."""
    return tuple(
        (pid, triggers, re.compile(rx, re.IGNORECASE if ci else 0))
        for pid, triggers, rx, ci in _INJECTION_SOURCES
    )


def __getattr__(name: str) -> object:
    if name == "INJECTION_PATTERNS":  # ``(id, triggers, compiled regex)``, see the module doc
        return _injection_patterns()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_B64 = re.compile(r"[A-Za-z0-9+/]{40,}={0,2}")
_B64_HINT = re.compile(
    r"\b(?:ignore|instructions?|disregard|system prompt|you must|you are|assistant|execute|"
    r"exfiltrat\w*|password|api key|secret)\b",
    re.IGNORECASE,
)
_MAX_B64_BLOBS = 64
_LT = "<\uff1c\ufe64\u2039\u3008\u27e8\u2329"
_DELIM_LOOKALIKE = re.compile(rf"[{_LT}](\s*/?\s*)(untrusted)", re.IGNORECASE)


@dataclass(frozen=True)
class SanitizedText:
    """Result of :func:`sanitize`.

    Attributes:
        text: the cleaned text.
        flags: sorted unique flag ids (see the module docstring).
    """

    text: str
    flags: tuple[str, ...]


def _scan(folded: str) -> set[str]:
    lowered = folded.lower()
    return {
        pid
        for pid, triggers, rx in _injection_patterns()
        if any(t in lowered for t in triggers) and rx.search(folded)
    }


def _scan_base64(text: str) -> bool:
    for i, m in enumerate(_B64.finditer(text)):
        if i >= _MAX_B64_BLOBS:
            break
        blob = m.group()
        try:
            decoded = base64.b64decode(blob + "=" * (-len(blob) % 4)).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            continue
        printable = sum(ch.isprintable() or ch in "\n\t" for ch in decoded)
        if printable < 0.9 * len(decoded):
            continue
        if _B64_HINT.search(decoded) or _scan(unicodedata.normalize("NFKC", decoded)):
            return True
    return False


def sanitize(text: str, source: str) -> SanitizedText:
    """Strip invisible characters from untrusted text and flag injection attempts.

    Args:
        text: the untrusted content.
        source: where it came from (tool name, URL, MCP server); accepted for
            symmetry with :func:`wrap_untrusted` and future per-source rules.

    Returns:
        The cleaned text and its flags.
    """
    del source  # not used by the rules yet
    flags: set[str] = set()
    if "\x1b" in text:
        stripped = _ANSI.sub("", text)
        if stripped != text:
            flags.add("ansi_escapes")
            text = stripped
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = text.replace("\u2029", "\n")
    if _STRIP.search(text):
        for flag, rx in _CLASSES:
            if rx.search(text):
                flags.add(flag)
        hidden = "".join(chr(ord(c) - 0xE0000) for c in "".join(_TAG_TEXT.findall(text)))
        if hidden.strip():
            flags.add("hidden_tag_text")
            flags |= _scan(hidden)
        text = _STRIP.sub("", text)
    folded = text if text.isascii() else unicodedata.normalize("NFKC", text)
    flags |= _scan(folded)
    if _scan_base64(folded):
        flags.add("base64_instructions")
    return SanitizedText(text, tuple(sorted(flags)))


def _attr(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.:/@+\-]", "_", value)[:200]


def wrap_untrusted(text: str, source: str, flags: tuple[str, ...] | list[str] = ()) -> str:
    """Wrap untrusted text in ``<untrusted source=".." flags="..">`` delimiters.

    Any ``<untrusted`` or ``</untrusted`` inside the text, including look-alike
    opening brackets (fullwidth U+FF1C, small U+FE64, angle brackets) and any
    case or spacing, is neutralised by replacing the bracket with ``&lt;``, so
    the content cannot close the wrapper early or open a fake one.

    Args:
        text: the (already sanitised) content.
        source: where it came from; characters other than letters, digits and
            ``_.:/@+-`` become ``_``.
        flags: flag ids from :func:`sanitize`; each is cleaned like ``source``.

    Returns:
        ``<untrusted source="S" flags="a,b">\\n…\\n</untrusted>``; the ``flags``
        attribute is omitted when there are none.
    """
    body = _DELIM_LOOKALIKE.sub(lambda m: f"&lt;{m.group(1)}{m.group(2)}", text)
    if not body.endswith("\n"):
        body += "\n"
    flag_attr = f' flags="{",".join(_attr(f) for f in flags)}"' if flags else ""
    return f'<untrusted source="{_attr(source)}"{flag_attr}>\n{body}</untrusted>'
