"""Traceability self-tests: source clauses, requirement levels and profiles agree with each other.

A level is only as good as its reason: these checks make the catalogue say where each
level comes from, and fail when a core MUST has no source clause behind it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from voice_push_conformance import vectors
from voice_push_conformance.judging import catalogue, features
from voice_push_conformance.judging import coverage as traceability
from voice_push_conformance.tools import coverage

REQUIREMENTS = catalogue.load()
CLAUSES = catalogue.clauses()
WEAK_FORCES = {"recommendation", "proposal"}


def test_every_clause_is_covered_or_says_why_not() -> None:
    view = traceability.clause_coverage()
    assert not view.uncovered, f"clauses whose requirements no scenario checks: {view.uncovered}"
    assert len(view.covered) + len(view.untestable) == len(CLAUSES)
    for cid, why in view.untestable:
        assert len(why) >= 40, f"{cid}: the reason it is untestable is too thin: {why!r}"


def test_requirements_and_clauses_name_each_other() -> None:
    problems = traceability.traceability_problems()
    assert not problems, "\n".join(problems)


def test_no_core_must_lacks_a_source_clause() -> None:
    bad = [r.id for r in REQUIREMENTS.values() if r.core and r.level == "must" and not r.clauses]
    assert not bad, f"core-profile MUSTs with no source clause: {bad}"


def test_no_core_must_rests_only_on_a_recommendation() -> None:
    """'We recommend' and 'a proposal you can implement' are never a MUST of the core claim."""
    bad = [
        r.id
        for r in REQUIREMENTS.values()
        if r.core and r.level == "must" and all(CLAUSES[c].force in WEAK_FORCES for c in r.clauses)
    ]
    assert not bad, f"core MUSTs backed only by recommended or optional clauses: {bad}"


def test_suite_baselines_are_never_core_musts() -> None:
    bad = [r.id for r in REQUIREMENTS.values() if r.basis == "suite-baseline" and r.core and r.level == "must"]
    assert not bad, f"suite-baseline rules at MUST in a core profile: {bad}"


def test_interpretations_are_never_musts() -> None:
    """One reading of ambiguous words is at most recommended."""
    bad = [r.id for r in REQUIREMENTS.values() if r.basis == "interpretation" and r.level == "must"]
    assert not bad, f"MUSTs resting on the suite's interpretation: {bad}"


def test_every_requirement_has_a_level_reason_and_an_origin() -> None:
    for req in REQUIREMENTS.values():
        assert len(req.level_reason) >= 20, f"{req.id} does not say why it is {req.level}"
        assert req.clauses or req.standard, f"{req.id} names neither a source clause nor a standard"
        if req.basis == "external":
            assert req.standard, f"{req.id} is taken from another standard but does not name it"


def test_profiles_are_well_formed_and_used() -> None:
    names = [p.name for p in catalogue.PROFILES]
    assert len(names) == len(set(names))
    assert {p.kind for p in catalogue.PROFILES} == {"core", "optional"}
    grouped = catalogue.by_profile()
    assert list(grouped) == names
    assert sorted(r.id for members in grouped.values() for r in members) == sorted(REQUIREMENTS)
    unused = sorted(name for name, members in grouped.items() if not members)
    assert not unused, f"profiles no requirement belongs to: {unused}"


def test_the_workaround_profile_holds_every_late_rule() -> None:
    """The FAQ calls the late-notification workaround an optional proposal (FAQ-10.2)."""
    late = {r.id: r.profile for r in REQUIREMENTS.values() if r.id.startswith("LATE-")}
    assert late and set(late.values()) == {"late-notification-workaround"}, late


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        pytest.param({"level_reason": None}, "level_reason", id="no-level-reason"),
        pytest.param({"profile": "gold"}, "profile", id="unknown-profile"),
        pytest.param({"clauses": None, "standard": None}, "requirement/0", id="no-origin"),
        pytest.param({"basis": "external", "standard": None}, "standard", id="external-without-standard"),
    ],
)
def test_catalogue_schema_refuses_an_untraceable_requirement(
    tmp_path: Path, change: dict[str, Any], fragment: str
) -> None:
    entry: dict[str, Any] = {
        "id": "X-ONE",
        "level": "must",
        "profile": "voice-service",
        "basis": "source",
        "level_reason": "The source states it in so many words.",
        "clauses": ["FAQ-1.2"],
        "standard": "Some standard",
        "roles": ["service"],
        "statement": "Something the service does.",
    }
    for key, value in change.items():
        if value is None:
            entry.pop(key)
        else:
            entry[key] = value
    lines = ["[[requirement]]", *(f"{k} = {json.dumps(v)}" for k, v in entry.items())]
    lines.append('source = [{ title = "T t", url = "https://example.org", section = "s" }]')
    path = tmp_path / "requirements.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(catalogue.CatalogueError, match=fragment):
        catalogue.load.__wrapped__(path)


def test_coverage_view_prints_the_clause_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert coverage.main(["--summary"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"clauses: {len(CLAUSES) - 3} of {len(CLAUSES)} covered; 3 untestable: FAQ-3.1")


def test_twi_params_tables_show_the_vectors_literally() -> None:
    """The literal inputs and outputs in twi_params.feature are the vectors' own (one source of truth)."""
    feature = next(f for f in features.load_all() if f.area == "twi_params")
    rows = [row for scenario in feature.scenarios for row in scenario.examples]
    columns: dict[str, Callable[[dict[str, Any]], str]] = {
        "twi_params": lambda v: v["encoded"],
        "custom parameters": lambda v: json.dumps(v["decoded"], ensure_ascii=False),
        "documented 2.x map": lambda v: json.dumps(v["decoded"], ensure_ascii=False),
        "TwiML parameters": lambda v: json.dumps(dict(v["parameters"]), ensure_ascii=False),
    }
    problems = []
    checked = 0
    for row in rows:
        vector = vectors.get("twi_params", "twi-params-vectors", row["vector"])
        for column, expected in columns.items():
            if column in row:
                checked += 1
                if row[column] != expected(vector):
                    problems.append(
                        f"{row['vector']}: {column} shows {row[column]!r}, the vector says {expected(vector)!r}"
                    )
    assert checked > 40, f"only {checked} literal cells were compared"
    assert not problems, "\n".join(problems)
