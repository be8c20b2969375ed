"""The suite's pytest plugin: target selection, seed, run header, tags and verdicts."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import sys
import time
import tomllib
from collections import Counter, defaultdict
from collections.abc import Callable, Generator, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest
import responses

from voice_push_conformance import (
    __version__,
    adapters,
    candidate_warnings,
    catalogue,
    features,
    harness,
    report,
    schemas,
    target_faults,
)
from voice_push_conformance.adapters import TargetError, TargetSpec
from voice_push_conformance.clock import MS_PER_DAY, ManualClock, SystemClock
from voice_push_conformance.credentials import Credentials, CredentialsError, credentials_from_env
from voice_push_conformance.data import DataFactory, derive_seed
from voice_push_conformance.fcm import FcmSink
from voice_push_conformance.paths import ROOT
from voice_push_conformance.target import (
    CAPABILITIES,
    ROLES,
    Candidate,
    CandidateError,
    FcmEndpoint,
    HarnessContext,
    NotApplicable,
)
from voice_push_conformance.transcript import CURRENT as CURRENT_TRANSCRIPT
from voice_push_conformance.transcript import Transcript
from voice_push_conformance.verdicts import (
    CONFORMANT,
    Claim,
    Expectation,
    Judged,
    Outcome,
    Verdict,
    claim,
    decide,
    rollup,
    stale,
)
from voice_push_conformance.world import SuiteRegistrar, World, run_as_candidate

# The manual clock starts somewhere in 2026, moved by the seed, so no scenario can lean
# on a particular date.
_EPOCH_2026_MS = 1_767_225_600_000


@dataclass(frozen=True)
class RunSettings:
    seed: int
    target: TargetSpec
    credentials: Credentials
    declared: Candidate  # the candidate as built once for the run header and applicability
    expectations: dict[str, str] = field(default_factory=dict)  # requirement id -> reason
    certify: bool = False
    expectations_file: dict[str, str] | None = None  # path and sha256 of the file read

    def start_ms(self, scenario_seed: int) -> int:
        return _EPOCH_2026_MS + scenario_seed % (365 * MS_PER_DAY)


RUN = pytest.StashKey[RunSettings]()
STARTED = pytest.StashKey[float]()
PASSED = pytest.StashKey[bool]()
# The scenario's transcript, for reports (read it from item.stash in a makereport hook).
TRANSCRIPT = pytest.StashKey[Transcript]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("voice-push-conformance")
    group.addoption(
        "--target",
        dest="vpc_target",
        default=os.environ.get("VPC_TARGET", "reference"),
        help="implementation under test: 'reference' (default), 'mutant:NAME', 'package.module:factory', "
        "'path/to/adapter.py:factory', an HTTP harness URL 'http://host:port', 'reference-http' to serve the "
        "reference over HTTP, or a token server's 'token-url:http://host/path?identity={identity}' "
        "(env VPC_TARGET)",
    )
    group.addoption(
        "--http-timeout",
        dest="vpc_http_timeout",
        type=float,
        default=float(os.environ.get("VPC_HTTP_TIMEOUT", "5")),
        help="seconds to wait for each answer from an HTTP target (env VPC_HTTP_TIMEOUT; default 5)",
    )
    group.addoption(
        "--verdict-file",
        dest="vpc_verdict_file",
        default=None,
        help="write per-requirement and per-scenario verdicts to this JSON file",
    )
    group.addoption(
        "--expectations",
        dest="vpc_expectations",
        default=None,
        metavar="FILE",
        help="TOML file of requirements known to fail, each with a reason; their failures become expected failures",
    )
    group.addoption(
        "--certify",
        dest="vpc_certify",
        action="store_true",
        help="certification run: refuses an expectations file and any selection (-k, -m, node ids, -x, ...)",
    )
    group.addoption(
        "--report-dir",
        dest="vpc_report_dir",
        default=None,
        metavar="DIR",
        help="write report.json, report.html, junit.xml and cucumber.json here, all from the same verdicts",
    )
    group.addoption(
        "--seed",
        dest="vpc_seed",
        default=os.environ.get("VPC_SEED"),
        help="seed for all generated data; printed in the run header so a run can be replayed (env VPC_SEED)",
    )


def _seed(config: pytest.Config) -> int:
    worker_input = getattr(config, "workerinput", None)
    if worker_input is not None and "vpc_seed" in worker_input:
        return int(worker_input["vpc_seed"])
    raw = config.option.vpc_seed
    if raw in (None, ""):
        return secrets.randbelow(2**31)
    try:
        return int(str(raw), 10)
    except ValueError:
        raise pytest.UsageError(f"--seed / VPC_SEED must be a whole number, not {raw!r}") from None


class _ShareSeedWithWorkers:
    """pytest-xdist: every worker must replay the controller's seed, or data would differ."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput["vpc_seed"] = self.seed


