"""The run's settings and the stash keys every part of the plugin shares."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from voice_push_conformance.adapters import TargetSpec
from voice_push_conformance.clock import MS_PER_DAY
from voice_push_conformance.credentials import Credentials
from voice_push_conformance.target import Candidate
from voice_push_conformance.transcript import Transcript

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
