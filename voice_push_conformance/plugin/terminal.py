"""The terminal, made for conformance: failures read as scenarios, selection by requirement id.

* Each failed scenario opens with its name, requirement id and level, and the Gherkin step
  that failed, then the check's message. The Python traceback (pytest and pytest-bdd
  internals) is shown only with ``--tb=long`` (or ``--tb=native``); suite errors, which are
  the suite's own bugs, keep it always.
* Every requirement id is a registered marker on its scenarios: ``-m TOKEN-SIGNATURE``
  selects exactly that requirement; ``-k TOKEN-SIGNATURE`` works too (pytest's ``-k`` matches
  substrings, so it also picks longer ids that contain it). Every profile is one as well:
  ``-m profile-late-notification-workaround``.
* The end of a run lists the report files it wrote.

Registered in the root ``conftest.py``, next to the verdict plugin whose per-phase record
(``report.vpc``: scenario, steps, the failed step, requirements, level, outcome, message) is
all it reads: the terminal keeps no bookkeeping of its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from voice_push_conformance.judging import catalogue
from voice_push_conformance.judging.verdicts import Outcome

_FULL_TRACEBACK = {"long", "native"}
_REPORT_FILES = ("report.json", "report.html", "junit.xml", "cucumber.json")


def pytest_configure(config: pytest.Config) -> None:
    """Registers the terminal output and one marker per requirement, so ``-m REQ-ID`` works."""
    config.pluginmanager.register(_Terminal(config), "vpc-terminal")
    for req in sorted(catalogue.load()):
        config.addinivalue_line("markers", f"{req}: scenarios checking requirement {req} (requirements.toml)")
    for profile in catalogue.PROFILES:
        config.addinivalue_line("markers", f"{PROFILE_MARK}{profile.name}: scenarios of the {profile.name} profile")


PROFILE_MARK = "profile-"  # -m profile-voice-service; a bare name would clash with the role markers


@pytest.hookimpl(tryfirst=True)  # before -m and -k deselect
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Adds each scenario's requirement as a marker before ``-m`` and ``-k`` deselect."""
    known = catalogue.load()
    for item in items:
        for marker in list(item.iter_markers("requirement")):
            req = str(marker.args[0])
            item.add_marker(req)
            if req in known:
                item.add_marker(f"{PROFILE_MARK}{known[req].profile}")


def _failed_step(recorded: dict[str, Any]) -> str:
    """The step that raised, as the verdict plugin recorded it (conjunctions shown as their type)."""
    index, steps = recorded.get("failed_step"), recorded.get("steps") or []
    if not isinstance(index, int) or not 0 <= index < len(steps):
        return ""
    return f"{steps[index]['keyword']}{steps[index]['text']}"


class ConformanceFailure:
    """A failure's body as the terminal shows it; quacks like pytest's longrepr."""

    def __init__(self, lines: list[str], path: str, lineno: int, message: str) -> None:
        self.lines = lines
        self.reprcrash = _Crash(path, lineno, message)

    def toterminal(self, out: Any) -> None:
        for line in self.lines:
            out.line(line)

    def __str__(self) -> str:
        return "\n".join(self.lines)


class _Crash:
    def __init__(self, path: str, lineno: int, message: str) -> None:
        self.path = path
        self.lineno = lineno
        self.message = message


class _Terminal:
    """The parts that need the run's configuration (the log-report hook is not given it)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    @pytest.hookimpl(trylast=True)  # after the verdicts, junit and the reports have read the original
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        recorded: dict[str, Any] = getattr(report, "vpc", {})
        if report.when != "call" or not report.failed or not recorded or self.config.option.tbstyle in _FULL_TRACEBACK:
            return
        if recorded.get("outcome") == Outcome.SUITE_ERROR:
            return  # the suite's own bug: the traceback is the useful part
        scenario = str(recorded.get("name") or report.nodeid)
        requirements = ",".join(recorded.get("requirements", []))
        level = str(recorded.get("level", ""))
        known = catalogue.load()
        lines = [f"Scenario: {scenario}"]
        for req in requirements.split(","):
            statement = f": {known[req].statement}" if req in known else ""
            lines.append(f"Requirement: {req} ({level}){statement}")
        step = _failed_step(recorded)
        if step:
            lines.append(f"Failed step: {step}")
        message = str(recorded.get("message", ""))
        lines += ["", message, "", f"({report.nodeid}; --tb=long shows the Python traceback)"]
        path, lineno, _ = report.location
        first = message.splitlines()[0] if message else ""
        report.longrepr = ConformanceFailure(lines, str(path), (lineno or 0) + 1, first)  # type: ignore[assignment]
        report.location = (path, lineno, f"{scenario} — {requirements} ({level})")

    @pytest.hookimpl(trylast=True)  # after the verdicts summary
    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        written: list[str] = []
        report_dir = getattr(self.config.option, "vpc_report_dir", None)
        if report_dir:
            written += [str(Path(report_dir) / name) for name in _REPORT_FILES if (Path(report_dir) / name).is_file()]
        verdict_file = getattr(self.config.option, "vpc_verdict_file", None)
        if verdict_file and Path(verdict_file).is_file():
            written.append(str(verdict_file))
        if written:
            terminalreporter.line("reports: " + ", ".join(written))
