"""The suite's pytest plugin: target selection, seed, run header, tags and verdicts."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sys
import time
import tomllib
from collections import defaultdict
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
)
from voice_push_conformance.adapters import TargetError, TargetSpec
from voice_push_conformance.clock import MS_PER_DAY, ManualClock, SystemClock
from voice_push_conformance.credentials import Credentials, CredentialsError, credentials_from_env
from voice_push_conformance.data import DataFactory, derive_seed
from voice_push_conformance.fcm import FcmSink
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
    EXPECTED_PREFIX,
    INFO_PREFIX,
    NOT_APPLICABLE_PREFIX,
    WARN_PREFIX,
    Verdict,
    claim,
    worst,
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
        help="certification run: refuses an expectations file",
    )
    group.addoption(
        "--report-dir",
        dest="vpc_report_dir",
        default=None,
        metavar="DIR",
        help="write report.json, report.html, junit.xml (and cucumber.json when not under xdist) here",
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


@pytest.hookimpl(tryfirst=True)  # before junitxml and pytest-bdd read the options set here
def pytest_configure(config: pytest.Config) -> None:
    seed = _seed(config)
    report_dir = config.option.vpc_report_dir
    if report_dir:
        config.stash[STARTED] = time.time()
        try:
            Path(report_dir).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise pytest.UsageError(f"--report-dir {report_dir}: {exc}") from None
        if not config.option.xmlpath:
            config.option.xmlpath = str(Path(report_dir) / "junit.xml")
        # pytest-bdd 9 writes an empty Cucumber JSON under xdist, so it is only asked for in serial runs.
        if not getattr(config.option, "numprocesses", None) and not config.option.cucumber_json_path:
            config.option.cucumber_json_path = str(Path(report_dir) / "cucumber.json")
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
    expectations = _load_expectations(config.option.vpc_expectations, config.option.vpc_certify)
    config.stash[RUN] = RunSettings(seed, target, credentials, declared, expectations, config.option.vpc_certify)
    config.add_cleanup(_stop_target(target))
    if config.pluginmanager.hasplugin("xdist") and not hasattr(config, "workerinput"):
        config.pluginmanager.register(_ShareSeedWithWorkers(seed), "vpc-xdist-seed")


def _load_expectations(path: str | None, certify: bool) -> dict[str, str]:
    """Requirement id -> reason, from a vendor's expectations file (refused when certifying)."""
    if path is None:
        return {}
    if certify:
        raise pytest.UsageError("a certification run (--certify) accepts no expectations file")
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
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
    return entries


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
        f"seed: {run.seed} (replay with --seed {run.seed})",
        f"credentials: {run.credentials.describe()}",
        *([f"expected failures: {', '.join(sorted(expectations))}"] if expectations else []),
    ]


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


def pytest_runtest_setup(item: pytest.Item) -> None:
    if not _requirements(item):
        return
    item.user_properties.append(("vpc_level", _level(item)))
    item.user_properties.append(("vpc_requirements", ",".join(_requirements(item))))
    needs = [m.name for m in item.iter_markers() if m.name in ROLES or m.name in CAPABILITIES]
    try:
        item.config.stash[RUN].declared.require(*needs)
    except NotApplicable as exc:
        pytest.skip(f"{NOT_APPLICABLE_PREFIX}{exc}")


def _first_line(excinfo: pytest.ExceptionInfo[BaseException] | None) -> str:
    if excinfo is None:
        return "failed"
    text = str(excinfo.value).strip()
    return text.splitlines()[0] if text else type(excinfo.value).__name__


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    if call.excinfo is not None and call.excinfo.errisinstance(NotApplicable):
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, f"{NOT_APPLICABLE_PREFIX}{call.excinfo.value}")
        return report
    requirements = _requirements(item)
    if not requirements:
        return report
    if report.when == "teardown" and TRANSCRIPT in item.stash and not item.stash.get(PASSED, False):
        # Evidence for what did not pass; a passing scenario's exchanges would only bloat the reports.
        exchanges = [asdict(e) for e in item.stash[TRANSCRIPT].exchanges]
        report.user_properties.append(("vpc_transcript", json.dumps(exchanges)))
    if report.when != "call":
        return report
    item.stash[PASSED] = report.passed
    expectations = item.config.stash[RUN].expectations
    expected = [r for r in requirements if r in expectations]
    level = _level(item)
    if report.failed and call.excinfo is not None and not call.excinfo.errisinstance((AssertionError, CandidateError)):
        # Not an assertion about the candidate, nor the candidate raising: the suite itself broke.
        report.user_properties.append(("vpc_suite_error", f"{type(call.excinfo.value).__name__}"))
    elif report.failed and expected:
        report.outcome = "skipped"
        reasons = "; ".join(f"{r}: {expectations[r]}" for r in expected)
        report.wasxfail = f"{EXPECTED_PREFIX}({reasons}): {_first_line(call.excinfo)}"
    elif report.passed and expected:
        report.outcome = "failed"
        report.longrepr = (
            f"unexpected pass: {', '.join(expected)} is listed in the expectations file as failing "
            f"({'; '.join(expectations[r] for r in expected)}), but this scenario passed; remove the entry"
        )
        report.user_properties.append(("vpc_unexpected_pass", "1"))
    elif report.failed and level in {"should", "informative"}:
        prefix = WARN_PREFIX if level == "should" else INFO_PREFIX
        report.outcome = "skipped"
        report.wasxfail = f"{prefix}({level}, {', '.join(requirements)}): {_first_line(call.excinfo)}"
    return report


