"""What a collected scenario's tags and the feature files say: requirements, level, counts."""

from __future__ import annotations

from collections import defaultdict

import pytest

from voice_push_conformance.judging import catalogue, features


def level_of(item: pytest.Item) -> str | None:
    """The scenario's level tag (must, should, informative), if it has one."""
    return next((lvl for lvl in catalogue.LEVELS if item.get_closest_marker(lvl)), None)


def requirements_of(item: pytest.Item) -> tuple[str, ...]:
    """The requirement ids a scenario is tagged with; empty for anything that is not a scenario."""
    return tuple(str(m.args[0]) for m in item.iter_markers("requirement"))


def scenario_counts() -> dict[str, int]:
    """Requirement id -> how many scenarios (outline rows included) the features hold for it."""
    counts: dict[str, int] = defaultdict(int)
    for feature in features.load_all():
        for scenario in feature.scenarios:
            for req in scenario.requirements:
                counts[req] += max(1, len(scenario.examples))
    return counts
