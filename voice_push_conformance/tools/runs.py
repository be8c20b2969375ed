"""Whole-suite runs in child processes, one verdict file each: what the kill matrix (mutants),
the tolerance matrix (variants) and their self-tests share.

Each run is ``pytest steps`` against one target under a fixed seed, so two runs of one
target agree, and a run's requirement verdicts are read back from its verdict file.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from voice_push_conformance.paths import ROOT

SEED = "20261125"


def _pytest_args(target: str, out: Path) -> list[str]:
    return [
        "steps", "-q", "-p", "no:hypothesispytest", "-p", "no:xdist", "--seed", SEED,
        "--target", target, "--verdict-file", str(out),
    ]  # fmt: skip


@dataclass(frozen=True)
class SuiteRun:
    """One whole-suite run against one target: its requirement verdicts, or why there are none."""

    key: str
    verdicts: dict[str, str] | None
    log_tail: str
    seconds: float


def _outcome(key: str, out: Path, seconds: float, log: str) -> SuiteRun:
    tail = " | ".join(log.strip().splitlines()[-5:])
    if not out.exists():
        return SuiteRun(key, None, tail, seconds)
    verdicts: dict[str, str] = json.loads(out.read_text(encoding="utf-8"))["requirements"]
    return SuiteRun(key, verdicts, tail, seconds)


def run_suite(key: str, target: str, workdir: Path) -> SuiteRun:
    """The suite against one target in a fresh Python process (portable, and what a vendor would run)."""
    out = workdir / f"{key}.json"
    started = time.perf_counter()
    completed = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "pytest", *_pytest_args(target, out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return _outcome(key, out, time.perf_counter() - started, completed.stdout + completed.stderr)


def run_suite_forked(runs: list[tuple[str, str]], workdir: Path, jobs: int) -> list[SuiteRun]:
    """Each (key, target) in a child forked from this process, which imported the heavy libraries once.

    Start-up is most of a run's cost; forking skips it. Children use plain asserts, because
    modules imported before pytest starts cannot be assertion-rewritten. Shared by the kill
    matrix and the tolerance matrix.
    """
    import pytest  # noqa: PLC0415

    import voice_push_conformance.pytest_plugin  # noqa: F401, PLC0415 - pre-import for the children
    from voice_push_conformance.plugin import collection, header, outputs, scenario  # noqa: F401, PLC0415

    os.chdir(ROOT)
    pending = list(runs)
    running: dict[int, tuple[str, float]] = {}
    outcomes: list[SuiteRun] = []
    while pending or running:
        while pending and len(running) < jobs:
            key, target = pending.pop(0)
            out = workdir / f"{key}.json"
            pid = os.fork()
            if pid == 0:  # the child: never returns
                code = 3
                try:
                    fd = os.open(workdir / f"{key}.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                    os.dup2(fd, 1)
                    os.dup2(fd, 2)
                    code = int(pytest.main([*_pytest_args(target, out), "--assert=plain"]))
                finally:
                    os._exit(code)
            running[pid] = (key, time.perf_counter())
        pid, _ = os.wait()
        key, started = running.pop(pid)
        log_text = (workdir / f"{key}.log").read_text(encoding="utf-8", errors="replace")
        outcomes.append(_outcome(key, workdir / f"{key}.json", time.perf_counter() - started, log_text))
        _progress(len(outcomes), len(runs), key)
    return outcomes


def _progress(done: int, total: int, key: str) -> None:
    """A line per finished run on stderr, so a run of minutes is never silent (the matrix goes to stdout)."""
    print(f"[{done}/{total}] {key}", file=sys.stderr, flush=True)


def run_suites(runs: list[tuple[str, str]], workdir: Path, jobs: int, *, fork: bool = True) -> list[SuiteRun]:
    """Forked where the platform allows it, else one fresh process per run."""
    if fork and hasattr(os, "fork"):
        return run_suite_forked(runs, workdir, jobs)
    finished: list[SuiteRun] = []

    def one(run: tuple[str, str]) -> SuiteRun:
        outcome = run_suite(run[0], run[1], workdir)
        finished.append(outcome)
        _progress(len(finished), len(runs), run[0])
        return outcome

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, runs))


def matrix_parser(description: str | None, kind: str) -> argparse.ArgumentParser:
    """The options both matrices take: --jobs, --only NAME..., --no-fork."""
    parser = argparse.ArgumentParser(description=(description or "").split("\n\n")[0] or None)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--only", nargs="*", default=None, help=f"run only these {kind}s")
    parser.add_argument("--no-fork", action="store_true", help=f"one fresh Python process per {kind} (slower)")
    return parser


def selected(parser: argparse.ArgumentParser, only: list[str] | None, known: Collection[str], kind: str) -> list[str]:
    """The names to run: all known, or the ones asked for (an unknown name is a usage error)."""
    names = only or sorted(known)
    unknown = [n for n in names if n not in known]
    if unknown:
        parser.error(f"unknown {kind}s: {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return names
