"""Command-line options and run settings: target, seed (shared with xdist workers),
expectations file and the certification run's refusal of any selection."""

from __future__ import annotations

import hashlib
import os
import secrets
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from voice_push_conformance import schemas
from voice_push_conformance.bindings import targets
from voice_push_conformance.bindings.targets import TargetError, TargetSpec
from voice_push_conformance.clock import ManualClock
from voice_push_conformance.credentials import CredentialsError, credentials_from_env
from voice_push_conformance.judging import catalogue
from voice_push_conformance.plugin import candidate_warnings
from voice_push_conformance.plugin.settings import EPOCH_2026_MS, RUN, STARTED, RunSettings, narrowing
from voice_push_conformance.target import HarnessContext
from voice_push_conformance.world import run_as_candidate


def pytest_addoption(parser: pytest.Parser) -> None:
    """The suite's options, each with an environment variable where a CI job would set it."""
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
    """The run's seed: the controller's on an xdist worker, else the option, else a random one."""
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
        """Keep the controller's seed for the workers it starts."""
        self.seed = seed

    def pytest_configure_node(self, node: Any) -> None:
        """Hand the seed to a worker as it starts."""
        node.workerinput["vpc_seed"] = self.seed


@pytest.hookimpl(tryfirst=True)  # the run settings exist before any other plugin's configure
def pytest_configure(config: pytest.Config) -> None:
    """Resolve the target, seed, credentials and expectations once, or stop with a one-line usage error."""
    seed = _seed(config)
    report_dir = config.option.vpc_report_dir
    if report_dir:
        config.stash[STARTED] = time.time()
        try:
            Path(report_dir).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise pytest.UsageError(f"--report-dir {report_dir}: {exc}") from None
    try:
        credentials = credentials_from_env(seed)
        probe_context = HarnessContext(clock=ManualClock(EPOCH_2026_MS), credentials=credentials)
        with candidate_warnings.probing_the_target():  # the target's warnings are notes, not errors
            target = targets.resolve(config.option.vpc_target, config.option.vpc_http_timeout)
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
        selection = narrowing(config)
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
    """The cleanup that stops a spawned target and the loopback server when pytest exits."""

    def stop() -> None:
        """Stop what the run started, even when pytest stops early."""
        if target.stop is not None:
            target.stop()
        loopback = sys.modules.get("voice_push_conformance.observers.loopback")  # loaded only if some scenario used it
        if loopback is not None:
            loopback.LoopbackServer.shutdown_instance()

    return stop
