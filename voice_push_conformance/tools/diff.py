"""Build-to-build diff: what changed between two reports of the same candidate.

    python -m voice_push_conformance.tools.diff last/report.json new/report.json

Lists the requirements that newly fail, newly pass, or otherwise changed verdict. The exit
status is the CI gate: 0 when nothing newly fails, 1 when something does, 4 on bad input.
"Fails" means a verdict that makes the run not conformant: fail, error or unexpected pass.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from voice_push_conformance.report.reader import OneLineParser, Report, ResultsError, load

EXIT_NO_NEW_FAILURES = 0
EXIT_NEW_FAILURES = 1
EXIT_USAGE = 4
FAILING = frozenset({"fail", "error", "unexpected pass"})


@dataclass(frozen=True)
class Change:
    """One requirement whose verdict differs between two reports."""

    requirement: str
    level: str
    before: str
    after: str


@dataclass(frozen=True)
class Diff:
    """Two reports compared: what newly fails, newly passes or otherwise changed."""

    newly_failing: tuple[Change, ...]
    newly_passing: tuple[Change, ...]
    changed: tuple[Change, ...]
    unchanged: int

    @property
    def exit_status(self) -> int:
        return EXIT_NEW_FAILURES if self.newly_failing else EXIT_NO_NEW_FAILURES


def diff(before: Report, after: Report) -> Diff:
    """Sort every requirement of either report into one bucket, by id."""
    failing: list[Change] = []
    passing: list[Change] = []
    changed: list[Change] = []
    unchanged = 0
    for req in sorted({r.id for r in before.requirements} | {r.id for r in after.requirements}):
        old, new = before.verdict(req), after.verdict(req)
        entry = after.requirement(req) or before.requirement(req)
        change = Change(req, entry.level if entry is not None else "", old, new)
        if old == new:
            unchanged += 1
        elif new in FAILING and old not in FAILING:
            failing.append(change)
        elif new == "pass":
            passing.append(change)
        else:
            changed.append(change)
    return Diff(tuple(failing), tuple(passing), tuple(changed), unchanged)


def render(result: Diff, before: Report, after: Report) -> str:
    """The diff as text, newly failing first, for a CI log."""
    lines = [f"before: {before.path} ({before.description}; {before.claim})"]
    lines.append(f"after:  {after.path} ({after.description}; {after.claim})")
    for title, changes in (
        ("newly failing", result.newly_failing),
        ("newly passing", result.newly_passing),
        ("changed verdict", result.changed),
    ):
        lines.append(f"{title}: {len(changes)}")
        lines += [f"  {c.requirement} [{c.level.upper()}]: {c.before} -> {c.after}" for c in changes]
    lines.append(f"unchanged: {result.unchanged}")
    lines.append("gate: " + ("NEW FAILURES" if result.newly_failing else "no new failures"))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: compare two builds' reports and exit non-zero on a new failure."""
    parser = OneLineParser(
        prog="python -m voice_push_conformance.tools.diff", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("before", type=Path, help="the last build's report.json (or its directory)")
    parser.add_argument("after", type=Path, help="this build's report.json (or its directory)")
    parser.add_argument("--json", type=Path, default=None, metavar="FILE", help="also write the diff as JSON")
    parser.add_argument(
        "--any-target", action="store_true", help="compare reports of different targets (default: refuse)"
    )
    args = parser.parse_args(argv)
    try:
        before, after = load(args.before), load(args.after)
    except ResultsError as exc:
        print(f"diff: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if before.target != after.target and not args.any_target:
        print(
            f"diff: the reports are of different targets ({before.target!r} and {after.target!r}); "
            "pass --any-target to compare them anyway",
            file=sys.stderr,
        )
        return EXIT_USAGE
    result = diff(before, after)
    print(render(result, before, after))
    if args.json is not None:
        document = {
            "before": str(before.path),
            "after": str(after.path),
            "newly_failing": [asdict(c) for c in result.newly_failing],
            "newly_passing": [asdict(c) for c in result.newly_passing],
            "changed": [asdict(c) for c in result.changed],
            "unchanged": result.unchanged,
            "exit_status": result.exit_status,
        }
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return result.exit_status


if __name__ == "__main__":
    raise SystemExit(main())