@pytest.hookimpl(tryfirst=True)  # the run settings exist before any other plugin's configure
def pytest_configure(config: pytest.Config) -> None:
    seed = _seed(config)
    RESULTS.clear()  # one run per configuration, even when pytest runs twice in a process
    report_dir = config.option.vpc_report_dir
    if report_dir:
        config.stash[STARTED] = time.time()
        try:
            Path(report_dir).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise pytest.UsageError(f"--report-dir {report_dir}: {exc}") from None
    try:
        credentials = credentials_from_env(seed)
        probe_context = HarnessContext(clock=ManualClock(_EPOCH_2026_MS), credentials=credentials)
        with candidate_warnings.probing_the_target():  # the target's warnings are notes, not errors
            target = adapters.resolve(config.option.vpc_target, config.option.vpc_http_timeout)
            declared = run_as_candidate()(target.build)(probe_context)
            if declared.close is not None:
                run_as_candidate()(declared.close)()
        catalogue.load()
    except (TargetError, CredentialsError, catalogue.CatalogueError) as exc:
        raise pytest.UsageError(str(exc)) from None
    unknown_profiles = sorted(set(declared.profiles) - set(catalogue.OPTIONAL_PROFILES))
    if unknown_profiles:
        raise pytest.UsageError(
            f"target {config.option.vpc_target!r} claims unknown optional profiles {', '.join(unknown_profiles)}; "
            f"known: {', '.join(catalogue.OPTIONAL_PROFILES)} (core profiles follow the roles)"
        )
    if config.option.vpc_certify:
        selection = _selection(config)
        if selection:
            raise pytest.UsageError(
                f"a certification run (--certify) runs every scenario; remove {', '.join(selection)}"
            )
    expectations, expectations_file = _load_expectations(config.option.vpc_expectations, config.option.vpc_certify)
    config.stash[RUN] = RunSettings(
        seed, target, credentials, declared, expectations, config.option.vpc_certify, expectations_file
    )
    config.add_cleanup(_stop_target(target))
    if config.pluginmanager.hasplugin("xdist") and not hasattr(config, "workerinput"):
        config.pluginmanager.register(_ShareSeedWithWorkers(seed), "vpc-xdist-seed")


def _selection(config: pytest.Config) -> list[str]:
    """The options that make a run cover less than every scenario in the features."""
    option = config.option
    found = []
    if getattr(option, "keyword", ""):
        found.append(f"-k {option.keyword!r}")
    if getattr(option, "markexpr", ""):
        found.append(f"-m {option.markexpr!r}")
    if getattr(option, "deselect", None):
        found.append("--deselect")
    if getattr(option, "lf", False) or getattr(option, "last_failed_no_failures", "all") != "all":
        found.append("--lf")
    if getattr(option, "stepwise", False) or getattr(option, "stepwise_skip", False):
        found.append("--stepwise")
    if getattr(option, "maxfail", 0):
        found.append("-x / --maxfail")
    if getattr(option, "ignore", None) or getattr(option, "ignore_glob", None):
        found.append("--ignore")
    found += sorted(f"node id {arg}" for arg in config.args if "::" in arg)
    steps = ROOT / "steps"
    paths = [Path(config.invocation_params.dir, arg).resolve() for arg in config.args if "::" not in arg]
    found += sorted(f"path {p}" for p in paths if not steps.is_relative_to(p))  # narrower than steps/
    return found


