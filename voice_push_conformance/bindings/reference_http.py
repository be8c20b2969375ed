"""``--target reference-http``: the reference HTTP server started in a subprocess, and reached over HTTP."""

from __future__ import annotations

import subprocess
import sys
import tempfile

from voice_push_conformance.bindings.http_client import DEFAULT_TIMEOUT_S, HttpTarget, HttpTargetError


def spawn_reference_server(mutant: str | None = None, timeout_s: float = DEFAULT_TIMEOUT_S) -> HttpTarget:
    """Start the reference HTTP server on a free loopback port and connect to it."""
    command = [sys.executable, "-m", "voice_push_conformance.bindings.http_server", "--port", "0"]
    if mutant:
        command += ["--mutant", mutant]
    # stderr goes to a file, never a pipe nobody reads: a full pipe would block the server.
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - lives as long as the process
    process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        command, stdout=subprocess.PIPE, stderr=log, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line.startswith("listening on "):
        process.kill()
        process.wait(timeout=10)
        log.seek(0)
        raise HttpTargetError(f"the reference HTTP server did not start: {line or log.read().strip()[-500:]}")
    return HttpTarget(line.removeprefix("listening on "), timeout_s, process)
