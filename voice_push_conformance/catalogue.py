"""The requirement catalogue: every documented rule the suite checks, with a stable id."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from voice_push_conformance import schemas
from voice_push_conformance.paths import REQUIREMENTS

REQUIREMENT_TAG = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$")
LEVELS = ("must", "should", "informative")


class CatalogueError(ValueError):
    """The catalogue file is malformed, or a scenario disagrees with it."""


@dataclass(frozen=True)
class Source:
    title: str
    url: str
    section: str


@dataclass(frozen=True)
class Requirement:
    id: str
    level: str
    roles: tuple[str, ...]
    statement: str
    sources: tuple[Source, ...]
    untestable: str | None = None


@cache
def load(path: Path = REQUIREMENTS) -> dict[str, Requirement]:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    problems = schemas.errors("requirements", raw)
    if problems:
        raise CatalogueError(f"{path.name} does not match schemas/requirements.json:\n  " + "\n  ".join(problems))
    catalogue: dict[str, Requirement] = {}
    for entry in raw["requirement"]:
        if entry["id"] in catalogue:
            raise CatalogueError(f"{path.name}: requirement {entry['id']} is listed twice")
        catalogue[entry["id"]] = Requirement(
            id=entry["id"],
            level=entry["level"],
            roles=tuple(entry["roles"]),
            statement=entry["statement"],
            sources=tuple(Source(**s) for s in entry["source"]),
            untestable=entry.get("untestable"),
        )
    return catalogue
