"""pytest plugin for ``--bundle DIR``: the run's reports plus a manifest anyone can re-check.

The reports go where --report-dir would put them; after the suite's own plugin has written
them, this one adds manifest.json (voice_push_conformance.report.manifest). A run narrowed with -k, -m,
--deselect or node ids, or stopped early (-x), is recorded as partial, so no badge can be
minted from it.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

import pytest

from voice_push_conformance.plugin.settings import RUN, narrowing
from voice_push_conformance.report import manifest

BUNDLE_DIR = pytest.StashKey[Path]()
DESELECTED = pytest.StashKey[int]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """Adds ``--bundle DIR``, the one option that turns a run into a verifiable evidence bundle."""
    parser.getgroup("voice-push-conformance").addoption(
        "--bundle",
        dest="vpc_bundle",
        default=None,
        metavar="DIR",
        help="write the reports and a manifest (hashes, seed, target, environment) to the new or empty DIR; "
        "check it with 'python -m voice_push_conformance.tools.bundle verify DIR'",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """Before the suite's plugin configures itself: the bundle directory is the report directory."""
    raw = config.option.vpc_bundle
    if not raw:
        return
    directory = Path(raw)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise pytest.UsageError(f"--bundle {raw}: must be a new or empty directory, so it holds only this run")
    report_dir = config.option.vpc_report_dir
    if report_dir and Path(report_dir).resolve() != directory.resolve():
        raise pytest.UsageError("--bundle writes the reports itself: drop --report-dir")
    config.option.vpc_report_dir = str(directory)
    config.stash[BUNDLE_DIR] = directory


def pytest_deselected(items: list[pytest.Item]) -> None:
    """Counts deselected scenarios, so a narrowed run is recorded as partial in the manifest."""
    if items:
        config = items[0].config
        config.stash[DESELECTED] = config.stash.get(DESELECTED, 0) + len(items)


def _partial_reasons(session: pytest.Session) -> list[str]:
    """Why this run may not have run every scenario (under xdist, deselection happens on the workers)."""
    config = session.config
    reasons = narrowing(config)
    deselected = config.stash.get(DESELECTED, 0)
    if deselected:
        reasons.append(f"{deselected} scenario(s) deselected")
    if session.shouldstop:
        reasons.append(f"stopped early: {session.shouldstop}")
    return reasons


@pytest.hookimpl(wrapper=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> Generator[None, None, None]:
    """After every other sessionfinish (the reports are written by then), add the manifest."""
    yield
    config = session.config
    if BUNDLE_DIR not in config.stash or hasattr(config, "workerinput"):
        return
    directory = config.stash[BUNDLE_DIR]
    if not (directory / "report.json").exists():
        return  # nothing ran; the suite's own message says why
    expectations = config.option.vpc_expectations
    manifest.write_manifest(
        directory,
        command=["pytest", *config.invocation_params.args],
        expectations=Path(expectations) if expectations else None,
        partial_reasons=_partial_reasons(session),
        secrets=config.stash[RUN].credentials.secrets if RUN in config.stash else (),
    )
