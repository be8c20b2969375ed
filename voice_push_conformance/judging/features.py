"""A small typed model of the feature files, parsed with the official Gherkin parser.

Used by the self-tests (step matching, tags, coverage) and by reports that list which
scenarios check which requirement; never maintained by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, cast

from gherkin.parser import Parser
from gherkin.token_scanner import TokenScanner

from voice_push_conformance.judging.catalogue import LEVELS, REQUIREMENT_TAG
from voice_push_conformance.paths import FEATURES

_KEYWORD_TYPES = {"Context": "given", "Action": "when", "Outcome": "then"}


@dataclass(frozen=True)
class Step:
    """One Gherkin step as written, for the self-checks that read features without pytest-bdd."""

    type: str  # given | when | then (conjunctions resolved)
    text: str  # with outline placeholders substituted
    line: int


@dataclass(frozen=True)
class Scenario:
    """One scenario with its tags, steps and examples, as the sanity checks and reports need it."""

    feature: str  # area name, e.g. "access_token"
    name: str
    line: int
    tags: tuple[str, ...]
    steps: tuple[Step, ...]  # background steps first
    examples: tuple[dict[str, str], ...]  # one dict per Examples row; () for plain scenarios
    rule: str = ""  # the Rule: block the scenario sits in, if any
    description: str = ""  # the prose under the title: readings of an ambiguity, or why a level

    @property
    def requirements(self) -> tuple[str, ...]:
        return tuple(t for t in self.tags if REQUIREMENT_TAG.match(t))

    @property
    def levels(self) -> tuple[str, ...]:
        return tuple(t for t in self.tags if t in LEVELS)

    def rendered_steps(self) -> list[Step]:
        """Every step as it runs: once per Examples row, placeholders filled in."""
        if not self.examples:
            return list(self.steps)
        rendered = []
        for row in self.examples:
            for step in self.steps:
                text = step.text
                for key, value in row.items():
                    text = text.replace(f"<{key}>", value)
                rendered.append(Step(step.type, text, step.line))
        return rendered


@dataclass(frozen=True)
class Feature:
    """One .feature file: its area, description, tags and scenarios."""

    area: str
    path: Path
    name: str
    description: str
    tags: tuple[str, ...]
    scenarios: tuple[Scenario, ...]


def _steps(raw_steps: list[dict[str, Any]], previous: str = "given") -> tuple[list[Step], str]:
    steps = []
    for raw in raw_steps:
        kind = _KEYWORD_TYPES.get(raw.get("keywordType", ""), previous)
        previous = kind
        steps.append(Step(kind, raw["text"], raw["location"]["line"]))
    return steps, previous


def _tags(node: dict[str, Any]) -> list[str]:
    return [t["name"].lstrip("@") for t in node.get("tags", [])]


def _children(
    children: list[dict[str, Any]],
    area: str,
    tags: list[str],
    background: list[Step],
    rule: str,
    out: list[Scenario],
) -> None:
    """Scenarios of a feature or of one of its Rule: blocks (whose background adds to the feature's)."""
    for child in children:
        if "background" in child:
            steps, _ = _steps(child["background"]["steps"])
            background = background + steps
            continue
        if "rule" in child:
            raw_rule = child["rule"]
            _children(raw_rule.get("children", []), area, tags + _tags(raw_rule), background, raw_rule["name"], out)
            continue
        raw = child.get("scenario")
        if raw is None:
            continue
        steps, _ = _steps(raw["steps"])
        rows = []
        for examples in raw.get("examples", []):
            header = [c["value"] for c in examples["tableHeader"]["cells"]]
            for body in examples.get("tableBody", []):
                rows.append(dict(zip(header, (c["value"] for c in body["cells"]), strict=True)))
        out.append(
            Scenario(
                feature=area,
                name=raw["name"],
                line=raw["location"]["line"],
                tags=tuple(tags + _tags(raw)),
                steps=tuple(background + steps),
                examples=tuple(rows),
                rule=rule,
                description=raw.get("description", "").strip(),
            )
        )


def parse(path: Path) -> Feature:
    """Reads a feature file with the official Gherkin parser into the typed model above."""
    document = cast("dict[str, Any]", Parser().parse(TokenScanner(path.read_text(encoding="utf-8"))))
    feature = document["feature"]
    area = path.stem
    feature_tags = _tags(feature)
    scenarios: list[Scenario] = []
    _children(feature.get("children", []), area, feature_tags, [], "", scenarios)
    return Feature(
        area=area,
        path=path,
        name=feature["name"],
        description=feature.get("description", "").strip(),
        tags=tuple(feature_tags),
        scenarios=tuple(scenarios),
    )


@cache
def load_all(directory: Path = FEATURES) -> tuple[Feature, ...]:
    """Every feature under features/, parsed once per process."""
    return tuple(parse(path) for path in sorted(directory.glob("*.feature")))


def unused_ids(area: str, ids: Iterable[str]) -> list[str]:
    """The vector ids that no step of feature ``area`` names (as "id", quoted)."""
    feature = next(f for f in load_all() if f.area == area)
    text = "\n".join(step.text for s in feature.scenarios for step in s.rendered_steps())
    return [vid for vid in ids if f'"{vid}"' not in text]
