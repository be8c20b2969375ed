"""Candidates that misbehave on the wire get the verdict they earned, never a crash or a hang.

Each case serves the reference over HTTP with one endpoint broken in one way, runs some
scenarios against it, and checks the verdict: an implementation failure whose message names
what happened, a note for what the suite does not judge (closing a session), a tolerated
refusal (an oversized header refused by the web server), or "could not run" when the
server dies.
"""

from __future__ import annotations

import io
import json
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
from werkzeug.serving import BaseWSGIServer, make_server

from tests.helpers import SuiteRun, run_suite
from voice_push_conformance.bindings import connection
from voice_push_conformance.bindings.http_server import create_app
from voice_push_conformance.paths import SCHEMAS

StartResponse = Callable[..., Any]
CALLS = "/conformance/v1/calls"
SESSIONS = "/conformance/v1/sessions"
REGISTRATIONS = "/v1/registrations"
SCENARIO = "dialled_parameters_reach_the_push and plain-ascii"
HUGE_TOKEN = "huge-token and not device"  # the scenario of the 20 000-byte X-Twilio-Token vector


class Faulty:
    """WSGI middleware: the reference, except that ``method path`` misbehaves as ``mode`` says.

    A ``path`` ending in ``/`` matches every path under it.
    """

    def __init__(self, mode: str, path: str, method: str = "POST") -> None:
        self.app = create_app()
        self.mode = mode
        self.path = path
        self.method = method
        self.release = threading.Event()
        self.sessions: list[Any] = []  # the bodies of every POST /conformance/v1/sessions
        self.server: BaseWSGIServer | None = None
        self.dead = False

    def _matches(self, environ: dict[str, Any]) -> bool:
        path = str(environ.get("PATH_INFO"))
        hit = path.startswith(self.path) if self.path.endswith("/") else path == self.path
        return hit and environ.get("REQUEST_METHOD") == self.method

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == SESSIONS and environ.get("REQUEST_METHOD") == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            raw = environ["wsgi.input"].read(length)
            self.sessions.append(json.loads(raw))
            environ["wsgi.input"] = io.BytesIO(raw)  # read again by the app
        if self.mode == "dies-at-session-3" and (self.dead or len(self.sessions) >= 3):
            return self._die(environ)
        if not self._matches(environ):
            return self.app(environ, start_response)
        if self.mode == "server-error":
            start_response("500 INTERNAL SERVER ERROR", [("Content-Type", "text/plain")])
            return [b"boom"]
        if self.mode == "html-instead-of-json":
            start_response("200 OK", [("Content-Type", "text/html")])
            return [b"<html><body>maintenance</body></html>"]
        if self.mode == "no-location":
            start_response("201 CREATED", [("Content-Type", "application/json")])
            return [b'{"status": "registered"}']
        if self.mode == "hang":
            self.release.wait(30)  # released when the test ends; the suite gives up long before
            start_response("200 OK", [("Content-Type", "application/json")])
            return [b"{}"]
        if self.mode == "cut-mid-response":
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "400")])
            return self._cut()
        if self.mode in {"header-too-large-413", "header-too-large-431"}:
            if len(environ.get("HTTP_X_TWILIO_TOKEN", "")) <= 8_192:
                return self.app(environ, start_response)
            # As nginx or Node answer an oversized header: a plain status, no JSON error body.
            status = "413 CONTENT TOO LARGE" if self.mode.endswith("413") else "431 REQUEST HEADER FIELDS TOO LARGE"
            start_response(status, [("Content-Type", "text/html")])
            return [b"<html><body>Request Header Or Cookie Too Large</body></html>"]
        raise AssertionError(f"unknown mode {self.mode}")

    def _die(self, environ: dict[str, Any]) -> Iterable[bytes]:
        """The process is gone: stop listening, and drop this connection without an answer."""
        if not self.dead and self.server is not None:
            self.dead = True
            server = self.server

            def stop() -> None:
                server.shutdown()
                server.server_close()

            threading.Thread(target=stop, daemon=True).start()
        environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)
        raise ConnectionAbortedError("the server died")

    @staticmethod
    def _cut() -> Iterator[bytes]:
        yield b'{"accepted": tr'
        raise ConnectionAbortedError("closing mid-response on purpose")


def run_against(app: Faulty, *extra: str) -> SuiteRun:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.server = server
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        return run_suite(
            "-p",
            "no:randomly",
            "--seed",
            "3",
            "--target",
            f"http://127.0.0.1:{server.server_port}",
            *extra,
            timeout=120,
        )
    finally:
        app.release.set()
        if not app.dead:
            server.shutdown()
            server.server_close()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("mode", "path", "scenario", "expected"),
    [
        pytest.param("server-error", CALLS, SCENARIO, "expected HTTP (200,), got 500", id="5xx"),
        pytest.param("html-instead-of-json", CALLS, SCENARIO, "expected JSON, got 200 'text/html'", id="invalid-json"),
        pytest.param("no-location", REGISTRATIONS, SCENARIO, "without a Location header", id="no-location"),
        pytest.param("hang", CALLS, SCENARIO, "no answer within 0.5 s", id="timeout"),
        pytest.param("cut-mid-response", CALLS, SCENARIO, "placing a call", id="closed-mid-response"),
    ],
)
def test_a_faulty_candidate_fails_with_a_clear_message(mode: str, path: str, scenario: str, expected: str) -> None:
    completed = run_against(Faulty(mode, path), "--http-timeout", "0.5", "-k", scenario)
    output = completed.stdout + completed.stderr
    assert "INTERNALERROR" not in output, output[-3000:]
    assert completed.returncode == 1, f"exit {completed.returncode}\n{output[-3000:]}"
    assert "1 failed" in completed.stdout, output[-3000:]
    assert expected in output, output[-3000:]


