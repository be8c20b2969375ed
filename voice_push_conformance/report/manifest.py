"""The bundle manifest a run writes next to its reports (schemas/bundle-manifest.json).

Written at the end of a ``--bundle`` run by the bundle plugin; read and checked by
``python -m voice_push_conformance.tools.bundle verify``. The hashes it records are what
lets anyone re-check that the reports, the suite and the claim belong together.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from voice_push_conformance import __version__
from voice_push_conformance.judging import catalogue
from voice_push_conformance.paths import ROOT
from voice_push_conformance.report.document import installed_versions
from voice_push_conformance.report.reader import NOT_RUN, Report, load
from voice_push_conformance.secrecy import REDACTED, Secret, redact

MANIFEST = "manifest.json"
FORMAT = 1
PACKAGES = ("pytest", "pytest-bdd", "pytest-xdist", "jsonschema", "PyJWT", "requests", "Faker", "flask", "Jinja2")
SENSITIVE = re.compile(r"SECRET|TOKEN|PASSWORD|KEY", re.IGNORECASE)
# Scenario verdicts that say the candidate took no part, for the profiles a run speaks for.
ABSENT = frozenset({"not applicable", NOT_RUN})


def sha256(path: Path) -> str:
    """The hex digest a manifest records, so a changed file is caught on verification."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def suite_files(root: Path = ROOT) -> dict[str, str]:
    """Relative path -> SHA-256 of every suite file that shapes the verdicts."""
    found: list[Path] = [root / "requirements.toml"]
    found += (root / "features").glob("*.feature")
    found += (root / "steps").glob("*.py")
    found += (root / "schemas").glob("*.json")
    found += (p for p in (root / "fixtures").rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return {p.relative_to(root).as_posix(): sha256(p) for p in sorted(found) if p.is_file()}


def bundle_files(directory: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file in the bundle but the manifest."""
    return {
        p.relative_to(directory).as_posix(): sha256(p)
        for p in sorted(directory.rglob("*"))
        if p.is_file() and p.relative_to(directory).as_posix() != MANIFEST
    }


def digest(manifest: dict[str, Any]) -> str:
    """SHA-256 of the manifest's canonical JSON without its own digest: any edited byte shows."""
    body = {k: v for k, v in manifest.items() if k != "digest"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def environment() -> dict[str, Any]:
    """Python, platform, package versions and the VPC_* settings, never a sensitive value."""
    packages = installed_versions(PACKAGES)
    variables = {
        name: REDACTED if SENSITIVE.search(name) else value
        for name, value in sorted(os.environ.items())
        if name.startswith("VPC_")
    }
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": packages,
        "variables": variables,
    }


def not_run(report: Report) -> list[str]:
    """Testable requirements the run has no verdict for: the run was partial."""
    known = catalogue.load()
    return sorted(
        r.id for r in report.requirements if r.verdict == NOT_RUN and (r.id not in known or not known[r.id].untestable)
    )


def claimed_profiles(report: Report) -> list[str]:
    """What the claim covers, in catalogue order (older reports: the profiles that took part)."""
    if report.covers is not None:
        return list(report.covers)
    return sorted({r.profile for r in report.requirements if r.verdict not in ABSENT})


def write_manifest(
    directory: Path,
    *,
    command: Sequence[str],
    expectations: Path | None,
    partial_reasons: Iterable[str] = (),
    secrets: Sequence[Secret] = (),
) -> Path:
    """Write manifest.json for the reports already in ``directory``."""
    report = load(directory / "report.json")
    reasons = sorted({*partial_reasons, *(f"{r} was not run" for r in not_run(report))})
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "suite": {"name": "voice-push-conformance", "version": __version__},
        "seed": report.seed,
        "target": {
            "spec": report.target,
            "description": report.description,
            "roles": list(report.roles),
            "capabilities": list(report.capabilities),
        },
        "profiles": claimed_profiles(report),
        "certification": report.certification,
        "claim": report.claim,
        "exit_status": report.exit_status,
        "partial": bool(reasons),
        "partial_reasons": reasons,
        "expectations": None if expectations is None else {"name": expectations.name, "sha256": sha256(expectations)},
        "command": list(command),
        "environment": environment(),
        "suite_files": suite_files(),
        "files": bundle_files(directory),
    }
    # Nothing secret belongs in a manifest; a configured secret on the command line is removed.
    manifest = json.loads(redact(json.dumps(manifest), tuple(secrets)))
    manifest["digest"] = digest(manifest)
    path = directory / MANIFEST
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path
