"""The kill matrix: run the suite against every mutant and show which requirements failed.

Each mutant breaks one documented rule; the suite must report that rule's requirement
as failed (MUST), warned (SHOULD) or informative. A mutant the suite does not catch is a
*survivor*, and a MUST/SHOULD requirement that no mutant breaks is *unproven*: both mean
a scenario might be unable to fail, and both make this command exit non-zero.

    python -m voice_push_conformance.tools.killmatrix [--jobs N] [--only NAME ...] [--target-prefix reference-http:]
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from voice_push_conformance import mutants
from voice_push_conformance.judging import catalogue
from voice_push_conformance.tools.runs import SuiteRun, matrix_parser, run_suite, run_suites, selected

EXPECTED = {"must": "fail", "should": "warn", "informative": "informative"}


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
    parser = matrix_parser(__doc__, "mutant")
    parser.add_argument("--target-prefix", default="", help="e.g. 'reference-http:' to run the matrix over HTTP")
    args = parser.parse_args(argv)
    names = selected(parser, args.only, mutants.CATALOGUE, "mutant")
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
