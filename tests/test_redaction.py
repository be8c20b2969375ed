"""The one redaction function and the report scrubber: what they remove and what they keep."""

from __future__ import annotations

import ast
import base64
import json
from pathlib import Path

import pytest

from voice_push_conformance.codecs import tokens
from voice_push_conformance.paths import ROOT
from voice_push_conformance.plugin.redaction import scrub_file, scrub_object
from voice_push_conformance.secrecy import REDACTED, SIGNATURE_REDACTED, Secret, scrub

SECRET = Secret('0123456789abcdef<&>"fedcba9876543210')
TOKEN = tokens.mint(
    api_key_sid="SK" + "a" * 32, account_sid="AC" + "b" * 32, secret="k" * 32, now_s=1_000, identity="bob"
)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def test_scrub_removes_a_secret_in_every_escaped_form() -> None:
    raw = SECRET.reveal()
    text = f"plain {raw} json {json.dumps(raw)} html {'0123456789abcdef&lt;&amp;&gt;&quot;fedcba9876543210'}"
    cleaned = scrub(text, [SECRET])
    assert "0123456789abcdef" not in cleaned
    assert cleaned.count(REDACTED) == 3


def test_scrub_cuts_the_signature_of_any_jwt_and_keeps_the_rest() -> None:
    header, payload, signature = TOKEN.split(".")
    spaced = _b64(b' {"alg":"HS256"}') + "." + payload + "." + signature  # no "eyJ" prefix
    glued = repr(f"line\n{TOKEN}")  # a repr escapes the newline: "\\neyJ..."
    cleaned = scrub(f"token={TOKEN!r}; other {spaced}; {glued}", [])
    assert signature not in cleaned
    assert f"{header}.{payload}.{SIGNATURE_REDACTED}" in cleaned
    assert cleaned.count(SIGNATURE_REDACTED) == 3


@pytest.mark.parametrize(
    "text",
    ["voice_push_conformance.world.call_candidate", "pytest 9.2.0", "a.b.c", f"{TOKEN.rsplit('.', 1)[0]}."],
)
def test_scrub_leaves_text_without_secrets_or_signed_tokens_alone(text: str) -> None:
    assert scrub(text, [SECRET]) == text


def _failing_step(issued: str, secret: str) -> None:
    assert secret == issued, "the token does not verify"  # pytest rewrites this module: introspection on


def test_a_failure_representation_is_scrubbed_everywhere_it_prints() -> None:
    """Message, introspection, function arguments and locals: the long traceback shows them all."""
    with pytest.raises(AssertionError) as excinfo:
        _failing_step(TOKEN, SECRET.reveal())
    longrepr = excinfo.getrepr(style="long", showlocals=True, funcargs=True, truncate_locals=False)
    before = str(longrepr)
    assert SECRET.reveal() in before and TOKEN in before, "the example no longer shows what it should hide"
    after = str(scrub_object(longrepr, [SECRET]))
    assert SECRET.reveal() not in after
    assert TOKEN.rsplit(".", 1)[1] not in after
    assert "the token does not verify" in after, "the verdict message must survive"


def test_a_written_file_is_scrubbed_in_place(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    path.write_text(f"<failure message='{SECRET.reveal()}'>{TOKEN}</failure>", encoding="utf-8")
    assert scrub_file(path, [SECRET])
    text = path.read_text(encoding="utf-8")
    assert SECRET.reveal() not in text and TOKEN not in text
    assert not scrub_file(path, [SECRET]), "a clean file is left untouched"


def test_every_step_module_turns_assertion_rewriting_off() -> None:
    """Step assertions carry complete messages; introspection would print tokens and secrets."""
    missing = []
    for path in sorted((ROOT / "steps").glob("*.py")):
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if path.name != "__init__.py" and "PYTEST_DONT_REWRITE" not in docstring:
            missing.append(path.name)
    assert not missing, f"step modules without PYTEST_DONT_REWRITE in their docstring: {missing}"


def test_scrub_cuts_the_signature_left_at_the_end_of_a_shortened_repr() -> None:
    payload_tail, signature = TOKEN[-80:].rsplit(".", 1)
    shortened = f"issued = '{TOKEN[:40]}...{payload_tail}.{signature}'"
    cleaned = scrub(shortened, [])
    assert signature not in cleaned
    assert cleaned.endswith(f".{SIGNATURE_REDACTED}'")
