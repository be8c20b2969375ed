"""The suite used as vendors use it: console script, adapter files, token URLs, the terminal.

Whole runs go through ``python -m voice_push_conformance run`` in a subprocess started in
a scratch directory, so nothing depends on standing in the checkout.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from voice_push_conformance import cli
from voice_push_conformance.bindings.token_url import token_from_body
from voice_push_conformance.credentials import generate_credentials
from voice_push_conformance.paths import ROOT
from voice_push_conformance.target import CandidateError

SEED = "4242"
TOKEN_REQUIREMENTS = {
    "TOKEN-HEADER",
    "TOKEN-SIGNATURE",
    "TOKEN-ISSUER-SUBJECT",
    "TOKEN-LIFETIME",
    "TOKEN-JTI",
    "TOKEN-IDENTITY",
    "TOKEN-VOICE-GRANT",
}
VENDOR = ROOT / "examples" / "vendor-project"


def suite(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("VPC_")}
    base["PYTHONPATH"] = os.pathsep.join([str(ROOT), *(env or {}).pop("PYTHONPATH", "").split(os.pathsep)])
    command = [sys.executable, "-m", "voice_push_conformance", *args]
    return subprocess.run(
        command, cwd=cwd, env=base | (env or {}), capture_output=True, text=True, timeout=300, check=False
    )


def verdicts(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


# --- token URL answers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/html; charset=utf-8", "a.b.c"),  # the Python quickstart returns the bare JWT
        ("text/plain", "a.b.c\n"),
        ("application/json", '"a.b.c"'),
        ("application/json", '{"token": "a.b.c"}'),
        ("application/json", '{"identity": "alice", "token": "a.b.c"}'),  # the Node quickstarts
        ("text/html", '{"identity": "alice", "token": "a.b.c"}'),  # JSON with a careless content type
    ],
)
def test_token_answers_quickstarts_give_are_accepted(content_type: str, body: str) -> None:
    assert token_from_body(content_type, body) == "a.b.c"


@pytest.mark.parametrize(
    ("content_type", "body", "says"),
    [
        ("application/json", '{"jwt": "a.b.c"}', "no string 'token' member (got ['jwt'])"),
        ("application/json", '{"token": 5}', "no string 'token' member"),
        ("application/json", "[1]", "(got list)"),
        ("application/json", "{not json", "not JSON"),
    ],
)
def test_token_answers_without_a_token_are_the_candidates_failure(content_type: str, body: str, says: str) -> None:
    with pytest.raises(CandidateError) as raised:
        token_from_body(content_type, body)
    assert says in str(raised.value)


# --- a real token server, unmodified ---------------------------------------------------------


def _load_example_server() -> Any:
    path = ROOT / "examples" / "twilio-token-server" / "server.py"
    spec = importlib.util.spec_from_file_location("vpc_example_twilio_token_server", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def server_credentials() -> dict[str, str]:
    """What the token server is configured with; the suite is told through VPC_* variables."""
    creds = generate_credentials(99)
    return {
        "TWILIO_ACCOUNT_SID": creds.account_sid,
        "API_KEY": creds.api_key_sid,
        "API_KEY_SECRET": creds.api_key_secret.reveal(),
        "PUSH_CREDENTIAL_SID": creds.push_credential_sid,
        "APP_SID": creds.application_sid,
    }


def _vpc_env(server: dict[str, str]) -> dict[str, str]:
    return {
        "VPC_ACCOUNT_SID": server["TWILIO_ACCOUNT_SID"],
        "VPC_API_KEY_SID": server["API_KEY"],
        "VPC_API_KEY_SECRET": server["API_KEY_SECRET"],
        "VPC_PUSH_CREDENTIAL_SID": server["PUSH_CREDENTIAL_SID"],
        "VPC_APPLICATION_SID": server["APP_SID"],
    }


@pytest.fixture(scope="module", params=["jwt", "token", "identity-token"])
def token_server(request: pytest.FixtureRequest, server_credentials: dict[str, str]) -> Iterator[str]:
    """The example twilio-package token server, answering in one of the quickstart shapes."""
    app = _load_example_server().create_app(server_credentials, request.param)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"token-url:http://127.0.0.1:{server.server_port}/accessToken?identity={{identity}}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.slow
def test_a_twilio_package_token_server_is_conformant_through_its_token_url(
    token_server: str, server_credentials: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "verdicts.json"
    env = _vpc_env(server_credentials)
    completed = suite(
        tmp_path, "run", "-q", "--seed", SEED, "--target", token_server, "--verdict-file", str(out), env=env
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-2000:]
    requirements = verdicts(out)["requirements"]
    assert {r for r, v in requirements.items() if v == "pass"} == TOKEN_REQUIREMENTS
    assert {v for r, v in requirements.items() if r not in TOKEN_REQUIREMENTS} == {"not applicable"}
    assert server_credentials["API_KEY_SECRET"] not in completed.stdout + completed.stderr


@pytest.mark.slow
def test_mismatched_credentials_fail_with_a_hint_to_set_vpc_variables(
    token_server: str, server_credentials: dict[str, str], tmp_path: Path
) -> None:
    completed = suite(tmp_path, "run", "-q", "--seed", SEED, "--target", token_server, "-m", "TOKEN-SIGNATURE")
    assert completed.returncode == 1, completed.stdout[-3000:]
    assert "Requirement: TOKEN-SIGNATURE (must)" in completed.stdout
    assert "set VPC_API_KEY_SID, VPC_API_KEY_SECRET" in completed.stdout


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("token-url:http://127.0.0.1:9/accessToken", "no {identity} placeholder"),
        ("token-url:ftp://example/x?identity={identity}", "expected token-url:http://"),
        ("token-url:http://127.0.0.1:9/accessToken?identity={identity}", "cannot connect"),
    ],
)
def test_an_unusable_token_url_is_a_one_line_usage_error(target: str, says: str, tmp_path: Path) -> None:
    completed = suite(tmp_path, "run", "-q", "--target", target)
    assert completed.returncode == 4
    assert says in completed.stderr
    assert "Traceback" not in completed.stderr + completed.stdout


# --- adapters in the vendor's own files ---------------------------------------------------------


@pytest.mark.slow
def test_an_out_of_tree_adapter_file_runs_with_any_http_client_through_loopback_fcm(tmp_path: Path) -> None:
    """The example vendor project pushes with urllib; loopback_fcm is what lets its pushes reach the suite."""
    out = tmp_path / "verdicts.json"
    adapter = VENDOR / "conformance" / "adapter.py"
    completed = suite(
        tmp_path,
        "run",
        "-q",
        "--seed",
        SEED,
        "--target",
        f"{adapter}:build",
        "-m",
        "PUSH-HIGH-PRIORITY or PUSH-ENVELOPE or LIMIT-TEN",
        "--verdict-file",
        str(out),
        env={"PYTHONPATH": str(VENDOR / "src")},
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-2000:]
    found = verdicts(out)["requirements"]
    assert found and set(found.values()) == {"pass"}


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (None, "there is no adapter file"),
        ("raise RuntimeError('misconfigured')\n", "raised RuntimeError: misconfigured"),
        ("build = 3\n", "has no callable 'build'"),
    ],
)
def test_a_broken_adapter_file_is_a_one_line_usage_error(content: str | None, says: str, tmp_path: Path) -> None:
    adapter = tmp_path / "my_adapter.py"
    if content is not None:
        adapter.write_text(content, encoding="utf-8")
    completed = suite(tmp_path, "run", "-q", "--target", "my_adapter.py:build")
    assert completed.returncode == 4
    assert says in completed.stderr
    assert "Traceback" not in completed.stderr + completed.stdout


# --- the terminal -------------------------------------------------------------------------------


def test_a_failure_reads_as_scenario_requirement_and_step_without_internals(tmp_path: Path) -> None:
    args = ("run", "-q", "--seed", SEED, "--target", "mutant:token-wrong-secret", "-m", "TOKEN-SIGNATURE")
    completed = suite(tmp_path, *args)
    assert completed.returncode == 1
    header = next(line for line in completed.stdout.splitlines() if line.startswith("_"))
    assert "The signature verifies with the API key secret — TOKEN-SIGNATURE (must)" in header
    assert "Failed step: Then the token signature verifies with the configured API key secret under HS256" in (
        completed.stdout
    )
    assert "_pytest" not in completed.stdout and "pytest_bdd" not in completed.stdout
    long = suite(tmp_path, *args, "--tb=long")
    assert "_pytest" in long.stdout  # the internals are there when asked for


def test_requirement_ids_select_scenarios_with_m_and_k(tmp_path: Path) -> None:
    by_marker = suite(tmp_path, "run", "-q", "--seed", SEED, "-m", "TOKEN-SIGNATURE")
    assert by_marker.returncode == 0 and "1 passed" in by_marker.stdout, by_marker.stdout[-2000:]
    by_keyword = suite(tmp_path, "run", "-q", "--seed", SEED, "-k", "TOKEN-ISSUER-SUBJECT")
    assert by_keyword.returncode == 0 and "1 passed" in by_keyword.stdout, by_keyword.stdout[-2000:]


def test_the_end_of_a_run_lists_the_report_files(tmp_path: Path) -> None:
    completed = suite(tmp_path, "run", "-q", "-m", "TOKEN-HEADER", "--report-dir", "out", "--verdict-file", "v.json")
    assert completed.returncode == 0
    assert "reports: out/report.json, out/report.html, out/junit.xml, out/cucumber.json, v.json" in completed.stdout
    assert (tmp_path / "out" / "report.html").is_file()


# --- the command ----------------------------------------------------------------------------


def test_the_command_lists_its_subcommands_and_refuses_unknown_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    shown = capsys.readouterr().out
    assert all(name in shown for name in ("run", "serve-reference", "coverage"))
    assert cli.main([]) == cli.USAGE_ERROR
    assert cli.main(["frobnicate"]) == cli.USAGE_ERROR
    assert "unknown command 'frobnicate'" in capsys.readouterr().err


def test_coverage_prints_every_requirement(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["coverage"]) == 0
    shown = capsys.readouterr().out
    assert "TOKEN-SIGNATURE [MUST, source]" in shown
    assert "clauses: " in shown
