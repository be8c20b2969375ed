"""Stability mode: run the whole suite N times under one seed and report any scenario
whose verdict changes between runs.

A verdict that depends on luck (timing, ordering, state leaking between scenarios) is
worthless for certification. Every run is a fresh process with the same seed, so the
data is identical and any difference is a flake in the suite or the candidate.

    python -m voice_push_conformance.tools.stability --runs 5 -- --target reference-http
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from voice_push_conformance.paths import ROOT


def run_once(seed: str, extra: list[str], out: Path) -> dict[str, str]:
    """One whole run in a subprocess, as node id -> verdict."""
    command = [sys.executable, "-m", "pytest", "steps", "-q", "--seed", seed, "--verdict-file", str(out), *extra]
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    if not out.exists():
        raise RuntimeError(f"the run wrote no verdicts:\n{completed.stdout[-2000:]}\n{completed.stderr[-2000:]}")
    scenarios = json.loads(out.read_text(encoding="utf-8"))["scenarios"]
    return {nodeid: entry["verdict"] for nodeid, entry in scenarios.items()}


def flaky(runs: list[dict[str, str]]) -> dict[str, list[str]]:
    """Scenario → its verdict in each run, for every scenario that did not always agree."""
    nodeids = sorted(set().union(*runs))
    return {
        nodeid: [run.get(nodeid, "missing") for run in runs]
        for nodeid in nodeids
        if len({run.get(nodeid, "missing") for run in runs}) > 1
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: run the suite several times with one seed and list any flaky scenario."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="how many times to run the suite (default 5)")
    parser.add_argument("--seed", default="20261125", help="the seed every run uses")
    parser.add_argument("pytest_args", nargs="*", help="passed to pytest after '--'")
    args = parser.parse_args(argv)
    if args.runs < 2:
        parser.error("--runs must be at least 2")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.runs):
            verdicts = run_once(args.seed, args.pytest_args, Path(tmp) / f"run{n}.json")
            results.append(verdicts)
            print(f"run {n + 1}/{args.runs}: {len(verdicts)} scenarios", flush=True)
    found = flaky(results)
    print(
        f"stability: {args.runs} runs of {len(results[0])} scenarios, seed {args.seed}; flaky scenarios: {len(found)}"
    )
    for nodeid, seen in found.items():
        print(f"  FLAKY {nodeid}: {' / '.join(seen)}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
