"""The run's settings and the stash keys every part of the plugin shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from voice_push_conformance.bindings.targets import TargetSpec
from voice_push_conformance.clock import MS_PER_DAY
from voice_push_conformance.credentials import Credentials
from voice_push_conformance.observers.transcript import Transcript
from voice_push_conformance.paths import ROOT
from voice_push_conformance.target import Candidate

# The manual clock starts somewhere in 2026, moved by the seed, so no scenario can lean
# on a particular date.
EPOCH_2026_MS = 1_767_225_600_000


@dataclass(frozen=True)
class RunSettings:
    """What ``pytest_configure`` resolved once, so every hook and fixture reads the same run."""

    seed: int
    target: TargetSpec
    credentials: Credentials
    declared: Candidate  # the candidate as built once for the run header and applicability
    expectations: dict[str, str] = field(default_factory=dict)  # requirement id -> reason
    certify: bool = False
    expectations_file: dict[str, str] | None = None  # path and sha256 of the file read

    def start_ms(self, scenario_seed: int) -> int:
        """Where a scenario's manual clock starts, so dates vary with the seed yet replay exactly."""
        return EPOCH_2026_MS + scenario_seed % (365 * MS_PER_DAY)


RUN = pytest.StashKey[RunSettings]()
STARTED = pytest.StashKey[float]()
PASSED = pytest.StashKey[bool]()
# The scenario's transcript, for reports (read it from item.stash in a makereport hook).
TRANSCRIPT = pytest.StashKey[Transcript]()


def narrowing(config: pytest.Config) -> list[str]:
    """The options that make a run cover less than every scenario in the features.

    ``--certify`` refuses them, and a bundle's manifest records them as why a run was partial.
    """
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
