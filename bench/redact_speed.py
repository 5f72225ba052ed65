"""Secret redaction speed and false positives on real source code.

Texts, each about 1 MB:

* ``code``: the installed textual package's ``.py`` files (real code, no secrets);
* ``filler``: one line of code repeated (the text the old timed unit test used);
* ``logs``: log lines with a secret about every 100 bytes (tokens, GitHub PATs);
* ``encoded``: code with the agent's key pasted in 9 forms: plain, base64 (plain,
  inside a URL-safe environ dump, wrapped at 76 columns), hex (both cases),
  reversed, spaced out, URL percent-encoded.

Every case runs :class:`Redactor` with two known secrets loaded (as the agent
has its provider keys), best of 7 in thread CPU time (the figures stay
comparable on a loaded machine). Baseline in the same run: ``str.lower()`` of
the same text (one pass that touches every character), so the ratio shows how
many plain passes redaction costs. Budget: >= 64 KiB/ms on ``code``.

False positives: the number of ``[REDACTED:`` markers in the whole textual
package (every ``.py`` file), target 0, printed with the kinds and the lines.

    .venv/bin/python bench/redact_speed.py
"""

from __future__ import annotations

import base64
import random
import string
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

from zeph_tui.core.safety.redact import Redactor

KEY = "sk-ant-api03-" + "".join(random.Random(7).choices(string.ascii_letters, k=80)) + "AA"
OTHER = "ghp_" + "".join(random.Random(8).choices(string.ascii_letters + string.digits, k=36))


def best_ms(fn: Callable[[], object], n: int = 7) -> float:
    """Best of ``n`` runs in CPU time of this thread (waiting for a busy CPU does not count)."""
    best = float("inf")
    for _ in range(n):
        start = time.thread_time()
        fn()
        best = min(best, time.thread_time() - start)
    return best * 1000


def textual_sources() -> list[Path]:
    import textual

    return sorted(Path(textual.__file__).parent.rglob("*.py"))


def main() -> None:
    rng = random.Random(1234)
    sources = textual_sources()
    code_all = "\n".join(p.read_text(encoding="utf-8") for p in sources)
    code = code_all[:1_000_000]
    rand = lambda n: "".join(rng.choices(string.ascii_letters + string.digits, k=n))  # noqa: E731
    logs = "\n".join(f"log line {i} token={rand(24)} ghp_{rand(36)}" for i in range(12_000))
    raw = KEY.encode()
    forms = [
        KEY,
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(b"HOME=/root\0ANTHROPIC_API_KEY=" + raw).decode(),  # environ
        "\n".join(textwrap.wrap(base64.b64encode(raw + b"\n").decode(), 76)),  # `base64`
        raw.hex(),
        raw.hex().upper(),
        KEY[::-1],
        " ".join(KEY),  # spaced out
        "".join(f"%{b:02X}" for b in raw),  # URL percent-encoding of every byte
    ]
    encoded = code[:990_000] + "\n" + "\n".join(forms)
    redactor = Redactor([KEY, OTHER])
    print(f"{'text':<9}{'size':>9}{'baseline':>12}{'redact':>10}{'KiB/ms':>9}{'ratio':>8}")
    filler_line = "def f(x):\n    return {'key': x, 'value': x * 2}  # a comment about tokens\n"
    filler = (filler_line * (1_000_000 // len(filler_line)))[:1_000_000]
    cases = (("code", code), ("filler", filler), ("logs", logs[:1_000_000]), ("encoded", encoded))
    for name, text in cases:
        base = best_ms(text.lower)
        ours = best_ms(lambda text=text: redactor.redact(text))
        rate = len(text) / 1024 / ours
        print(
            f"{name:<9}{len(text) / 1e6:>7.2f}MB{base:>10.2f}ms{ours:>8.2f}ms"
            f"{rate:>9.0f}{ours / base:>7.1f}x"
        )
    out = redactor.redact(encoded)
    caught = sum(f not in out for f in forms) if KEY not in out else 0
    print(f"encoded forms caught: {caught} of {len(forms)}")
    lines = code_all.count("\n") + 1
    marked = [ln for ln in redactor.redact(code_all).splitlines() if "[REDACTED:" in ln]
    print(
        f"false positives: {len(marked)} redacted lines in {lines} lines of "
        f"{len(sources)} textual .py files (target 0)"
    )
    for line in marked[:10]:
        print(f"  {line.strip()[:120]}")
    rate = len(code) / 1024 / best_ms(lambda: redactor.redact(code))
    print(f"budget 64 KiB/ms on code: {'ok' if rate >= 64 else 'UNDER'} ({rate:.0f} KiB/ms)")


if __name__ == "__main__":
    main()
