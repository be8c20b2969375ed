"""Sanity checks of the suite itself: steps, tags, names, catalogue and mutant coverage.

pytest-bdd resolves an ambiguous step silently (the pattern that sorts last wins), and
drops a duplicate scenario name silently; these checks turn both into failures.
"""

from __future__ import annotations

import importlib
from collections import Counter

import pytest
from pytest_bdd.steps import StepFunctionContext, step_function_context_registry

from voice_push_conformance import mutants
from voice_push_conformance.judging import catalogue, features
from voice_push_conformance.target import CAPABILITIES, ROLES

FEATURES = features.load_all()
AREAS = [f.area for f in FEATURES]
ALLOWED_PLAIN_TAGS = set(catalogue.LEVELS) | set(ROLES) | set(CAPABILITIES)


def _definitions() -> dict[str, list[StepFunctionContext]]:
    """Step definitions by module, after importing every steps module."""
    for module in ["steps._common", *(f"steps.{area}" for area in AREAS)]:
        importlib.import_module(module)
    by_module: dict[str, list[StepFunctionContext]] = {}
    for context in list(step_function_context_registry.values()):
        module = context.step_func.__module__
        if module.startswith("steps."):
            by_module.setdefault(module, []).append(context)
    return by_module


DEFINITIONS = _definitions()


def _visible(area: str) -> list[StepFunctionContext]:
    return DEFINITIONS.get("steps._common", []) + DEFINITIONS.get(f"steps.{area}", [])


def _matches(context: StepFunctionContext, step: features.Step) -> bool:
    return context.type in (None, step.type) and context.parser.is_matching(step.text)


def _describe(context: StepFunctionContext) -> str:
    return f"{context.step_func.__module__}: {context.type} {context.parser.name!r}"


def test_every_feature_has_a_steps_module() -> None:
    missing = [area for area in AREAS if f"steps.{area}" not in DEFINITIONS]
    assert not missing, f"features without a steps module of the same name: {missing}"


@pytest.mark.parametrize("feature", FEATURES, ids=AREAS)
def test_every_step_matches_exactly_one_definition(feature: features.Feature) -> None:
    problems = []
    for scenario in feature.scenarios:
        for step in scenario.rendered_steps():
            found = [c for c in _visible(feature.area) if _matches(c, step)]
            if len(found) != 1:
                names = "; ".join(_describe(c) for c in found) or "none"
                problems.append(f"line {step.line} {step.type} {step.text!r} matches {len(found)}: {names}")
    assert not problems, "\n".join(problems)


def test_every_definition_is_used() -> None:
    used: set[int] = set()
    for feature in FEATURES:
        for scenario in feature.scenarios:
            for step in scenario.rendered_steps():
                used.update(id(c) for c in _visible(feature.area) if _matches(c, step))
    unused = [_describe(c) for defs in DEFINITIONS.values() for c in defs if id(c) not in used]
    assert not unused, "step definitions no feature uses:\n" + "\n".join(unused)


@pytest.mark.parametrize("feature", FEATURES, ids=AREAS)
def test_scenarios_carry_one_requirement_and_one_level(feature: features.Feature) -> None:
    known = catalogue.load()
    problems = []
    for scenario in feature.scenarios:
        where = f"{feature.area}:{scenario.line} {scenario.name!r}"
        if len(scenario.requirements) != 1:
            problems.append(f"{where} has requirement tags {scenario.requirements}; expected exactly one")
        if len(scenario.levels) != 1:
            problems.append(f"{where} has level tags {scenario.levels}; expected exactly one")
        for tag in scenario.tags:
            if tag not in ALLOWED_PLAIN_TAGS and tag not in known:
                problems.append(f"{where} has unknown tag @{tag}")
        for req in scenario.requirements:
            roles = {t for t in scenario.tags if t in ROLES}
            if req in known and not roles & set(known[req].roles):
                problems.append(f"{where} checks {req} ({known[req].roles}) but tags none of those roles")
    assert not problems, "\n".join(problems)


def test_scenario_names_are_unique_and_declarative() -> None:
    names = Counter(s.name for f in FEATURES for s in f.scenarios)
    duplicates = [name for name, count in names.items() if count > 1]
    assert not duplicates, f"scenario names used more than once (pytest-bdd keeps only one): {duplicates}"
    modal = [name for name in names if " should " in f" {name.lower()} "]
    assert not modal, f"scenario names state behaviour; they do not say 'should': {modal}"


@pytest.mark.parametrize("feature", FEATURES, ids=AREAS)
def test_features_describe_the_rule_and_cite_a_source(feature: features.Feature) -> None:
    assert len(feature.description) > 200, f"{feature.area} needs a description of the documented rule"
    assert "https://" in feature.description, f"{feature.area} description names no source document"


def test_every_requirement_has_a_scenario_or_a_reason() -> None:
    checked = {req for f in FEATURES for s in f.scenarios for req in s.requirements}
    missing = [r.id for r in catalogue.load().values() if r.id not in checked and r.untestable is None]
    assert not missing, f"requirements with no scenario and no 'untestable' reason: {missing}"


def test_every_must_and_should_requirement_has_a_mutant() -> None:
    killed = {m.breaks for m in mutants.CATALOGUE.values()}
    missing = [
        r.id
        for r in catalogue.load().values()
        if r.level in {"must", "should"} and r.untestable is None and r.id not in killed
    ]
    assert not missing, f"requirements no mutant breaks (so nothing proves their scenarios can fail): {missing}"


def test_every_mutant_area_matches_a_feature() -> None:
    stray = [area for area in mutants.AREAS if area not in AREAS]
    assert not stray, f"mutant areas without a feature of the same name: {stray}"


def test_every_twi_params_vector_is_used_by_the_feature() -> None:
    from voice_push_conformance import vectors  # noqa: PLC0415

    unused = features.unused_ids("twi_params", vectors.twi_params_vectors())
    assert not unused, f"twi_params vectors no scenario uses: {unused}"
