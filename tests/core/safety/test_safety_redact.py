"""Secret redaction: coverage, near misses, encodings, idempotence, false positives.

Speed is measured in bench/redact_speed.py (not in a timed test).
"""

from __future__ import annotations

import base64
import random
import string
import urllib.parse
from pathlib import Path

import pytest

from zeph_tui.core.safety import Redactor, redact, shannon_entropy

_rng = random.Random(1234)


def rand(n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(n))


SAMPLES = [
    ("anthropic_key", f"sk-ant-api03-{rand(80)}-{rand(6)}AA"),
    ("openai_key", f"sk-proj-{rand(48)}_{rand(20)}"),
    ("openai_key", f"sk-{rand(48)}"),
    ("github_token", f"ghp_{rand(36)}"),
    ("github_token", f"gho_{rand(36)}"),
    ("github_token", f"ghu_{rand(36)}"),
    ("github_token", f"ghs_{rand(36)}"),
    ("github_token", f"ghr_{rand(36)}"),
    ("github_token", f"github_pat_{rand(22)}_{rand(59)}"),
    ("aws_access_key_id", "AKIAIOSFODNN7EXAMPLE"),
    ("aws_access_key_id", "ASIAY34FZKBOKMUTVV7A"),
    ("slack_token", f"xoxb-{rand(12, string.digits)}-{rand(12, string.digits)}-{rand(24)}"),
    ("slack_token", f"xoxp-{rand(12, string.digits)}-{rand(24)}"),
    ("slack_webhook", f"https://hooks.slack.com/services/T{rand(8)}/B{rand(8)}/{rand(24)}"),
    (
        "jwt",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ."
        "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    ),
]


@pytest.mark.parametrize(("kind", "secret"), SAMPLES)
def test_token_shapes(kind: str, secret: str) -> None:
    text = f"before {secret} after\nand in quotes: '{secret}'"
    out = redact(text)
    assert secret not in out
    assert out == f"before [REDACTED:{kind}] after\nand in quotes: '[REDACTED:{kind}]'"


def test_aws_secret_key_keeps_the_name() -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    for line in (
        f"aws_secret_access_key = {secret}",
        f'AWS_SECRET_ACCESS_KEY="{secret}"',
        f"aws_secret_access_key: {secret}",
    ):
        out = redact(line)
        assert secret not in out
        assert "[REDACTED:aws_secret_key]" in out
        assert out.lower().startswith("aws_secret_access_key")


def test_private_key_block() -> None:
    block = (
        "-----BEGIN OPENSSH PRIVATE KEY-----\n"
        + "\n".join(rand(70) for _ in range(5))
        + "\n-----END OPENSSH PRIVATE KEY-----"
    )
    out = redact(f"key:\n{block}\nafter")
    assert out == "key:\n[REDACTED:private_key]\nafter"
    truncated = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow" + rand(200)
    assert redact(truncated) == "[REDACTED:private_key]"
    assert redact("-----BEGIN PUBLIC KEY-----\nabc") == "-----BEGIN PUBLIC KEY-----\nabc"


def test_bearer_tokens() -> None:
    token = rand(40)
    assert redact(f"Authorization: Bearer {token}") == "Authorization: Bearer [REDACTED:bearer]"
    assert redact(f"authorization: token {token}") == "authorization: token [REDACTED:bearer]"
    assert redact(f'-H "Authorization: Basic {token}="') == (
        '-H "Authorization: Basic [REDACTED:bearer]"'
    )
    assert redact(f"bearer {token}") == "bearer [REDACTED:bearer]"
    assert redact("the bearer of bad news") == "the bearer of bad news"


@pytest.mark.parametrize(
    "template",
    [
        "api_key={v}",
        'API_KEY="{v}"',
        "token: {v}",
        "password={v}",
        '{{"client_secret": "{v}"}}',
        "auth_token := {v}",
        "DB_PASSWORD='{v}'",
        "secret => {v}",
    ],
)
def test_generic_high_entropy_pairs(template: str) -> None:
    value = "Zx8f7Qw2Lm9Pk3Rt5Vb1"
    out = redact(template.format(v=value))
    assert value not in out
    assert "[REDACTED:generic]" in out
    assert out.split("[REDACTED")[0] == template.format(v=value).split(value)[0]


@pytest.mark.parametrize(
    "text",
    [
        "password=hunter2",  # too short
        "token: notsecretatallhere",  # no digit, low entropy
        "token_count = tokenizer.encode_batch(x)",
        "key = aaaaaaaaaaaaaaaaaaaa1",  # low entropy
        "url=https://example.com/some/long/path/1",  # not a key name
        "the key idea: keep it simple 1234567890",
        "sk-short",
        "ghp_tooShort",
        "AKIA1234",
        "masked sk-ant-... and ghp_... placeholders",
        "task-abcdefghijklmnopqrstuvwxyz",  # 'sk-' inside a word
        "class='sk-loading-spinner-container-large'",  # no digit: a name, not a key
        "eyJhbGciOi",
        "xoxb-",
    ],
)
def test_near_misses_are_left_alone(text: str) -> None:
    assert redact(text) == text


def test_idempotent() -> None:
    text = (
        "\n".join(s for _, s in SAMPLES)
        + "\napi_key=Zx8f7Qw2Lm9Pk3Rt5Vb1\nAuthorization: Bearer "
        + rand(30)
    )
    once = redact(text)
    assert redact(once) == once
    r = Redactor(["literal-secret-123"])
    twice = r.redact(r.redact(text + " literal-secret-123"))
    assert twice == r.redact(text + " literal-secret-123")


def test_literal_secrets() -> None:
    r = Redactor(["p@ss.w*rd+(x)", "short", "s3cret-longer-value", "s3cret"])
    text = "a p@ss.w*rd+(x) b s3cret-longer-value c short d"
    assert r.redact(text) == "a [REDACTED:secret] b [REDACTED:secret] c short d"
    r.add_secrets(["another-value-99"])
    assert r.redact("x another-value-99 y") == "x [REDACTED:secret] y"


def test_shannon_entropy() -> None:
    assert shannon_entropy("") == 0.0
    assert shannon_entropy("aaaa") == 0.0
    assert shannon_entropy("abcd") == pytest.approx(2.0)


AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzK9Q2mvT4LpA"
AGENT_KEY = "sk-ant-api03-Qm7xT2vK9pL4wR8nB3cF6hJ1dS5gA0eZyXuViOtNk-EnvKey77AA"


@pytest.mark.parametrize(
    "text",
    [
        f"{AWS_SECRET}\n",  # on its own line, no name, no key id
        f"AKIAIOSFODNN7EXAMPLE\n{AWS_SECRET}",  # next to its key id
        f"credentials:\n  - {AWS_SECRET}\n",
        f"export X={AWS_SECRET}",
    ],
)
def test_aws_secret_access_key_without_its_name(text: str) -> None:
    out = redact(text)
    assert AWS_SECRET not in out
    assert "[REDACTED:" in out


def test_aws_context_lowers_the_bar_for_40_character_keys() -> None:
    plain = "Abcdefgh12345678" * 2 + "Abcdefgh"  # 40 chars, 16 symbols: 4.0 bits
    assert redact(plain) == plain
    assert redact(f"AWS pair: AKIAIOSFODNN7EXAMPLE {plain}") == (
        "AWS pair: [REDACTED:aws_access_key_id] [REDACTED:aws_secret_key]"
    )


def test_jwt_and_generic_assignments() -> None:
    jwt = SAMPLES[-1][1]
    assert redact(f"cookie={jwt}; path=/") == "cookie=[REDACTED:jwt]; path=/"
    assert redact("client_secret: Zx8f7Qw2Lm9Pk3Rt5Vb1") == "client_secret: [REDACTED:generic]"


def test_private_key_split_over_reads() -> None:
    body = [rand(64, string.ascii_letters + string.digits + "+/") for _ in range(6)]
    first = "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(body[:2])
    middle = "\n".join(body[2:4])
    last = "\n".join(body[4:]) + "\nab==\n-----END RSA PRIVATE KEY-----\nafter"
    assert redact(first) == "[REDACTED:private_key]"
    assert redact(middle) == "[REDACTED:high_entropy]\n[REDACTED:high_entropy]"
    assert redact(last) == "[REDACTED:private_key]\nafter"


def test_known_secret_in_every_encoding() -> None:
    r = Redactor([AGENT_KEY])
    raw = AGENT_KEY.encode()
    forms = {
        "plain": AGENT_KEY,
        "base64": base64.b64encode(raw).decode(),
        "base64 of echo": base64.b64encode(raw + b"\n").decode(),
        "urlsafe": base64.urlsafe_b64encode(raw).decode(),
        "hex": raw.hex(),
        "HEX": raw.hex().upper(),
        "reversed": AGENT_KEY[::-1],
        "spaced": " ".join(AGENT_KEY),
        "folded": "\n".join(AGENT_KEY[i : i + 10] for i in range(0, len(AGENT_KEY), 10)),
        "url-encoded": urllib.parse.quote(AGENT_KEY, safe=""),
        "percent-encoded bytes": "".join(f"%{b:02X}" for b in raw),
    }
    for offset in range(3):  # inside a larger stream: base64 of an environ dump
        stream = b"PATH=/usr/bin\0" + b"x" * offset + b"ANTHROPIC_API_KEY=" + raw + b"\0HOME=/"
        forms[f"environ+{offset}"] = base64.b64encode(stream).decode()
    for name, form in forms.items():
        out = r.redact(f"output: {form} end")
        assert "[REDACTED:secret]" in out, name
        assert form not in out, name
        assert AGENT_KEY not in out, name


def test_no_false_positives_on_the_textual_sources() -> None:
    """Every .py file of the installed (pinned) textual package: 0 redactions."""
    import textual

    files = sorted(Path(textual.__file__).parent.rglob("*.py"))
    text = "\n".join(p.read_text(encoding="utf-8") for p in files)
    assert text.count("\n") > 50_000
    out = Redactor([AGENT_KEY]).redact(text)
    marked = [line for line in out.splitlines() if "[REDACTED:" in line]
    assert marked == []