def _verdict(report: pytest.TestReport) -> Verdict | None:
    props = dict(report.user_properties)
    reason = getattr(report, "wasxfail", "")
    if report.failed:
        if report.when != "call" or "vpc_suite_error" in props:
            return Verdict.ERROR
        return Verdict.UNEXPECTED_PASS if "vpc_unexpected_pass" in props else Verdict.FAIL
    if report.skipped:
        for prefix, verdict in ((WARN_PREFIX, Verdict.WARN), (INFO_PREFIX, Verdict.INFO)):
            if reason.startswith(prefix):
                return verdict
        if reason.startswith(EXPECTED_PREFIX):
            return Verdict.EXPECTED_FAILURE
        longrepr = report.longrepr
        text = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        return Verdict.NOT_APPLICABLE if NOT_APPLICABLE_PREFIX in text else Verdict.ERROR
    if report.when == "call":
        return Verdict.PASS
    return None


@dataclass
class ScenarioResult:
    """Everything a report says about one scenario, gathered from its setup, call and teardown."""

    nodeid: str
    requirements: tuple[str, ...]
    level: str
    verdict: Verdict | None = None
    duration_s: float = 0.0
    message: str = ""
    transcript: list[dict[str, Any]] = field(default_factory=list)


def _message(report: pytest.TestReport) -> str:
    reason = getattr(report, "wasxfail", "")
    if reason:
        return str(reason)
    longrepr = report.longrepr
    if isinstance(longrepr, tuple):
        return str(longrepr[2])
    if longrepr is None:
        return ""
    crash = getattr(longrepr, "reprcrash", None)
    text = str(crash.message) if crash is not None else str(longrepr)[-2000:]
    return text.split("\nassert ", 1)[0]  # the assertion message, without pytest's introspection


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    props = dict(report.user_properties)
    if "vpc_requirements" not in props:
        return
    result = RESULTS.setdefault(
        report.nodeid,
        ScenarioResult(report.nodeid, tuple(str(props["vpc_requirements"]).split(",")), str(props.get("vpc_level"))),
    )
    result.duration_s += report.duration
    if "vpc_transcript" in props:
        result.transcript = json.loads(str(props["vpc_transcript"]))
    verdict = _verdict(report)
    # Setup gives the first verdict (not applicable, error), the call decides, and an
    # error in any phase (a teardown that breaks) overrides.
    if verdict is not None and (result.verdict is None or report.when == "call" or verdict == Verdict.ERROR):
        result.verdict = verdict
        if verdict != Verdict.PASS:
            result.message = _message(report) or result.message


RESULTS: dict[str, ScenarioResult] = {}


def _per_requirement() -> dict[str, list[Verdict]]:
    per_requirement: dict[str, list[Verdict]] = defaultdict(list)
    for result in RESULTS.values():
        for req in result.requirements:
            per_requirement[req].append(result.verdict or Verdict.ERROR)
    return per_requirement


def _scenario_verdicts() -> list[Verdict]:
    return [r.verdict or Verdict.ERROR for r in RESULTS.values()]


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not RESULTS or hasattr(session.config, "workerinput"):
        return
    verdict_claim, status = claim(_scenario_verdicts())
    if exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        session.exitstatus = status
    run = session.config.stash[RUN]
    report_dir = session.config.option.vpc_report_dir
    if report_dir:
        document = report.build_document(
            target=run.target.spec,
            description=run.declared.description,
            roles=run.declared.roles,
            capabilities=run.declared.capabilities,
            seed=run.seed,
            certify=run.certify,
            expectations=run.expectations,
            started=session.config.stash.get(STARTED, time.time()),
            finished=time.time(),
            results=RESULTS,
            reproduce=harness.reproduce_command(
                run.target.spec,
                run.seed,
                session.config.option.vpc_expectations,
                session.config.option.vpc_http_timeout if run.target.remote else None,
            ),
        )
        report.write(Path(report_dir), document, run.credentials.secrets)
    path = session.config.option.vpc_verdict_file
    if path:
        document = {
            "target": run.target.spec,
            "seed": run.seed,
            "claim": verdict_claim,
            "requirements": {req: worst(vs).value for req, vs in sorted(_per_requirement().items())},
            "scenarios": {
                nodeid: {"verdict": (r.verdict or Verdict.ERROR).value, "requirements": list(r.requirements)}
                for nodeid, r in sorted(RESULTS.items())
            },
        }
        Path(path).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if not RESULTS:
        return
    per_scenario: dict[Verdict, int] = defaultdict(int)
    for verdict in _scenario_verdicts():
        per_scenario[verdict] += 1
    per_requirement = _per_requirement()
    rolled: dict[Verdict, int] = defaultdict(int)
    for verdicts in per_requirement.values():
        rolled[worst(verdicts)] += 1
    order = list(Verdict)
    terminalreporter.section("conformance verdicts")
    terminalreporter.line(
        "scenarios:    " + ", ".join(f"{per_scenario[v]} {v.value}" for v in order if per_scenario[v])
    )
    terminalreporter.line("requirements: " + ", ".join(f"{rolled[v]} {v.value}" for v in order if rolled[v]))
    failing = sorted(r for r, vs in per_requirement.items() if worst(vs) in {Verdict.FAIL, Verdict.ERROR})
    verdict_claim, _ = claim(_scenario_verdicts())
    if failing:
        terminalreporter.line("not conformant: " + ", ".join(failing), red=True)
    if verdict_claim.startswith("conformant"):
        terminalreporter.line(f"claim: {verdict_claim} (every applicable MUST requirement passed)", green=True)
    else:
        terminalreporter.line(f"claim: {verdict_claim}", red=True)


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
