"""The tolerance matrix: run the suite against every legitimate variant; none may be failed.

A variant (``voice_push_conformance/variants/``) is a correct implementation that differs
from the reference where the source allows it. Each must be judged conformant with every
requirement passing (or not applicable). A warning or informative verdict is accepted
only where the variant documents why it is justified; a failure or error never is. Any
other verdict is a *false failure* of the suite and makes this command exit non-zero.

    python -m voice_push_conformance.tools.tolerance [--jobs N] [--only NAME ...] [--no-fork]
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from voice_push_conformance import variants
from voice_push_conformance.tools.runs import SuiteRun, matrix_parser, run_suites, selected

CLEAN = {"pass", "not applicable"}
NEVER_JUSTIFIED = {"fail", "error"}


@dataclass(frozen=True)
class ToleranceRow:
    """One variant's run: any non-pass it got and whether the variant justifies it."""

    variant: str
    allowed_by: str
    findings: tuple[tuple[str, str], ...]  # (requirement, verdict) not clean
    unjustified: tuple[tuple[str, str], ...]
    error: str | None
    seconds: float

    @property
    def tolerated(self) -> bool:
        return self.error is None and not self.unjustified


def judge(run: SuiteRun) -> ToleranceRow:
    """Which of a variant's verdicts are false failures of the suite."""
    entry = variants.get(run.key)
    if run.verdicts is None:
        return ToleranceRow(run.key, entry.allowed_by, (), (), "the run produced no verdicts: " + run.log_tail, 0.0)
    findings = tuple(sorted((req, v) for req, v in run.verdicts.items() if v not in CLEAN))
    unjustified = tuple((req, v) for req, v in findings if v in NEVER_JUSTIFIED or req not in entry.tolerated)
    return ToleranceRow(run.key, entry.allowed_by, findings, unjustified, None, run.seconds)


def render(rows: Iterable[ToleranceRow]) -> str:
    """The tolerance table: legitimate variants that must not be failed."""
    rows = sorted(rows, key=lambda r: r.variant)
    width = max((len(r.variant) for r in rows), default=10)
    lines = [f"{'variant':<{width}}  {'verdict':<22} findings (requirement: verdict)"]
    for row in rows:
        if row.error is not None:
            verdict = "ERROR"
        elif row.unjustified:
            verdict = "FALSE FAILURE"
        elif row.findings:
            verdict = "tolerated (justified)"
        else:
            verdict = "conformant"
        found = ", ".join(f"{req}: {v}" for req, v in row.findings) or (row.error or "-")
        lines.append(f"{row.variant:<{width}}  {verdict:<22} {found}")
    lines.append("")
    for row in rows:
        for req, verdict in row.findings:
            if (req, verdict) not in row.unjustified:
                why = variants.get(row.variant).tolerated[req]
                lines.append(f"justified: {row.variant} {req} {verdict}: {why}")
    bad = [r.variant for r in rows if not r.tolerated]
    lines.append(f"{len(rows)} variants, {len(rows) - len(bad)} judged conformant, {len(bad)} falsely failed")
    if bad:
        lines.append("false failures: " + ", ".join(bad))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: run every (or the named) variant and fail on a false failure."""
    parser = matrix_parser(__doc__, "variant")
    args = parser.parse_args(argv)
    names = selected(parser, args.only, variants.CATALOGUE, "variant")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        runs = [(name, variants.get(name).target) for name in names]
        rows = [judge(run) for run in run_suites(runs, Path(tmp), args.jobs, fork=not args.no_fork)]
    print(render(rows))
    print(f"({time.perf_counter() - started:.1f} s with {args.jobs} jobs)")
    return 0 if all(r.tolerated for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
