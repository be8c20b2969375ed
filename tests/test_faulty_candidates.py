"""Candidates that misbehave on the wire get a clear failure, never a crash or a hang.

Each case serves the reference over HTTP with one endpoint broken in one way, runs one
scenario against it, and checks the verdict is an implementation failure whose message
names what happened.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server

from voice_push_conformance.http_server import create_app
from voice_push_conformance.paths import ROOT

StartResponse = Callable[..., Any]
CALLS = "/conformance/v1/calls"
REGISTRATIONS = "/v1/registrations"
SCENARIO = "dialled_parameters_reach_the_push and plain-ascii"


class Faulty:
    """WSGI middleware: the reference, except that ``path`` misbehaves as ``mode`` says."""

    def __init__(self, mode: str, path: str) -> None:
        self.app = create_app()
        self.mode = mode
        self.path = path
        self.release = threading.Event()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != self.path or environ.get("REQUEST_METHOD") != "POST":
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
        raise AssertionError(f"unknown mode {self.mode}")

    @staticmethod
    def _cut() -> Iterator[bytes]:
        yield b'{"accepted": tr'
        raise ConnectionAbortedError("closing mid-response on purpose")


def run_against(app: Faulty, *extra: str) -> subprocess.CompletedProcess[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "steps",
                "-q",
                "-p",
                "no:randomly",
                "--seed",
                "3",
                "--target",
                f"http://127.0.0.1:{server.server_port}",
                *extra,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        app.release.set()
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
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "steps", "-q", "--target", "http://127.0.0.1:9"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 4
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    assert lines == [
        "ERROR: target 'http://127.0.0.1:9' could not be used: cannot connect to http://127.0.0.1:9: "
        "is the server running?"
    ], completed.stderr
