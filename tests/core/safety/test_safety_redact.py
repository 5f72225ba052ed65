"""Secret redaction: coverage, near misses, idempotence and speed."""

from __future__ import annotations

import random
import string
import time

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


def _best_of(n: int, fn: object, arg: str) -> float:
    assert callable(fn)
    best = float("inf")
    for _ in range(n):
        start = time.perf_counter()
        fn(arg)
        best = min(best, time.perf_counter() - start)
    return best


def test_one_megabyte_is_fast() -> None:
    filler = "def f(x):\n    return {'key': x, 'value': x * 2}  # a comment about tokens\n"
    text = (filler * (1_000_000 // len(filler)))[:1_000_000]
    elapsed_s = _best_of(3, redact, text)
    assert elapsed_s < 0.05, f"1 MB of code took {elapsed_s * 1000:.1f} ms"
    # Secret-dense text: a secret about every 100 bytes.
    dense = "\n".join(f"log line {i} token={rand(24)} ghp_{rand(36)}" for i in range(12_000))
    dense = dense[:1_000_000]
    elapsed_s = _best_of(3, redact, dense)
    assert elapsed_s < 0.25, f"1 MB of secret-dense text took {elapsed_s * 1000:.1f} ms"
