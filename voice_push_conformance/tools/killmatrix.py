"""The kill matrix: run the suite against every mutant and show which requirements failed.

Each mutant breaks one documented rule; the suite must report that rule's requirement
as failed (MUST), warned (SHOULD) or informative. A mutant the suite does not catch is a
*survivor*, and a MUST/SHOULD requirement that no mutant breaks is *unproven*: both mean
a scenario might be unable to fail, and both make this command exit non-zero.

    python -m voice_push_conformance.tools.killmatrix [--jobs N] [--only NAME ...] [--target-prefix reference-http:]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from voice_push_conformance import mutants
from voice_push_conformance.judging import catalogue
from voice_push_conformance.paths import ROOT

EXPECTED = {"must": "fail", "should": "warn", "informative": "informative"}
SEED = "20261125"


@dataclass(frozen=True)
class Row:
    """One mutant's run: the requirement it should break and the verdict it got."""

    mutant: str
    breaks: str
    expected: str
    got: str
    collateral: tuple[str, ...]  # other requirements that did not pass
    seconds: float

    @property
    def killed(self) -> bool:
        return self.got == self.expected


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


def _row(run: SuiteRun) -> Row:
    mutant = mutants.get(run.key)
    expected = EXPECTED[catalogue.load()[mutant.breaks].level]
    if run.verdicts is None:
        return Row(run.key, mutant.breaks, expected, "error: " + run.log_tail, (), run.seconds)
    verdicts = run.verdicts
    collateral = tuple(sorted(r for r, v in verdicts.items() if v != "pass" and r != mutant.breaks))
    return Row(run.key, mutant.breaks, expected, verdicts.get(mutant.breaks, "not run"), collateral, run.seconds)


def run_mutant(name: str, target_prefix: str, workdir: Path) -> Row:
    """One mutant in a fresh Python process."""
    return _row(run_suite(name, f"{target_prefix}mutant:{name}", workdir))


def run_forked(names: list[str], target_prefix: str, workdir: Path, jobs: int) -> list[Row]:
    """Every mutant in a forked child (see :func:`run_suite_forked`)."""
    runs = [(name, f"{target_prefix}mutant:{name}") for name in names]
    return [_row(run) for run in run_suite_forked(runs, workdir, jobs)]


def unproven() -> list[str]:
    """MUST and SHOULD requirements with no mutant, so no check of theirs is proven to fail."""
    broken = {m.breaks for m in mutants.CATALOGUE.values()}
    return sorted(
        r.id
        for r in catalogue.load().values()
        if r.level in {"must", "should"} and r.untestable is None and r.id not in broken
    )


def render(rows: Iterable[Row], missing: list[str]) -> str:
    """The kill matrix as a table, survivors and unproven requirements listed after it."""
    rows = sorted(rows, key=lambda r: (r.breaks, r.mutant))
    width = max((len(r.mutant) for r in rows), default=10)
    lines = [f"{'mutant':<{width}}  {'breaks':<22} {'verdict':<12} other requirements not passing"]
    for row in rows:
        mark = "killed" if row.killed else "SURVIVED"
        verdict = f"{row.got} ({mark})" if row.killed else f"{row.got} != {row.expected} ({mark})"
        lines.append(f"{row.mutant:<{width}}  {row.breaks:<22} {verdict:<12} {', '.join(row.collateral) or '-'}")
    survivors = [r.mutant for r in rows if not r.killed]
    lines.append("")
    lines.append(f"{len(rows)} mutants, {len(rows) - len(survivors)} killed, {len(survivors)} survived")
    if survivors:
        lines.append("survivors: " + ", ".join(survivors))
    lines.append(
        "requirements no mutant breaks: " + (", ".join(missing) if missing else "none (every MUST/SHOULD is proven)")
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: run every (or the named) mutant; fail if one survives or a requirement has none."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--only", nargs="*", default=None, help="run only these mutants")
    parser.add_argument("--target-prefix", default="", help="e.g. 'reference-http:' to run the matrix over HTTP")
    parser.add_argument("--no-fork", action="store_true", help="one fresh Python process per mutant (slower)")
    args = parser.parse_args(argv)
    names = args.only or sorted(mutants.CATALOGUE)
    unknown = [n for n in names if n not in mutants.CATALOGUE]
    if unknown:
        parser.error(f"unknown mutants: {', '.join(unknown)}")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        runs = [(name, f"{args.target_prefix}mutant:{name}") for name in names]
        rows = [_row(run) for run in run_suites(runs, Path(tmp), args.jobs, fork=not args.no_fork)]
    missing = [] if args.only else unproven()
    print(render(rows, missing))
    print(f"({time.perf_counter() - started:.1f} s with {args.jobs} jobs)")
    return 1 if missing or any(not r.killed for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