def pytest_collection_finish(session: pytest.Session) -> None:
    """A certification run refuses any way of collecting fewer scenarios than the features hold."""
    run = session.config.stash.get(RUN, None)
    if run is None or not run.certify:
        return
    collected = sum(1 for item in session.items if _requirements(item))
    held = sum(_scenario_counts().values())
    if collected < held:
        raise pytest.UsageError(
            f"a certification run (--certify) runs every scenario, but this selection collected {collected} "
            f"of {held}; run the whole steps directory without selecting"
        )


def _load_expectations(path: str | None, certify: bool) -> tuple[dict[str, str], dict[str, str] | None]:
    """Requirement id -> reason, from a vendor's expectations file (refused when certifying),
    and the file's path and sha256 so the reports can say exactly which file was used."""
    if path is None:
        return {}, None
    if certify:
        raise pytest.UsageError("a certification run (--certify) accepts no expectations file")
    try:
        data = Path(path).read_bytes()
        raw = tomllib.loads(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise pytest.UsageError(f"--expectations {path}: {exc}") from None
    problems = schemas.errors("expectations", raw)
    if problems:
        raise pytest.UsageError(
            f"--expectations {path} does not match schemas/expectations.json: {'; '.join(problems)}"
        )
    known = catalogue.load()
    entries = {e["requirement"]: e["reason"] for e in raw.get("expected_failure", [])}
    unknown = sorted(set(entries) - set(known))
    if unknown:
        raise pytest.UsageError(f"--expectations {path} names requirements not in the catalogue: {', '.join(unknown)}")
    return entries, {"path": str(path), "sha256": hashlib.sha256(data).hexdigest()}


def _stop_target(target: TargetSpec) -> Callable[[], None]:
    def stop() -> None:
        if target.stop is not None:
            target.stop()
        loopback = sys.modules.get("voice_push_conformance.loopback")  # loaded only if some scenario used it
        if loopback is not None:
            loopback.LoopbackServer.shutdown_instance()

    return stop


def pytest_report_header(config: pytest.Config) -> list[str]:
    run = config.stash[RUN]
    declared = run.declared
    expectations = run.expectations
    return [
        f"voice-push-conformance {__version__}" + (" (certification run)" if run.certify else ""),
        f"target: {run.target.spec} ({declared.description})",
        f"roles: {', '.join(declared.roles) or 'none'}; "
        f"capabilities: {', '.join(sorted(declared.capabilities)) or 'none'}",
        f"profiles under test: {', '.join(catalogue.under_test(declared.roles, declared.profiles)) or 'none'}"
        + _not_claimed(declared.profiles),
        f"seed: {run.seed} (replay with --seed {run.seed})",
        _catalogue_line(),
        f"credentials: {run.credentials.describe()}",
        *([f"expected failures: {', '.join(sorted(expectations))}"] if expectations else []),
    ]


def _not_claimed(claimed: frozenset[str]) -> str:
    missing = [p for p in catalogue.OPTIONAL_PROFILES if p not in claimed]
    return f"; not claimed (findings informative only): {', '.join(missing)}" if missing else ""


def _catalogue_line() -> str:
    known = catalogue.load()
    levels = Counter(r.level for r in known.values())
    held = _scenario_counts()
    return (
        f"catalogue: {len(known)} requirements ({levels['must']} MUST, {levels['should']} SHOULD, "
        f"{levels['informative']} informative), {sum(1 for r in known if held.get(r))} with scenarios; "
        f"{sum(held.values())} scenarios in the features"
    )


# --- tags --------------------------------------------------------------------------------


def pytest_bdd_apply_tag(tag: str, function: Callable[..., object]) -> bool | None:
    """Requirement ids become ``requirement`` marks; unknown ids stop collection."""
    if catalogue.REQUIREMENT_TAG.match(tag):
        known = catalogue.load()
        if tag not in known:
            raise catalogue.CatalogueError(f"scenario tag @{tag} names no requirement in requirements.toml")
        pytest.mark.requirement(tag)(function)
        return True
    return None


def _level(item: pytest.Item) -> str | None:
    return next((lvl for lvl in catalogue.LEVELS if item.get_closest_marker(lvl)), None)


def _requirements(item: pytest.Item) -> tuple[str, ...]:
    return tuple(str(m.args[0]) for m in item.iter_markers("requirement"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A scenario's level tag must agree with the level its requirement has in the catalogue."""
    known = catalogue.load()
    problems = []
    for item in items:
        for req in _requirements(item):
            level = _level(item)
            if level != known[req].level:
                problems.append(f"{item.nodeid}: tagged {level}, but {req} is {known[req].level}")
    if problems:
        raise pytest.UsageError("scenario levels disagree with the catalogue:\n  " + "\n  ".join(problems))
    if any(_requirements(item) for item in items):
        checked = {req for f in features.load_all() for s in f.scenarios for req in s.requirements}
        missing = sorted(r.id for r in known.values() if r.id not in checked and r.untestable is None)
        if missing:
            raise pytest.UsageError(
                "requirements with no scenario and no recorded reason ('untestable' in requirements.toml): "
                + ", ".join(missing)
            )


@dataclass
class ScenarioResult:
    """Everything the outputs say about one scenario, gathered from its setup, call and teardown.

    The phases record an :class:`Outcome`; the verdict is decided once, at the end of the
    run, by :func:`verdicts.decide` (expectations are per requirement, so a scenario's
    verdict can depend on its requirement's other scenarios).
    """

    nodeid: str
    requirements: tuple[str, ...]
    level: str
    feature: str = ""
    name: str = ""
    line: int = 0
    steps: list[dict[str, Any]] = field(default_factory=list)  # keyword, text, line
    reached: int = 0  # steps started
    failed_step: int | None = None  # index of the step that raised
    outcome: Outcome | None = None
    verdict: Verdict | None = None
    duration_s: float = 0.0
    message: str = ""
    transcript: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # never verdicts: candidate warnings, harness faults


def _notes(report: pytest.TestReport) -> list[str]:
    """Notes a phase's report carries: the candidate's warnings and the harness's own faults."""
    found = [
        f"candidate warning ({n['when']}): {n['category']}: {n['message']} at {n['location']}"
        + (f" (x{n['count']})" if n["count"] > 1 else "")
        for n in candidate_warnings.notes(report)
    ]
    for name, value in report.user_properties:
        if name == target_faults.NOTES_PROPERTY:
            found.extend(str(note) for note in json.loads(str(value)))
    return found


# The scenario's step progress, from pytest-bdd's public step hooks.
REACHED = pytest.StashKey[int]()
FAILED_STEP = pytest.StashKey[int]()
META = pytest.StashKey[dict[str, Any]]()


def _scenario_meta(item: pytest.Item) -> dict[str, Any]:
    """Feature, scenario name and rendered steps, from the feature file pytest-bdd bound.

    pytest-bdd names the bound feature file and scenario in the test function's docstring.
    """
    doc = str(getattr(getattr(item, "obj", None), "__doc__", "") or "")
    filename, _, scenario_name = doc.partition(": ")
    callspec = getattr(item, "callspec", None)
    row: dict[str, str] = dict(callspec.params.get("_pytest_bdd_example", {})) if callspec is not None else {}
    for feature in features.load_all():
        if feature.area != Path(filename).stem:
            continue
        for scenario in feature.scenarios:
            if scenario.name != scenario_name:
                continue
            steps = []
            for step in scenario.steps:
                text = step.text
                for key, value in row.items():
                    text = text.replace(f"<{key}>", str(value))
                steps.append({"keyword": step.type.capitalize() + " ", "text": text, "line": step.line})
            suffix = f" [{callspec.id}]" if callspec is not None else ""
            return {"feature": feature.area, "name": scenario.name + suffix, "line": scenario.line, "steps": steps}
    return {"feature": Path(item.nodeid.split("::")[0]).stem, "name": item.name, "line": 0, "steps": []}


def pytest_runtest_setup(item: pytest.Item) -> None:
    if not _requirements(item):
        return
    item.stash[META] = _scenario_meta(item)
    item.stash[REACHED] = 0
    needs = [m.name for m in item.iter_markers() if m.name in ROLES or m.name in CAPABILITIES]
    item.config.stash[RUN].declared.require(*needs)  # NotApplicable: recorded as such in makereport


def pytest_bdd_before_step(request: pytest.FixtureRequest) -> None:
    request.node.stash[REACHED] = request.node.stash.get(REACHED, 0) + 1


def pytest_bdd_step_error(request: pytest.FixtureRequest) -> None:
    request.node.stash[FAILED_STEP] = request.node.stash.get(REACHED, 1) - 1


def _message(excinfo: pytest.ExceptionInfo[BaseException] | None) -> str:
    """The exception's own message, without pytest's assertion introspection."""
    if excinfo is None:
        return ""
    text = str(excinfo.value).split("\nassert ", 1)[0].strip()
    return (text or type(excinfo.value).__name__)[:2000]


def _phase_outcome(report: pytest.TestReport, call: pytest.CallInfo[None]) -> Outcome | None:
    """The outcome one phase contributes; None when the phase says nothing (a clean setup)."""
    if call.excinfo is not None and call.excinfo.errisinstance(NotApplicable):
        return Outcome.NOT_APPLICABLE
    if report.when == "call":
        if report.passed:
            return Outcome.PASSED
        if report.failed and call.excinfo is not None and call.excinfo.errisinstance((AssertionError, CandidateError)):
            return Outcome.FAILED
        return Outcome.SUITE_ERROR  # the suite itself broke, or skipped for a reason of its own
    return None if report.passed else Outcome.SUITE_ERROR


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """Record the phase's outcome once, as plain data that survives pytest-xdist."""
    report = yield
    requirements = _requirements(item)
    if not requirements:
        return report
    outcome = _phase_outcome(report, call)
    level = _level(item) or "must"
    meta: dict[str, Any] = item.stash.get(META, {})
    report.vpc = {
        "requirements": list(requirements),
        "level": level,
        **meta,
        "outcome": outcome.value if outcome is not None else None,
        "message": _message(call.excinfo) if outcome not in (None, Outcome.PASSED) else "",
        "reached": item.stash.get(REACHED, 0),
        "failed_step": item.stash.get(FAILED_STEP, None),
    }
    if report.when == "teardown" and TRANSCRIPT in item.stash and not item.stash.get(PASSED, False):
        # Evidence for what did not pass; a passing scenario's exchanges would only bloat the reports.
        report.vpc["transcript"] = [asdict(e) for e in item.stash[TRANSCRIPT].exchanges]
    if report.when == "call":
        item.stash[PASSED] = report.passed
    if outcome is None:
        return report
    # What pytest's own progress line shows. Expectations are judged per requirement at the
    # end of the run, so a listed scenario that passes shows "pass" here and may still be
    # reported as an unexpected pass in the verdicts.
    run = item.config.stash[RUN]
    listed = any(r in run.expectations for r in requirements)
    judged_at = level
    for req in requirements:
        judged_at = catalogue.effective_level(req, judged_at, run.declared.profiles)
    shown = decide(outcome, judged_at, Expectation.LISTED if listed else Expectation.NONE)
    report.vpc["shown"] = shown.value
    if shown in {Verdict.WARN, Verdict.INFO, Verdict.EXPECTED_FAILURE, Verdict.NOT_APPLICABLE}:
        # Not a failure of the run: neither -x nor --maxfail stops on it.
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, f"{shown.value}: {report.vpc['message']}")
    return report


_SHOWN = {
    Verdict.WARN: ("warn", "w", "WARN"),
    Verdict.INFO: ("informative", "i", "INFORMATIVE"),
    Verdict.EXPECTED_FAILURE: ("expected failure", "x", "EXPECTED FAILURE"),
    Verdict.NOT_APPLICABLE: ("not applicable", "n", "NOT APPLICABLE"),
    Verdict.ERROR: ("error", "E", "ERROR"),
}


def pytest_report_teststatus(report: pytest.TestReport) -> tuple[str, str, str] | None:
    shown = getattr(report, "vpc", {}).get("shown")
    return _SHOWN.get(Verdict(shown)) if shown else None


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    data = getattr(report, "vpc", None)
    if not data:
        return
    result = RESULTS.setdefault(
        report.nodeid, ScenarioResult(report.nodeid, tuple(data["requirements"]), str(data["level"]))
    )
    result.duration_s += report.duration
    result.notes.extend(_notes(report))
    result.feature = data.get("feature", result.feature)
    result.name = data.get("name", result.name)
    result.line = data.get("line", result.line)
    result.steps = data.get("steps", result.steps)
    result.reached = max(result.reached, int(data["reached"]))
    if data["failed_step"] is not None:
        result.failed_step = int(data["failed_step"])
    if "transcript" in data:
        result.transcript = data["transcript"]
    if data["outcome"] is None:
        return
    outcome = Outcome(data["outcome"])
    # Setup gives the first outcome (not applicable, error), the call decides, and an
    # error in any later phase (a teardown that breaks) overrides.
    if result.outcome is Outcome.SUITE_ERROR:
        return  # the first error stands, with its message
    if result.outcome is None or report.when == "call" or outcome is Outcome.SUITE_ERROR:
        result.outcome = outcome
        result.message = data["message"] or result.message


RESULTS: dict[str, ScenarioResult] = {}


@dataclass(frozen=True)
class Decided:
    """The run's verdicts, decided once; every output reads them from here."""

    scenarios: dict[str, ScenarioResult]
    requirements: dict[str, Verdict]  # requirements with at least one scenario that ran
    complete: dict[str, bool]  # requirement -> every scenario the features hold for it ran
    claim: Claim


def _scenario_counts() -> dict[str, int]:
    """Requirement id -> how many scenarios (outline rows included) the features hold for it."""
    counts: dict[str, int] = defaultdict(int)
    for feature in features.load_all():
        for scenario in feature.scenarios:
            for req in scenario.requirements:
                counts[req] += max(1, len(scenario.examples))
    return counts


def decide_run(results: dict[str, ScenarioResult], run: RunSettings) -> Decided:
    """Every scenario's verdict, every requirement's verdict and the claim, decided once.

    Expectations need the whole run: a listed requirement is stale only when all of its
    scenarios ran and none failed.
    """
    known = catalogue.load()
    held = _scenario_counts()
    outcomes: dict[str, list[Outcome]] = defaultdict(list)
    for result in results.values():
        for req in result.requirements:
            outcomes[req].append(result.outcome or Outcome.SUITE_ERROR)
    complete = {req: len(outcomes.get(req, [])) >= held.get(req, 0) for req in known if held.get(req, 0)}
    stale_ids = {req for req in run.expectations if stale(outcomes.get(req, []), complete.get(req, False))}
    per_requirement: dict[str, list[Verdict]] = defaultdict(list)
    for result in results.values():
        listed = [r for r in result.requirements if r in run.expectations]
        if any(r in stale_ids for r in listed):
            expected = Expectation.STALE
        else:
            expected = Expectation.LISTED if listed else Expectation.NONE
        level = result.level
        for req in result.requirements:
            level = catalogue.effective_level(req, level, run.declared.profiles)
        result.verdict = decide(result.outcome or Outcome.SUITE_ERROR, level, expected)
        if level != result.level and result.verdict is Verdict.INFO and result.message:
            profile_name = known[result.requirements[0]].profile
            result.message = f"[{profile_name} not claimed: informative only] {result.message}"
        if result.verdict is Verdict.UNEXPECTED_PASS:
            result.message = (
                f"unexpected pass: {', '.join(listed)} is listed in the expectations file as failing "
                f"({'; '.join(run.expectations[r] for r in listed)}), but all its scenarios passed; remove the entry"
            )
        for req in result.requirements:
            per_requirement[req].append(result.verdict)
    requirements = rollup(per_requirement)
    claimed = run.declared.profiles
    judged = [
        Judged(
            req,
            catalogue.effective_level(req, entry.level, claimed),
            (entry.profile,),
            requirements.get(req),
            complete[req],
        )
        for req, entry in sorted(known.items())
        if req in complete
    ]
    under_test = catalogue.under_test(run.declared.roles, claimed)
    verdict_claim = claim(judged, under_test, every=catalogue.PROFILE_NAMES)
    return Decided(dict(sorted(results.items())), requirements, complete, verdict_claim)


DECIDED = pytest.StashKey[Decided]()
DOCUMENT = pytest.StashKey[dict[str, Any]]()  # the run's report document, which every output renders


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not RESULTS or hasattr(session.config, "workerinput"):
        return
    run = session.config.stash[RUN]
    decided = decide_run(RESULTS, run)
    session.config.stash[DECIDED] = decided
    _restate_unexpected_passes(session.config, decided)
    if exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        session.exitstatus = decided.claim.exit_status
        if run.certify and decided.claim.partial:
            session.exitstatus = pytest.ExitCode.USAGE_ERROR
    document = report.build_document(
        target=run.target.spec,
        description=run.declared.description,
        roles=run.declared.roles,
        capabilities=run.declared.capabilities,
        seed=run.seed,
        certify=run.certify,
        expectations=run.expectations,
        expectations_file=run.expectations_file,
        started=session.config.stash.get(STARTED, time.time()),
        finished=time.time(),
        results=decided.scenarios,
        requirement_verdicts=decided.requirements,
        complete=decided.complete,
        profiles=run.declared.profiles,
        claim=decided.claim,
        exit_status=int(session.exitstatus),
        reproduce=harness.reproduce_command(
            run.target.spec,
            run.seed,
            session.config.option.vpc_expectations,
            session.config.option.vpc_http_timeout if run.target.remote else None,
        ),
    )
    session.config.stash[DOCUMENT] = document
    report_dir = session.config.option.vpc_report_dir
    if report_dir:
        report.write(Path(report_dir), document, run.credentials.secrets)
    path = session.config.option.vpc_verdict_file
    if path:
        report.write_verdicts(Path(path), document, run.credentials.secrets)


def _restate_unexpected_passes(config: pytest.Config, decided: Decided) -> None:
    """pytest counted a stale-listed scenario as passed before the run could judge its
    requirement; move it to "unexpected pass" so pytest's closing line agrees with the verdicts."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    stale_ids = {n for n, r in decided.scenarios.items() if r.verdict is Verdict.UNEXPECTED_PASS}
    if reporter is None or not stale_ids:
        return
    passed = reporter.stats.get("passed", [])
    moved = [r for r in passed if getattr(r, "nodeid", None) in stale_ids and getattr(r, "when", None) == "call"]
    reporter.stats["passed"] = [r for r in passed if r not in moved]
    reporter.stats.setdefault("unexpected pass", []).extend(moved)


def _counts(counts: dict[str, int]) -> str:
    order = [v.value for v in Verdict] + ["not run"]
    return ", ".join(f"{counts[v]} {v}" for v in order if counts.get(v))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """The verdict block, read from the same document as every report file."""
    document = config.stash.get(DOCUMENT, None)
    if document is None:
        return
    terminalreporter.section("conformance verdicts")
    for scenario in document["scenarios"]:
        if scenario["verdict"] not in {"pass", "not applicable"}:
            terminalreporter.line(
                f"{scenario['verdict'].upper()} {','.join(scenario['requirements'])} "
                f"{scenario['nodeid']}: {scenario['message']}"
            )
    not_applicable = Counter(s["message"] for s in document["scenarios"] if s["verdict"] == "not applicable")
    for reason, count in sorted(not_applicable.items()):
        terminalreporter.line(f"NOT APPLICABLE ({count} scenario(s)): {reason}")
    terminalreporter.line(f"scenarios:    {_counts(document['counts'])}")
    partly = sorted(
        r for r, done in config.stash[DECIDED].complete.items() if not done and r in config.stash[DECIDED].requirements
    )
    terminalreporter.line(
        f"requirements: {_counts(document['requirement_counts'])}"
        + (f" ({len(partly)} only partly run: {', '.join(partly)})" if partly else "")
    )
    by_verdict: dict[str, list[str]] = defaultdict(list)
    for req in document["requirements"]:
        by_verdict[req["verdict"]].append(req["id"])
    if by_verdict["fail"]:
        terminalreporter.line("not conformant: " + ", ".join(by_verdict["fail"]), red=True)
    if by_verdict["error"]:
        terminalreporter.line("could not judge: " + ", ".join(by_verdict["error"]), purple=True)
    status = document["claim"]
    good = status == CONFORMANT
    caveat = not good and document["exit_status"] == 0
    line = f"claim: {document['claim_detail']['text']}"
    terminalreporter.line(line, green=good, yellow=caveat, red=not good and not caveat)
    if config.stash[RUN].certify and document["claim_detail"]["partial"]:
        terminalreporter.line("a certification run must run every scenario; this one did not (exit 4)", red=True)


# --- the scenario's world ----------------------------------------------------------------


@pytest.fixture
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    """A fresh candidate, clock, data set and FCM model for one scenario."""
    run = request.config.stash[RUN]
    scenario_seed = derive_seed(run.seed, request.node.nodeid)
    clock = ManualClock(run.start_ms(scenario_seed)) if "clock" in run.declared.capabilities else SystemClock()
    record = Transcript(secrets=run.credentials.secrets)
    registrar = SuiteRegistrar(clock)
    holder: list[World] = []
    loopback_id: str | None = None
    # Out-of-process targets, and in-process ones whose HTTP client the requests mock cannot see.
    loopback_fcm = run.target.remote or "loopback_fcm" in run.declared.capabilities
    if loopback_fcm:
        from voice_push_conformance.loopback import Attachment, LoopbackServer  # noqa: PLC0415 - HTTP runs only

        loopback = LoopbackServer.instance()
        sink = FcmSink(clock)
        loopback_id = loopback.attach(Attachment(sink, registrar, lambda identity: holder[0].vend_for(identity)))  # noqa: PLW0108 - filled later
        base = loopback.url(loopback_id)
        context = HarnessContext(
            clock=clock,
            credentials=run.credentials,
            fcm=FcmEndpoint(f"{base}/fcm"),
            registrar_url=f"{base}/ers",
            token_url=f"{base}/token?identity={{identity}}",
        )
    else:
        context = HarnessContext(clock=clock, credentials=run.credentials)
        sink = FcmSink(clock, context.fcm)
    sink.add_project(run.credentials.fcm_project_id, run.credentials.fcm_bearer_token.reveal())
    sink.transcript = record
    token = CURRENT_TRANSCRIPT.set(record)
    try:
        try:
            candidate = run_as_candidate()(run.target.build)(context)  # its warnings are notes
        except TargetError as exc:
            pytest.fail(str(exc), pytrace=False)
        except CandidateError as exc:
            pytest.fail(f"setting up the scenario: {exc}", pytrace=False)
        world = World(
            candidate=candidate,
            clock=clock,
            credentials=run.credentials,
            data=DataFactory(scenario_seed),
            fcm=sink,
            registrar=registrar,
            transcript=record,
        )
        holder.append(world)
        with contextlib.ExitStack() as stack:
            if not loopback_fcm:
                sink.install(stack.enter_context(responses.RequestsMock(assert_all_requests_are_fired=False)))
            if candidate.close is not None:
                stack.callback(run_as_candidate()(candidate.close))
            yield world
    finally:
        if loopback_id is not None:
            from voice_push_conformance.loopback import LoopbackServer  # noqa: PLC0415

            LoopbackServer.instance().detach(loopback_id)
        CURRENT_TRANSCRIPT.reset(token)
        request.node.stash[TRANSCRIPT] = record
