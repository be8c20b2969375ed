"""pytest plugin: faults of an HTTP target that are not verdicts on the implementation.

The HTTP connection detects them (``voice_push_conformance.bindings.connection``); this plugin only
carries them to the reports and stops the run:

- a session ``DELETE`` that failed or hung is a note on its scenario: the user property
  ``vpc_notes`` (a JSON list of strings) on the scenario's teardown report, which JUnit
  and any ``pytest_runtest_logreport`` reader see, and a "notes" section in the terminal;
- once the target counts as gone (``MAX_CONNECTION_FAILURES`` connection failures in a
  row), the run stops (``session.shouldstop``), the teardown report carries
  ``vpc_target_unreachable``, the scenarios that did not run are listed as not run, and
  the exit status is 3 (could not run).

Kept apart from ``plugin/outcomes.py`` and ``plugin/decide.py`` so the verdict logic stays in one place.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Generator, Sequence
from typing import Any

import pytest

from voice_push_conformance.judging.verdicts import EXIT_COULD_NOT_RUN

NOTES_PROPERTY = "vpc_notes"
UNREACHABLE_PROPERTY = "vpc_target_unreachable"
_HTTP_ADAPTER = "voice_push_conformance.bindings.connection"


class TargetFaults:
    """The plugin's state and hooks, one per pytest run; on the xdist controller it reads the workers' reports."""

    def __init__(self) -> None:
        self.collected: set[str] = set()
        self.reported: set[str] = set()
        self.notes: dict[str, list[str]] = {}
        self.unreachable: str | None = None

    def not_run(self) -> list[str]:
        """Node ids collected but never reported, sorted: after a stop, the scenarios that did not run."""
        return sorted(self.collected - self.reported)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.collected.update(item.nodeid for item in session.items)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: Sequence[str]) -> None:
        self.collected.update(ids)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
        report = yield
        adapter = sys.modules.get(_HTTP_ADAPTER)  # loaded only when the target is reached over HTTP or a token URL
        if report.when != "teardown" or adapter is None:
            return report
        notes = adapter.take_notes()
        if notes:
            report.user_properties.append((NOTES_PROPERTY, json.dumps(notes)))
        reason = adapter.unreachable()
        if reason is not None:
            report.user_properties.append((UNREACHABLE_PROPERTY, reason))
            item.session.shouldstop = f"the target stopped answering: {reason}"
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.reported.add(report.nodeid)
        for name, value in report.user_properties:
            if name == NOTES_PROPERTY:
                self.notes.setdefault(report.nodeid, []).extend(json.loads(str(value)))
            elif name == UNREACHABLE_PROPERTY and self.unreachable is None:
                self.unreachable = str(value)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.unreachable is not None and not hasattr(session.config, "workerinput"):
            session.exitstatus = EXIT_COULD_NOT_RUN

    def pytest_terminal_summary(self, terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
        if self.notes:
            terminalreporter.section("notes (not verdicts)")
            for nodeid, notes in sorted(self.notes.items()):
                for note in notes:
                    terminalreporter.line(f"{nodeid}: {note}")
        if self.unreachable is not None:
            missing = self.not_run()
            terminalreporter.section("run stopped: could not run")
            terminalreporter.line(f"the target stopped answering: {self.unreachable}", red=True)
            terminalreporter.line(f"{len(missing)} scenario(s) not run (neither passed nor failed):")
            for nodeid in missing:
                terminalreporter.line(f"  not run: {nodeid}")


PLUGIN_NAME = "vpc-target-faults"


def pytest_configure(config: pytest.Config) -> None:
    """Registers the plugin that tracks a target going away mid-run."""
    config.pluginmanager.register(TargetFaults(), PLUGIN_NAME)


def not_run(config: pytest.Config) -> list[str]:
    """The scenarios of this run that did not run (empty unless the run stopped)."""
    plugin = config.pluginmanager.get_plugin(PLUGIN_NAME)
    return plugin.not_run() if isinstance(plugin, TargetFaults) else []
