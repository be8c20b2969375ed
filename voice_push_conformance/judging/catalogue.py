"""The requirement catalogue: every documented rule the suite checks, with a stable id.

Each requirement says where its level comes from: the source clauses it checks
(``clauses.toml``), or the external standard it is taken from, and a recorded reason.
Each belongs to one profile: a core profile per role, or an optional profile a candidate
opts into. A profile is a catalogue field, never a separate set of features.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from voice_push_conformance import schemas
from voice_push_conformance.paths import CLAUSES, REQUIREMENTS

REQUIREMENT_TAG = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$")
LEVELS = ("must", "should", "informative")
BASES = ("source", "mechanism", "external", "suite-baseline", "interpretation")


class CatalogueError(ValueError):
    """The catalogue file is malformed, or a scenario disagrees with it."""


@dataclass(frozen=True)
class Profile:
    """A set of requirements a candidate claims together.

    Core profiles follow the roles and are claimed by every candidate that has the role.
    Optional profiles are claimed only when the candidate opts in; inside them, their
    MUSTs are MUSTs of the claim.
    """

    name: str
    kind: str  # core | optional
    description: str
    role: str | None = None  # a core profile is under test whenever the candidate offers this role


PROFILES: tuple[Profile, ...] = (
    Profile(
        "token-issuer",
        "core",
        "The application server's token vending endpoint: Access Token format and grants.",
        "issuer",
    ),
    Profile(
        "voice-service",
        "core",
        "Registrations, the 10-device limit, call pushes over FCM and the TwiML that places calls.",
        "service",
    ),
    Profile(
        "client",
        "core",
        "The SDK and app on the device: decoding twi_params and the registration cadence.",
        "client",
    ),
    Profile(
        "late-notification-workaround",
        "optional",
        "The FAQ's optional proposal: the app server stamps calls and the app discards late pushes.",
    ),
    Profile(
        "security-baseline",
        "optional",
        "The suite's hardening beyond the documentation: XML attacks, malformed input, identity isolation.",
    ),
)
PROFILE_NAMES = tuple(p.name for p in PROFILES)
OPTIONAL_PROFILES = tuple(p.name for p in PROFILES if p.kind == "optional")


def effective_level(requirement: str, level: str, claimed: Iterable[str]) -> str:
    """The level a run judges at: an optional profile the candidate does not claim is informative only."""
    entry = load()[requirement]
    if profile(entry.profile).kind == "optional" and entry.profile not in set(claimed):
        return "informative"
    return level


def under_test(roles: Iterable[str], claimed: Iterable[str]) -> tuple[str, ...]:
    """The profiles a run judges: each offered role's core profile, and the optional ones claimed."""
    offered, opted = set(roles), set(claimed)
    return tuple(p.name for p in PROFILES if (p.role in offered if p.kind == "core" else p.name in opted))


@dataclass(frozen=True)
class Source:
    """Where a requirement comes from: a title, a URL and the section, so its level can be checked."""

    title: str
    url: str
    section: str


@dataclass(frozen=True)
class Requirement:
    """One catalogue entry: the rule a scenario checks, its level and why it has that level."""

    id: str
    level: str
    roles: tuple[str, ...]
    statement: str
    sources: tuple[Source, ...]
    profile: str  # a name in PROFILES
    basis: str  # one of BASES: where the level comes from
    level_reason: str
    clauses: tuple[str, ...] = ()
    standard: str | None = None
    untestable: str | None = None

    @property
    def core(self) -> bool:
        """Whether the requirement belongs to a core (role) profile rather than an optional one."""
        return profile(self.profile).kind == "core"


@dataclass(frozen=True)
class Clause:
    """One normative clause of the source document, by section and order."""

    id: str
    location: str
    summary: str
    party: str
    force: str
    requirements: tuple[str, ...] = ()
    untestable: str | None = None


def profile(name: str) -> Profile:
    """Looks a profile up by name, failing with the list of known names."""
    for entry in PROFILES:
        if entry.name == name:
            return entry
    raise CatalogueError(f"unknown profile {name!r}; known: {', '.join(PROFILE_NAMES)}")


def _read(path: Path, schema: str) -> dict[str, Any]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogueError(f"cannot read {path.name}: {exc}") from None
    problems = schemas.errors(schema, raw)
    if problems:
        raise CatalogueError(f"{path.name} does not match schemas/{schema}.json:\n  " + "\n  ".join(problems))
    return raw


@cache
def load(path: Path = REQUIREMENTS) -> dict[str, Requirement]:
    """Reads requirements.toml once into checked, typed entries, failing with one clear line."""
    raw = _read(path, "requirements")
    catalogue: dict[str, Requirement] = {}
    for entry in raw["requirement"]:
        rid = str(entry["id"])
        if rid in catalogue:
            raise CatalogueError(f"{path.name}: requirement {rid} is listed twice")
        if entry["profile"] not in PROFILE_NAMES:
            raise CatalogueError(f"{path.name}: requirement {rid} names unknown profile {entry['profile']!r}")
        catalogue[rid] = Requirement(
            id=rid,
            level=str(entry["level"]),
            roles=tuple(entry["roles"]),
            statement=str(entry["statement"]),
            sources=tuple(Source(**s) for s in entry["source"]),
            profile=str(entry["profile"]),
            basis=str(entry["basis"]),
            level_reason=str(entry["level_reason"]),
            clauses=tuple(entry.get("clauses", ())),
            standard=entry.get("standard"),
            untestable=entry.get("untestable"),
        )
    return catalogue


@cache
def clauses(path: Path = CLAUSES) -> dict[str, Clause]:
    """The source's normative clauses (clauses.toml), in document order."""
    raw = _read(path, "clauses")
    found: dict[str, Clause] = {}
    for entry in raw["clause"]:
        cid = str(entry["id"])
        if cid in found:
            raise CatalogueError(f"{path.name}: clause {cid} is listed twice")
        found[cid] = Clause(
            id=cid,
            location=str(entry["location"]),
            summary=str(entry["summary"]),
            party=str(entry["party"]),
            force=str(entry["force"]),
            requirements=tuple(entry.get("requirements", ())),
            untestable=entry.get("untestable"),
        )
    return found


def by_profile() -> dict[str, list[Requirement]]:
    """Profile name -> its requirements, in PROFILES order then catalogue order (for claims and reports)."""
    grouped: dict[str, list[Requirement]] = {p.name: [] for p in PROFILES}
    for requirement in load().values():
        grouped[requirement.profile].append(requirement)
    return grouped
