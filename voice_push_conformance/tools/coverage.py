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
from dataclasses import dataclass

from voice_push_conformance.judging import catalogue, features


@dataclass(frozen=True)
class ClauseCoverage:
    """How many source clauses have a scenario, are untestable (and why) or are not covered."""

    total: int
    covered: tuple[str, ...]
    untestable: tuple[tuple[str, str], ...]  # (clause id, why)
    uncovered: tuple[str, ...]

    def summary(self) -> str:
        line = f"clauses: {len(self.covered)} of {self.total} covered; {len(self.untestable)} untestable"
        if self.untestable:
            line += ": " + "; ".join(f"{cid} ({why.split(':')[0].split('.')[0]})" for cid, why in self.untestable)
        if self.uncovered:
            line += f"; {len(self.uncovered)} NOT covered: {', '.join(self.uncovered)}"
        return line


def scenarios_by_requirement() -> dict[str, list[str]]:
    """Requirement id -> "area: scenario name" of every scenario tagged with it."""
    table: dict[str, list[str]] = {req: [] for req in catalogue.load()}
    for feature in features.load_all():
        for scenario in feature.scenarios:
            for req in scenario.requirements:
                table.setdefault(req, []).append(f"{feature.area}: {scenario.name}")
    return table


def clause_coverage() -> ClauseCoverage:
    """Sorts every clause of clauses.toml into covered, untestable and uncovered."""
    checked = {req for req, found in scenarios_by_requirement().items() if found}
    covered, untestable, uncovered = [], [], []
    for clause in catalogue.clauses().values():
        if clause.untestable is not None:
            untestable.append((clause.id, clause.untestable))
        elif any(req in checked for req in clause.requirements):
            covered.append(clause.id)
        else:
            uncovered.append(clause.id)
    return ClauseCoverage(len(catalogue.clauses()), tuple(covered), tuple(untestable), tuple(uncovered))


def traceability_problems() -> list[str]:
    """Every way requirements.toml and clauses.toml disagree about who covers what."""
    known = catalogue.load()
    clauses = catalogue.clauses()
    problems = []
    for clause in clauses.values():
        for req in clause.requirements:
            if req not in known:
                problems.append(f"{clause.id} names unknown requirement {req}")
            elif clause.id not in known[req].clauses:
                problems.append(f"{clause.id} names {req}, but {req} does not name {clause.id}")
    for entry in known.values():
        for cid in entry.clauses:
            if cid not in clauses:
                problems.append(f"{entry.id} names unknown clause {cid}")
            elif entry.id not in clauses[cid].requirements:
                problems.append(f"{entry.id} names {cid}, but {cid} does not name {entry.id}")
    return sorted(problems)


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
