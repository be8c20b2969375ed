"""The coverage view: source clauses -> requirements -> scenarios, straight from the files.

    python -m voice_push_conformance.tools.coverage            # everything, by profile
    python -m voice_push_conformance.tools.coverage --summary  # just the clause coverage line

A clause counts as covered when at least one requirement it names is checked by a scenario;
an untestable clause says why. Requirements and clauses name each other, and any
disagreement between the two lists is printed as a problem (and fails the self-tests).
"""

from __future__ import annotations

import argparse
import sys

from voice_push_conformance.judging import catalogue
from voice_push_conformance.judging.coverage import clause_coverage, scenarios_by_requirement, traceability_problems


def render() -> str:
    """The catalogue by profile, each requirement with its level, basis, clauses and scenarios."""
    known = catalogue.load()
    scenarios = scenarios_by_requirement()
    lines: list[str] = []
    for profile in catalogue.PROFILES:
        members = [r for r in known.values() if r.profile == profile.name]
        lines.append(f"== profile {profile.name} ({profile.kind}): {profile.description}")
        for req in members:
            anchor = ", ".join(req.clauses) or "-"
            lines.append(f"{req.id} [{req.level.upper()}, {req.basis}] {req.statement}")
            lines.append(f"    clauses: {anchor}" + (f"; standard: {req.standard}" if req.standard else ""))
            lines.append(f"    level: {req.level_reason}")
            for scenario in scenarios.get(req.id) or [f"(no scenario: {req.untestable or 'missing'})"]:
                lines.append(f"    - {scenario}")
        lines.append("")
    lines.append("== source clauses (clauses.toml)")
    for clause in catalogue.clauses().values():
        target = ", ".join(clause.requirements) if clause.requirements else f"untestable: {clause.untestable}"
        lines.append(f"{clause.id} [{clause.force}] {clause.summary} -> {target}")
    lines.append("")
    for problem in traceability_problems():
        lines.append(f"PROBLEM: {problem}")
    lines.append(clause_coverage().summary())
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: print the coverage listing or its one-line summary."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--summary", action="store_true", help="print only the clause coverage line")
    args = parser.parse_args(argv)
    try:
        text = clause_coverage().summary() if args.summary else render()
    except catalogue.CatalogueError as exc:
        print(f"error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 4
    print(text)
    return 1 if traceability_problems() or clause_coverage().uncovered else 0


if __name__ == "__main__":
    raise SystemExit(main())
