"""Results bundles anyone can re-check: a run's reports plus a manifest (schemas/bundle-manifest.json).

A run with ``--bundle DIR`` writes the reports and ``manifest.json``: the suite version,
SHA-256 of every suite file that shaped the verdicts (catalogue, features, steps, schemas,
fixtures), the seed, the target, its roles, profiles and capabilities, the expectations
file's hash, the command line, the environment, and the hash of every report file.

    python -m voice_push_conformance.tools.bundle verify DIR              # offline
    python -m voice_push_conformance.tools.bundle verify DIR --replay     # re-run the seed, compare verdicts

Offline verification refuses a bundle when a report file changed since it was written, the
suite here differs from the one that ran (a modified feature, say), or the claim does not
follow from the recorded verdicts. Without a signing key this detects alteration, not a
forger who recomputes every hash; the recomputed claim still catches a claim the verdicts
do not support. Exit status: 0 verified (and replay agreed), 1 refused, 4 bad input.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voice_push_conformance import __version__, schemas
from voice_push_conformance.judging import catalogue
from voice_push_conformance.judging.verdicts import Judged, Verdict, claim, worst
from voice_push_conformance.paths import ROOT
from voice_push_conformance.report.manifest import (
    MANIFEST,
    bundle_files,
    claimed_profiles,
    digest,
    not_run,
    sha256,
    suite_files,
)
from voice_push_conformance.report.reader import NOT_RUN, OneLineParser, Report, ResultsError, load

EXIT_VERIFIED = 0
EXIT_REFUSED = 1
EXIT_USAGE = 4


class BundleError(Exception):
    """Bad input: no bundle there, or an unreadable file. One line."""


@dataclass(frozen=True)
class Verification:
    """The outcome of checking a bundle offline: its manifest, its report and every problem found."""

    manifest: dict[str, Any]
    report: Report | None
    problems: tuple[str, ...]

    @property
    def verified(self) -> bool:
        return not self.problems


def _read_manifest(directory: Path) -> dict[str, Any]:
    if not directory.is_dir():
        raise BundleError(f"{directory}: no such bundle directory")
    path = directory / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BundleError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BundleError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(manifest, dict):
        raise BundleError(f"{path}: not a bundle manifest")
    return manifest


def _compare_hashes(what: str, recorded: dict[str, str], actual: dict[str, str]) -> list[str]:
    problems = [
        f"{what} {name} was altered (SHA-256 differs)"
        for name in sorted(recorded.keys() & actual.keys())
        if recorded[name] != actual[name]
    ]
    problems += [f"{what} {name} is missing" for name in sorted(recorded.keys() - actual.keys())]
    problems += [f"{what} {name} is not in the manifest" for name in sorted(actual.keys() - recorded.keys())]
    return problems


def _claim_problems(report: Report) -> list[str]:
    """The claim, exit status and each requirement's verdict, recomputed from the scenario verdicts."""
    problems = []
    known = catalogue.load()
    try:
        judged = [
            Judged(
                r.id,
                catalogue.effective_level(r.id, r.level, report.claimed_profiles),
                (r.profile,),
                worst(Verdict(s.verdict) for s in report.scenarios_for(r.id)) if report.scenarios_for(r.id) else None,
                r.complete,
            )
            for r in report.requirements
            if r.id in known and known[r.id].untestable is None
        ]
        for s in report.scenarios:
            Verdict(s.verdict)
    except ValueError as exc:
        return [f"report.json holds an unknown verdict ({exc})"]
    under_test = catalogue.under_test(report.roles, report.claimed_profiles)
    expected = claim(judged, under_test, every=catalogue.PROFILE_NAMES)
    if (report.claim, report.exit_status) != (expected.status, expected.exit_status):
        problems.append(
            f"the claim does not follow from the verdicts: report says {report.claim!r} (exit {report.exit_status}), "
            f"the scenario verdicts give {expected.status!r} (exit {expected.exit_status})"
        )
    for req in report.requirements:
        ran = [Verdict(s.verdict) for s in report.scenarios_for(req.id)]
        rolled = worst(ran).value if ran else NOT_RUN
        if req.verdict != rolled:
            problems.append(f"requirement {req.id}: report says {req.verdict!r}, its scenario verdicts give {rolled!r}")
    return problems


