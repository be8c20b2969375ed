"""Traceability as data: which scenarios check each requirement, which source clauses are
covered, and where requirements.toml and clauses.toml disagree. The reports and the
coverage command both read it from here."""

from __future__ import annotations

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
