"""No secret leaves the process: a failing run under a random secret is scanned byte by byte.

The run fails TOKEN-SIGNATURE on purpose (the candidate signs with another secret), with
every output switched on and the most talkative tracebacks, because a failure is where
assertion introspection, tracebacks and captured output would show credentials.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import secrets
from pathlib import Path

import pytest

from tests.helpers import run_suite
from voice_push_conformance.paths import ROOT

# Three base64url segments with a non-empty third one: a JWS compact serialisation.
THREE_SEGMENTS = re.compile(r"(?<![A-Za-z0-9_-])([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]+)")
# The same, starting wherever base64 of '{"' does, even glued to what precedes it ("\\neyJ...").
GLUED = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+")


def _is_jose_header(segment: str) -> bool:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (binascii.Error, ValueError):
        return False
    return isinstance(decoded, dict)


def signed_tokens(text: str) -> list[str]:
    """Every JWT in ``text`` that still carries a signature."""
    found = {m.group(0) for m in THREE_SEGMENTS.finditer(text) if _is_jose_header(m.group(1))}
    return sorted(found | {m.group(0) for m in GLUED.finditer(text)})


def test_the_scanner_finds_a_signed_token_and_ignores_dotted_names() -> None:
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    assert signed_tokens(f"token={token!r} in steps.access_token.py") == [token]
    assert signed_tokens(repr(f"line\n{token}")) == [token]
    assert signed_tokens("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.[signature redacted]") == []
    assert signed_tokens("pytest 9.2.0 voice_push_conformance.world.call_candidate") == []


@pytest.mark.slow
@pytest.mark.parametrize("parallel", [False, True], ids=["serial", "xdist"])
def test_a_failing_run_writes_no_secret_and_no_token_signature(tmp_path: Path, parallel: bool) -> None:
    secret = secrets.token_hex(16)
    bearer = "ya29." + secrets.token_urlsafe(48)
    token_log = tmp_path / "issued-tokens.txt"
    reports = tmp_path / "reports"
    command = [
        "-vv", "--tb=long", "--showlocals", "-rA",
        "--log-level=DEBUG", "--log-cli-level=INFO", "--log-file", str(reports / "run.log"),
        "--target", "tests.candidates.wrong_secret:build",
        "--report-dir", str(reports), "--verdict-file", str(reports / "verdicts.json"),
    ]  # fmt: skip
    if parallel:
        command += ["-n", "2"]
    env = os.environ | {
        "VPC_API_KEY_SECRET": secret,
        "VPC_FCM_BEARER_TOKEN": bearer,
        "VPC_SELFTEST_TOKEN_LOG": str(token_log),
        "PYTHONPATH": str(ROOT),
    }
    completed = run_suite(*command, env=env, quiet=False)
    assert completed.returncode == 1, completed.stdout[-3000:]
    # The helper decodes with surrogateescape: encoding back gives the exact bytes written.
    written = {
        name: text.encode("utf-8", "surrogateescape")
        for name, text in (("stdout", completed.stdout), ("stderr", completed.stderr))
    }
    written |= {path.name: path.read_bytes() for path in sorted(reports.iterdir())}
    assert {"junit.xml", "report.json", "report.html", "verdicts.json", "run.log"} <= set(written)
    assert b"issued eyJ" in written["run.log"], "the candidate's log lines are missing: the scan would prove less"
    assert parallel or "cucumber.json" in written
    issued = token_log.read_text(encoding="utf-8").split()
    assert issued, "the candidate issued no token: the scan would prove nothing"
    signatures = {token.rsplit(".", 1)[1] for token in issued}
    assert "TOKEN-SIGNATURE" in written["stdout"].decode(), "the run did not report the failing requirement"
    leaks = []
    for name, raw in written.items():
        text = raw.decode("utf-8", errors="replace")
        if secret in text:
            leaks.append(f"{name}: the configured API key secret")
        if bearer in text or bearer.removeprefix("ya29.") in text:
            leaks.append(f"{name}: the FCM bearer token")
        leaks += [f"{name}: a signed JWT {token.rsplit('.', 1)[0][:24]}…" for token in signed_tokens(text)]
        # A signature can also appear cut out of its token (introspection truncates long strings).
        leaks += [f"{name}: part of an issued token's signature" for s in sorted(signatures) if s[-16:] in text]
    assert not leaks, "secrets left the process:\n" + "\n".join(sorted(set(leaks)))