def verify(directory: Path, suite_root: Path = ROOT) -> Verification:
    """Every offline check; an empty ``problems`` means verified. Raises BundleError on bad input."""
    manifest = _read_manifest(directory)
    problems = [f"manifest.json: {p}" for p in schemas.errors("bundle-manifest", manifest)]
    if problems:
        return Verification(manifest, None, tuple(problems))
    if manifest["digest"] != digest(manifest):
        problems.append("manifest.json was altered (its digest does not match its content)")
    if manifest["suite"]["version"] != __version__:
        problems.append(
            f"the bundle was made with suite {manifest['suite']['version']}, this is {__version__}: "
            "verify with that version"
        )
    problems += _compare_hashes("bundle file", manifest["files"], bundle_files(directory))
    problems += _compare_hashes("suite file", manifest["suite_files"], suite_files(suite_root))
    report: Report | None = None
    if "report.json" not in manifest["files"]:
        problems.append("the manifest lists no report.json")
    else:
        try:
            report = load(directory / "report.json")
        except ResultsError as exc:
            problems.append(str(exc))
    if report is not None:
        problems += _claim_problems(report)
        recorded = {
            "seed": report.seed,
            "claim": report.claim,
            "exit_status": report.exit_status,
            "certification": report.certification,
            "target spec": report.target,
            "target description": report.description,
        }
        stated = {
            "seed": manifest["seed"],
            "claim": manifest["claim"],
            "exit_status": manifest["exit_status"],
            "certification": manifest["certification"],
            "target spec": manifest["target"]["spec"],
            "target description": manifest["target"]["description"],
        }
        problems += [
            f"the manifest's {k} ({stated[k]!r}) differs from report.json's ({recorded[k]!r})"
            for k in recorded
            if recorded[k] != stated[k]
        ]
        if manifest["profiles"] != claimed_profiles(report):
            problems.append(f"the manifest's profiles differ from report.json's ({claimed_profiles(report)})")
        if not_run(report) and not manifest["partial"]:
            problems.append(f"the manifest says the run was complete, but {not_run(report)[0]} was not run")
    return Verification(manifest, report, tuple(problems))


def replay(verification: Verification, target: str | None, expectations: Path | None) -> list[str]:
    """Re-run the recorded seed and list every scenario whose verdict differs from the bundle's."""
    manifest, report = verification.manifest, verification.report
    if report is None:
        return ["nothing to replay: the bundle has no readable report"]
    recorded = manifest["expectations"]
    if recorded is not None and expectations is None:
        raise BundleError(f"the run used an expectations file ({recorded['name']}): pass it with --expectations")
    if recorded is not None and expectations is not None and sha256(expectations) != recorded["sha256"]:
        raise BundleError(f"{expectations} is not the expectations file the run used (SHA-256 differs)")
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "pytest", "steps", "-q", "-p", "no:xdist"]
        command += ["--target", target or report.target, "--seed", str(report.seed), "--report-dir", tmp]
        command += ["--certify"] if report.certification else []
        command += ["--expectations", str(expectations)] if recorded is not None and expectations else []
        completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
        try:
            again = load(Path(tmp) / "report.json")
        except ResultsError:
            lines = [x for x in (completed.stdout + completed.stderr).splitlines() if x.strip()]
            raise BundleError(
                f"the replay produced no report: {lines[-1] if lines else completed.returncode}"
            ) from None
    now = {s.nodeid: s.verdict for s in again.scenarios}
    differences = [
        f"{s.nodeid}: recorded {s.verdict!r}, replay gave {now.get(s.nodeid, NOT_RUN)!r}"
        for s in sorted(report.scenarios, key=lambda s: s.nodeid)
        if now.get(s.nodeid, NOT_RUN) != s.verdict
    ]
    if again.claim != report.claim:
        differences.append(f"claim: recorded {report.claim!r}, replay gave {again.claim!r}")
    return differences


def main(argv: list[str] | None = None) -> int:
    """Command line: verify a bundle, and optionally replay its run to compare verdicts."""
    parser = OneLineParser(
        prog="python -m voice_push_conformance.tools.bundle", description=(__doc__ or "").split("\n\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("verify", help="check a bundle offline, and optionally replay it")
    check.add_argument("bundle", type=Path)
    check.add_argument(
        "--suite-root", type=Path, default=ROOT, help="the suite checkout to check the hashes against (default: this)"
    )
    check.add_argument("--replay", action="store_true", help="re-run the recorded seed and compare the verdicts")
    check.add_argument("--target", default=None, help="replay against this target (default: the recorded one)")
    check.add_argument("--expectations", type=Path, default=None, help="the expectations file the run used")
    args = parser.parse_args(argv)
    try:
        result = verify(args.bundle, args.suite_root)
        if not result.verified:
            for problem in result.problems:
                print(f"refused: {problem}")
            print(f"{args.bundle}: NOT verified ({len(result.problems)} problem(s))")
            return EXIT_REFUSED
        manifest = result.manifest
        print(
            f"{args.bundle}: verified: suite {manifest['suite']['version']}, target {manifest['target']['spec']}, "
            f"seed {manifest['seed']}, claim {manifest['claim']!r}" + (" (partial run)" if manifest["partial"] else "")
        )
        if args.replay:
            differences = replay(result, args.target, args.expectations)
            for line in differences:
                print(f"replay differs: {line}")
            if differences:
                print(f"replay: {len(differences)} difference(s)")
                return EXIT_REFUSED
            print(f"replay: every recorded verdict reproduced ({len(result.report.scenarios) if result.report else 0})")
    except BundleError as exc:
        print(f"verify: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_VERIFIED


if __name__ == "__main__":
    raise SystemExit(main())