@pytest.mark.slow
def test_an_unreachable_target_is_one_clear_line_and_exit_4() -> None:
    completed = run_suite("--target", "http://127.0.0.1:9", timeout=60)
    assert completed.returncode == 4
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    assert lines == [
        "ERROR: target 'http://127.0.0.1:9' could not be used: cannot connect to http://127.0.0.1:9: "
        "is the server running?"
    ], completed.stderr


def _session_request_schema() -> dict[str, Any]:
    document = json.loads((SCHEMAS / "harness-openapi.json").read_text(encoding="utf-8"))
    return {"$ref": "#/components/schemas/SessionRequest", "components": document["components"]}


@pytest.mark.slow
def test_the_suite_opens_one_valid_loopback_session_per_scenario_and_no_probe() -> None:
    """Before the scenarios the suite only reads the capabilities: no undocumented session."""
    app = Faulty("none", "/never-matched")
    completed = run_against(app, "-k", SCENARIO)
    assert completed.returncode == 0, completed.stdout[-3000:]
    # Only URLs in the messages: a session body carries the run's secrets.
    urls = [{k: v for k, v in body.items() if k != "credentials"} for body in app.sessions]
    assert len(app.sessions) == 1, f"{len(app.sessions)} sessions for one scenario: {urls}"
    body = app.sessions[0]
    problems = sorted(e.message for e in jsonschema.Draft202012Validator(_session_request_schema()).iter_errors(body))
    assert not problems, f"the session request does not match the published schema: {problems} in {urls[0]}"
    schema = json.loads((SCHEMAS / "harness-openapi.json").read_text(encoding="utf-8"))
    uri_members = [
        name
        for name, spec in schema["components"]["schemas"]["SessionRequest"]["properties"].items()
        if spec.get("format") == "uri"
    ]
    assert uri_members, "the published schema names no URL member"
    for name in uri_members:
        parts = urlsplit(body[name])
        assert parts.scheme == "http" and parts.hostname == "127.0.0.1", f"{name} is not a loopback URL: {body[name]}"


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["server-error", "hang"])
def test_a_failing_session_delete_is_a_note_not_a_verdict(mode: str, tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    completed = run_against(
        Faulty(mode, f"{SESSIONS}/", method="DELETE"),
        "--http-timeout",
        "0.5",
        "-k",
        SCENARIO,
        "--junitxml",
        str(junit),
    )
    output = completed.stdout + completed.stderr
    assert "INTERNALERROR" not in output, output[-3000:]
    assert completed.returncode == 0, f"exit {completed.returncode}\n{output[-3000:]}"
    assert "1 passed" in completed.stdout, output[-3000:]
    assert "notes (not verdicts)" in completed.stdout, output[-3000:]
    expected = "answered 500" if mode == "server-error" else "no answer within 0.5 s"
    assert "closing harness session" in completed.stdout and expected in completed.stdout, output[-3000:]
    assert 'name="vpc_notes"' in junit.read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_server_that_dies_mid_run_stops_the_run_as_could_not_run(tmp_path: Path) -> None:
    verdict_file = tmp_path / "verdicts.json"
    completed = run_against(Faulty("dies-at-session-3", "/never-matched"), "--verdict-file", str(verdict_file))
    output = completed.stdout + completed.stderr
    assert "INTERNALERROR" not in output, output[-3000:]
    assert completed.returncode == 3, f"exit {completed.returncode}\n{output[-3000:]}"
    assert "claim: could not run" in completed.stdout, output[-3000:]
    assert f"{connection.MAX_CONNECTION_FAILURES} connection attempts in a row failed" in completed.stdout
    scenarios = json.loads(verdict_file.read_text(encoding="utf-8"))["scenarios"]
    verdicts = [entry["verdict"] for entry in scenarios.values()]
    # Two scenarios passed before the death; the ones that met it are errors; none is judged failed.
    assert verdicts.count("pass") == 2 and "fail" not in verdicts, scenarios
    assert 1 <= verdicts.count("error") <= connection.MAX_CONNECTION_FAILURES, scenarios
    not_run = [line for line in completed.stdout.splitlines() if line.startswith("  not run: ")]
    assert len(not_run) > 100 and not any(line.removeprefix("  not run: ") in scenarios for line in not_run)


@pytest.mark.slow
@pytest.mark.parametrize("status", ["413", "431"])
def test_an_oversized_token_refused_by_the_web_server_is_refused(status: str, tmp_path: Path) -> None:
    verdict_file = tmp_path / "verdicts.json"
    completed = run_against(
        Faulty(f"header-too-large-{status}", REGISTRATIONS), "-k", HUGE_TOKEN, "--verdict-file", str(verdict_file)
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, f"exit {completed.returncode}\n{output[-3000:]}"
    requirements = json.loads(verdict_file.read_text(encoding="utf-8"))["requirements"]
    # The vector is a security-baseline case with no documented error code, so only the refusal is judged.
    assert requirements == {"REG-BAD-TOKEN-BASELINE": "pass"}, requirements
