"""The run header: enough to know what was tested and to replay the run."""

from __future__ import annotations

from collections import Counter

import pytest

from voice_push_conformance import __version__
from voice_push_conformance.judging import catalogue
from voice_push_conformance.plugin.marks import scenario_counts
from voice_push_conformance.plugin.settings import RUN


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Target, roles, profiles, seed, catalogue size, credentials and expectations, before any scenario runs."""
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
    """The header names optional profiles left unclaimed, whose findings only inform."""
    missing = [p for p in catalogue.OPTIONAL_PROFILES if p not in claimed]
    return f"; not claimed (findings informative only): {', '.join(missing)}" if missing else ""


def _catalogue_line() -> str:
    """The catalogue's size and coverage, so a reader sees how much the run can judge."""
    known = catalogue.load()
    levels = Counter(r.level for r in known.values())
    held = scenario_counts()
    return (
        f"catalogue: {len(known)} requirements ({levels['must']} MUST, {levels['should']} SHOULD, "
        f"{levels['informative']} informative), {sum(1 for r in known if held.get(r))} with scenarios; "
        f"{sum(held.values())} scenarios in the features"
    )
