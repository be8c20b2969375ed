"""The suite's pytest plugin: target selection, seed, run header, tags and verdicts."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from collections import defaultdict
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import responses

from voice_push_conformance import __version__, adapters, catalogue
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
    INFO_PREFIX,
    NOT_APPLICABLE_PREFIX,
    WARN_PREFIX,
    Verdict,
    worst,
)
from voice_push_conformance.world import SuiteRegistrar, World

# The manual clock starts somewhere in 2026, moved by the seed, so no scenario can lean
# on a particular date.
_EPOCH_2026_MS = 1_767_225_600_000


@dataclass(frozen=True)
class RunSettings:
    seed: int
    target: TargetSpec
    credentials: Credentials
    declared: Candidate  # the candidate as built once for the run header and applicability

    def start_ms(self, scenario_seed: int) -> int:
        return _EPOCH_2026_MS + scenario_seed % (365 * MS_PER_DAY)


RUN = pytest.StashKey[RunSettings]()
# The scenario's transcript, for reports (read it from item.stash in a makereport hook).
TRANSCRIPT = pytest.StashKey[Transcript]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("voice-push-conformance")
    group.addoption(
        "--target",
        dest="vpc_target",
        default=os.environ.get("VPC_TARGET", "reference"),
        help="implementation under test: 'reference' (default), 'mutant:NAME', 'package.module:factory', "
        "an HTTP harness URL 'http://host:port', or 'reference-http' to serve the reference over HTTP "
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


def pytest_configure(config: pytest.Config) -> None:
    seed = _seed(config)
    try:
        target = adapters.resolve(config.option.vpc_target, config.option.vpc_http_timeout)
        credentials = credentials_from_env(seed)
        probe_context = HarnessContext(clock=ManualClock(_EPOCH_2026_MS), credentials=credentials)
        declared = target.build(probe_context)
        if declared.close is not None:
            declared.close()
        catalogue.load()
    except (TargetError, CredentialsError, catalogue.CatalogueError) as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[RUN] = RunSettings(seed, target, credentials, declared)
    config.add_cleanup(_stop_target(target))
    if config.pluginmanager.hasplugin("xdist") and not hasattr(config, "workerinput"):
        config.pluginmanager.register(_ShareSeedWithWorkers(seed), "vpc-xdist-seed")


def _stop_target(target: TargetSpec) -> Callable[[], None]:
    def stop() -> None:
        if target.stop is not None:
            target.stop()
        if target.remote:
            from voice_push_conformance.loopback import LoopbackServer  # noqa: PLC0415 - HTTP runs only

            LoopbackServer.shutdown_instance()

    return stop


def pytest_report_header(config: pytest.Config) -> list[str]:
    run = config.stash[RUN]
    declared = run.declared
    return [
        f"voice-push-conformance {__version__}",
        f"target: {run.target.spec} ({declared.description})",
        f"roles: {', '.join(declared.roles) or 'none'}; "
        f"capabilities: {', '.join(sorted(declared.capabilities)) or 'none'}",
        f"seed: {run.seed} (replay with --seed {run.seed})",
        f"credentials: {run.credentials.describe()}",
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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    if call.excinfo is not None and call.excinfo.errisinstance(NotApplicable):
        report.outcome = "skipped"
        report.longrepr = (
            str(item.path),
            item.location[1] or 0,
            f"{NOT_APPLICABLE_PREFIX}{call.excinfo.value}",
        )
        return report
    level = _level(item)
    if report.when == "call" and report.failed and level in {"should", "informative"}:
        first_line = str(call.excinfo.value).strip().splitlines()[0] if call.excinfo else "failed"
        prefix = WARN_PREFIX if level == "should" else INFO_PREFIX
        report.outcome = "skipped"
        report.wasxfail = f"{prefix}({level}, {', '.join(_requirements(item))}): {first_line}"
    return report


def _verdict(report: pytest.TestReport) -> Verdict | None:
    reason = getattr(report, "wasxfail", "")
    if report.failed:
        return Verdict.FAIL if report.when == "call" else Verdict.ERROR
    if report.skipped:
        if reason.startswith(WARN_PREFIX):
            return Verdict.WARN
        if reason.startswith(INFO_PREFIX):
            return Verdict.INFO
        longrepr = report.longrepr
        text = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        return Verdict.NOT_APPLICABLE if NOT_APPLICABLE_PREFIX in text else Verdict.ERROR
    if report.when == "call":
        return Verdict.PASS
    return None


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    props = dict(report.user_properties)
    if "vpc_requirements" not in props:
        return
    verdict = _verdict(report)
    if verdict is None:
        return
    store = _verdict_store
    requirements = tuple(str(props["vpc_requirements"]).split(","))
    previous = store.get(report.nodeid)
    if previous is None or verdict != Verdict.PASS:
        store[report.nodeid] = (verdict, requirements)


_verdict_store: dict[str, tuple[Verdict, tuple[str, ...]]] = {}


def _per_requirement() -> dict[str, list[Verdict]]:
    per_requirement: dict[str, list[Verdict]] = defaultdict(list)
    for verdict, requirements in _verdict_store.values():
        for req in requirements:
            per_requirement[req].append(verdict)
    return per_requirement


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    path = session.config.option.vpc_verdict_file
    if not path or hasattr(session.config, "workerinput"):
        return
    run = session.config.stash[RUN]
    document = {
        "target": run.target.spec,
        "seed": run.seed,
        "requirements": {req: worst(vs).value for req, vs in sorted(_per_requirement().items())},
        "scenarios": {
            nodeid: {"verdict": verdict.value, "requirements": list(reqs)}
            for nodeid, (verdict, reqs) in sorted(_verdict_store.items())
        },
    }
    Path(path).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if not _verdict_store:
        return
    per_scenario: dict[Verdict, int] = defaultdict(int)
    for verdict, _ in _verdict_store.values():
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
    if failing:
        terminalreporter.line("not conformant: " + ", ".join(failing), red=True)
    elif rolled[Verdict.PASS] or rolled[Verdict.WARN] or rolled[Verdict.INFO]:
        terminalreporter.line("every applicable MUST requirement passed", green=True)


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
    if run.target.remote:
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
            candidate = run.target.build(context)
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
            if not run.target.remote:
                sink.install(stack.enter_context(responses.RequestsMock(assert_all_requests_are_fired=False)))
            if candidate.close is not None:
                stack.callback(candidate.close)
            yield world
    finally:
        if loopback_id is not None:
            from voice_push_conformance.loopback import LoopbackServer  # noqa: PLC0415

            LoopbackServer.instance().detach(loopback_id)
        CURRENT_TRANSCRIPT.reset(token)
        request.node.stash[TRANSCRIPT] = record
