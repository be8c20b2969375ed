"""A typed, read-only view of report.json for the comparison, diff, bundle and badge tools.

report.json grows as the suite grows, so this is the one place that reads it: fields it
does not know are ignored, and a field an older report lacks (a requirement's profile)
falls back to the catalogue, then to "unassigned". Bad input raises ResultsError with a
one-line message.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from voice_push_conformance.judging import catalogue

UNASSIGNED = "unassigned"
NOT_RUN = "not run"


class ResultsError(ValueError):
    """A report file is missing, not JSON, or lacks a field the tools need."""


@dataclass(frozen=True)
class Exchange:
    """One recorded request and answer between the suite and the candidate, as report.json holds it."""

    channel: str
    request: str
    response: str


@dataclass(frozen=True)
class ScenarioResult:
    """One scenario's verdict as report.json holds it."""

    nodeid: str
    requirements: tuple[str, ...]
    level: str
    verdict: str
    message: str
    reproduce: str
    exchanges: tuple[Exchange, ...]

    @property
    def name(self) -> str:
        return self.nodeid.split("::")[-1]


@dataclass(frozen=True)
class RequirementResult:
    """One requirement's rolled-up verdict as report.json holds it."""

    id: str
    level: str
    profile: str
    statement: str
    verdict: str
    expected_failure: str | None
    complete: bool = True  # every scenario the features hold for it ran (older reports: assumed)


@dataclass(frozen=True)
class Report:
    """One run of the suite against one target, as its report.json records it."""

    path: Path
    suite_version: str
    target: str
    description: str
    roles: tuple[str, ...]
    capabilities: tuple[str, ...]
    claimed_profiles: tuple[str, ...]  # optional profiles the candidate claimed
    covers: tuple[str, ...] | None  # what the claim covers (None: an older report that does not say)
    seed: int
    certification: bool
    claim: str
    exit_status: int
    partial: bool | None  # None: the report does not say
    requirements: tuple[RequirementResult, ...]
    scenarios: tuple[ScenarioResult, ...]

    def requirement(self, req: str) -> RequirementResult | None:
        return next((r for r in self.requirements if r.id == req), None)

    def verdict(self, req: str) -> str:
        found = self.requirement(req)
        return found.verdict if found is not None else NOT_RUN

    def scenarios_for(self, req: str) -> list[ScenarioResult]:
        return [s for s in self.scenarios if req in s.requirements]

    @property
    def profiles(self) -> tuple[str, ...]:
        return tuple(sorted({r.profile for r in self.requirements}))


def _profile(raw: dict[str, Any]) -> str:
    value = raw.get("profile")
    if isinstance(value, str) and value:
        return value
    entry = catalogue.load().get(str(raw.get("id")))
    fallback = getattr(entry, "profile", None)
    return fallback if isinstance(fallback, str) and fallback else UNASSIGNED


def _field(raw: dict[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in raw:
        raise ResultsError(f"{where}: no '{key}' field")
    value = raw[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ResultsError(f"{where}: '{key}' is {type(value).__name__}, expected {kind.__name__}")
    return value


def parse(document: Any, path: Path) -> Report:
    """Reads a report.json document into a Report, failing with one line on any missing field."""
    where = str(path)
    if not isinstance(document, dict):
        raise ResultsError(f"{where}: not a report (expected a JSON object)")
    try:
        suite = _field(document, "suite", dict, where)
        target = _field(document, "target", dict, where)
        requirements = tuple(
            RequirementResult(
                id=str(_field(r, "id", str, where)),
                level=str(_field(r, "level", str, where)),
                profile=_profile(r),
                statement=str(r.get("statement", "")),
                verdict=str(_field(r, "verdict", str, where)),
                expected_failure=r.get("expected_failure") if isinstance(r.get("expected_failure"), str) else None,
                complete=r.get("complete") is not False,
            )
            for r in _field(document, "requirements", list, where)
        )
        scenarios = tuple(
            ScenarioResult(
                nodeid=str(_field(s, "nodeid", str, where)),
                requirements=tuple(str(x) for x in _field(s, "requirements", list, where)),
                level=str(s.get("level", "")),
                verdict=str(_field(s, "verdict", str, where)),
                message=str(s.get("message", "")),
                reproduce=str(s.get("reproduce", "")),
                exchanges=tuple(
                    Exchange(str(e.get("channel", "")), str(e.get("request", "")), str(e.get("response", "")))
                    for e in s.get("transcript", [])
                    if isinstance(e, dict)
                ),
            )
            for s in _field(document, "scenarios", list, where)
        )
        detail = document.get("claim_detail")
        partial = detail.get("partial") if isinstance(detail, dict) else document.get("partial")
        return Report(
            path=path,
            suite_version=str(_field(suite, "version", str, where)),
            target=str(_field(target, "spec", str, where)),
            description=str(target.get("description", "")),
            roles=tuple(str(x) for x in target.get("roles", [])),
            capabilities=tuple(str(x) for x in target.get("capabilities", [])),
            claimed_profiles=tuple(str(x) for x in target.get("profiles", [])),
            covers=tuple(str(x) for x in detail["covers"])
            if isinstance(detail, dict) and isinstance(detail.get("covers"), list)
            else None,
            seed=int(_field(document, "seed", int, where)),
            certification=bool(document.get("certification", False)),
            claim=str(_field(document, "claim", str, where)),
            exit_status=int(_field(document, "exit_status", int, where)),
            partial=partial if isinstance(partial, bool) else None,
            requirements=requirements,
            scenarios=scenarios,
        )
    except (AttributeError, TypeError) as exc:  # a list where an object was expected, and so on
        raise ResultsError(f"{where}: not a report of this suite ({exc})") from None


def load(path: Path) -> Report:
    """Read report.json (or a directory holding one)."""
    file = path / "report.json" if path.is_dir() else path
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ResultsError(f"{file}: cannot read ({exc.strerror or exc})") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ResultsError(f"{file}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    return parse(document, file)


class OneLineParser(argparse.ArgumentParser):
    """argparse for the results tools: a usage error is one line on stderr and exit status 4."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: {message} (see --help)", file=sys.stderr)
        raise SystemExit(4)
