"""Shared helpers of the self-tests: one way to run the conformance suite in a subprocess.

Several self-tests judge whole runs (bindings agree, reports are honest, secrets never leak).
They used to build the `pytest steps` command line each in its own way; this helper is the
single place that knows how the suite is started and how its verdict file is read back.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voice_push_conformance.paths import ROOT

TAIL = 3000  # how much of stdout/stderr a failing assertion shows


@dataclass(frozen=True)
class SuiteRun:
    """What one subprocess run of the suite left behind, typed, for a test to assert on."""

    returncode: int
    stdout: str
    stderr: str
    verdicts: dict[str, Any] | None  # the parsed --verdict-file, None when not asked for or not written

    @property
    def output(self) -> str:
        """stdout then stderr, the way a person reading the terminal would see them."""
        return self.stdout + self.stderr

    def tail(self, size: int = TAIL) -> str:
        """The end of both streams, short enough for an assertion message."""
        return f"{self.stdout[-size:]}\n{self.stderr[-size:]}"

    def scenario_verdicts(self) -> dict[str, str]:
        """Node id → verdict, from the verdict file; fails plainly when the run wrote none."""
        assert self.verdicts is not None, f"the run wrote no verdict file\n{self.tail()}"
        return {nodeid: entry["verdict"] for nodeid, entry in self.verdicts["scenarios"].items()}


def run_suite(
    *args: str,
    paths: Sequence[str] = ("steps",),
    verdict_file: Path | None = None,
    env: Mapping[str, str] | None = None,
    quiet: bool = True,
    timeout: float = 300,
) -> SuiteRun:
    """Run `python -m pytest <paths> [-q] <args>` from the project root and read its verdict file.

    Output is decoded with `surrogateescape`, so `stdout.encode("utf-8", "surrogateescape")`
    gives back the exact bytes (the leak test scans bytes).
    """
    command = [sys.executable, "-m", "pytest", *paths, *(["-q"] if quiet else []), *args]
    if verdict_file is not None:
        command += ["--verdict-file", str(verdict_file)]
    completed = subprocess.run(
        command,
        cwd=ROOT,
        env=None if env is None else dict(env),
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    document = None
    if verdict_file is not None and verdict_file.exists():
        document = json.loads(verdict_file.read_text(encoding="utf-8"))
    return SuiteRun(
        returncode=completed.returncode,
        stdout=completed.stdout.decode("utf-8", "surrogateescape"),
        stderr=completed.stderr.decode("utf-8", "surrogateescape"),
        verdicts=document,
    )
