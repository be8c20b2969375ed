"""Collection checks: tags against the catalogue, and a certification run's full selection."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from voice_push_conformance.judging import catalogue, features
from voice_push_conformance.plugin.marks import level_of, requirements_of, scenario_counts
from voice_push_conformance.plugin.settings import RUN


def pytest_bdd_apply_tag(tag: str, function: Callable[..., object]) -> bool | None:
    """Requirement ids become ``requirement`` marks; unknown ids stop collection."""
    if catalogue.REQUIREMENT_TAG.match(tag):
        known = catalogue.load()
        if tag not in known:
            raise catalogue.CatalogueError(f"scenario tag @{tag} names no requirement in requirements.toml")
        pytest.mark.requirement(tag)(function)
        return True
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A scenario's level tag must agree with the level its requirement has in the catalogue."""
    known = catalogue.load()
    problems = []
    for item in items:
        for req in requirements_of(item):
            level = level_of(item)
            if level != known[req].level:
                problems.append(f"{item.nodeid}: tagged {level}, but {req} is {known[req].level}")
    if problems:
        raise pytest.UsageError("scenario levels disagree with the catalogue:\n  " + "\n  ".join(problems))
    if any(requirements_of(item) for item in items):
        checked = {req for f in features.load_all() for s in f.scenarios for req in s.requirements}
        missing = sorted(r.id for r in known.values() if r.id not in checked and r.untestable is None)
        if missing:
            raise pytest.UsageError(
                "requirements with no scenario and no recorded reason ('untestable' in requirements.toml): "
                + ", ".join(missing)
            )


def pytest_collection_finish(session: pytest.Session) -> None:
    """A certification run refuses any way of collecting fewer scenarios than the features hold."""
    run = session.config.stash.get(RUN, None)
    if run is None or not run.certify:
        return
    collected = sum(1 for item in session.items if requirements_of(item))
    held = sum(scenario_counts().values())
    if collected < held:
        raise pytest.UsageError(
            f"a certification run (--certify) runs every scenario, but this selection collected {collected} "
            f"of {held}; run the whole steps directory without selecting"
        )
