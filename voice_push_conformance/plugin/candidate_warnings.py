"""The candidate is judged on what it does, not on the warnings its code raises.

``filterwarnings = ["error"]`` keeps the suite's own code strict. A warning raised by the
candidate (a push library deprecating the call a service must make, say) is not the
implementation breaking a rule, so while a scenario runs this plugin decides, for each
warning at the moment it is raised, whose it is:

* the candidate's, when it is raised during a call into the candidate (the context flag
  :data:`voice_push_conformance.world.IN_CANDIDATE`, set by ``call_candidate`` and around the
  factory and ``close``), whatever module it is attributed to: libraries attribute
  deprecations to their caller, which is often the suite's own line;
* the candidate's, when it is raised on a thread other than the main one and attributed to
  a file outside the suite (a worker thread the candidate started: the context flag does not
  follow it there);
* otherwise the suite's, and it is raised as an error exactly as ``"error"`` would.

The candidate's warnings never change a verdict. They are notes:

* on every test report of a scenario phase that saw some, as
  ``report.user_properties`` entry ``("vpc_warnings", <JSON array>)``; each element is
  ``{"when", "category", "message", "location", "count"}`` (identical warnings of one phase
  are counted, not repeated), sorted, scrubbed of secrets like every report;
* read them from a report with :func:`notes`;
* on the controller, in :data:`NOTES` (node id -> those elements, every phase) and in the
  terminal section "candidate warnings"; warnings raised while importing and probing the
  target, before any scenario, are filed under the node id ``""`` (there, on the main
  thread, a warning blamed on a file outside the suite is the candidate's: its modules
  are being imported).
"""

from __future__ import annotations

import contextlib
import json
import threading
import warnings
from collections import Counter
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import pytest

from voice_push_conformance.paths import ROOT
from voice_push_conformance.secrecy import Secret, scrub
from voice_push_conformance.world import IN_CANDIDATE

PROPERTY = "vpc_warnings"
MAX_MESSAGE = 1_000  # a note, not a dump: a warning may quote a whole payload
# The package itself is found by its own location: installed from a wheel, ROOT is its _suite/ data.
SUITE_CODE = (Path(__file__).resolve().parent.parent, ROOT / "steps", ROOT / "tests", ROOT / "conftest.py")
NOT_SUITE_CODE = (ROOT / "tests" / "candidates",)  # the self-tests' own candidates

# Node id -> notes, gathered on the controller (under xdist, from the workers' reports).
NOTES: dict[str, list[dict[str, Any]]] = {}
_CAUGHT = pytest.StashKey[list["CandidateWarning"]]()


@dataclass(frozen=True)
class CandidateWarning:
    """One warning the candidate raised, kept as a note because it never changes a verdict."""

    when: str
    category: str
    message: str
    location: str


def is_suite_file(filename: str) -> bool:
    """The suite's own code: its package, steps, self-tests and root conftest (not test candidates)."""
    try:
        path = Path(filename).resolve()
    except (OSError, ValueError):
        return False
    return any(path.is_relative_to(p) for p in SUITE_CODE) and not any(path.is_relative_to(p) for p in NOT_SUITE_CODE)


def raised_by_candidate(filename: str, *, loading: bool = False) -> bool:
    """Whose warning this is, decided on the thread that raised it (see the module docstring).

    ``loading``: while the target is imported, the main thread runs the candidate's module
    code too, so there the file the warning is blamed on decides as well.
    """
    if IN_CANDIDATE.get():
        return True
    if threading.current_thread() is threading.main_thread() and not loading:
        return False
    return not is_suite_file(filename)


def _location(filename: str, lineno: int) -> str:
    path = Path(filename)
    with contextlib.suppress(ValueError):
        path = path.resolve().relative_to(ROOT)
    return f"{path.as_posix()}:{lineno}"


class _Catcher:
    """A ``warnings.showwarning`` that keeps the candidate's warnings and raises the suite's."""

    def __init__(self, when: str) -> None:
        self.when = when
        self.loading = when == "configure"
        self.caught: list[CandidateWarning] = []
        self._lock = threading.Lock()

    def showwarning(
        self,
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        if not raised_by_candidate(filename, loading=self.loading):
            raise message if isinstance(message, Warning) else category(message)
        text = str(message)
        if len(text) > MAX_MESSAGE:
            text = text[:MAX_MESSAGE] + f"… [{len(text) - MAX_MESSAGE} more characters]"
        note = CandidateWarning(self.when, category.__name__, text, _location(filename, lineno))
        with self._lock:
            self.caught.append(note)


@contextlib.contextmanager
def candidate_warnings_tolerated(when: str) -> Iterator[list[CandidateWarning]]:
    """Inside: every warning reaches the catcher, which decides (instead of the filters) whose it is.

    Entered only on the main thread, at phase boundaries, as pytest itself does.
    """
    catcher = _Catcher(when)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = catcher.showwarning
        yield catcher.caught


@contextlib.contextmanager
def probing_the_target() -> Iterator[None]:
    """Importing the target and probing its factory at configure time (mark the factory's calls
    with ``run_as_candidate``; an imported candidate module is told apart by its file)."""
    with candidate_warnings_tolerated("configure") as raised:
        try:
            yield
        finally:
            if raised:
                NOTES[""] = summarise(raised)


def _is_scenario(item: pytest.Item) -> bool:
    return item.get_closest_marker("requirement") is not None


def _phase(item: pytest.Item, when: str) -> Generator[None, Any, Any]:
    if not _is_scenario(item):
        return (yield)
    with candidate_warnings_tolerated(when) as caught:
        try:
            return (yield)
        finally:
            item.stash.setdefault(_CAUGHT, []).extend(caught)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, Any, Any]:
    """Sorts the warnings of a scenario's setup into the candidate's and the suite's."""
    return (yield from _phase(item, "setup"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    """Sorts the warnings of a scenario's steps into the candidate's and the suite's."""
    return (yield from _phase(item, "call"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, Any, Any]:
    """Sorts the warnings of a scenario's teardown into the candidate's and the suite's."""
    return (yield from _phase(item, "teardown"))


def summarise(caught: list[CandidateWarning]) -> list[dict[str, Any]]:
    """Identical warnings counted once, in a stable order."""
    counts = Counter(caught)
    return [
        {"when": n.when, "category": n.category, "message": n.message, "location": n.location, "count": counts[n]}
        for n in sorted(counts, key=lambda n: (n.when, n.category, n.message, n.location))
    ]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """Attaches the phase's candidate warnings to its report, where they survive xdist."""
    report = yield
    phase = [n for n in item.stash.get(_CAUGHT, []) if n.when == report.when]
    if phase:
        report.user_properties.append((PROPERTY, json.dumps(summarise(phase), ensure_ascii=False)))
    return report


def notes(report: pytest.TestReport) -> list[dict[str, Any]]:
    """The candidate's warnings one report carries (for report writers: read every phase)."""
    found: list[dict[str, Any]] = []
    for name, value in report.user_properties:
        if name == PROPERTY:
            found.extend(json.loads(str(value)))
    return found


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Collects the notes of every report on the controller, for the terminal summary."""
    found = notes(report)
    if found:
        NOTES.setdefault(report.nodeid, []).extend(found)


def _secrets(config: pytest.Config) -> tuple[Secret, ...]:
    from voice_push_conformance.plugin.settings import RUN  # noqa: PLC0415 - the plugin imports this module

    run = config.stash.get(RUN, None)
    return () if run is None else run.credentials.secrets


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Prints the candidate's warnings once each, counted, so a reader sees them without a failure."""
    if hasattr(config, "workerinput"):
        return
    if not NOTES:
        return
    totals: Counter[tuple[str, str, str]] = Counter()
    scenarios: dict[tuple[str, str, str], set[str]] = {}
    for nodeid, notes in NOTES.items():
        for note in notes:
            key = (note["category"], note["message"], note["location"])
            totals[key] += int(note["count"])
            scenarios.setdefault(key, set()).add(nodeid)
    secrets = _secrets(config)
    terminalreporter.section("candidate warnings")
    terminalreporter.line("raised by the candidate's code: notes on the scenarios, no verdict changed")
    for key in sorted(totals):
        category, message, location = key
        places = [f"in {n} scenario(s)" for n in [len(scenarios[key] - {""})] if n]
        places += ["while loading the target"] if "" in scenarios[key] else []
        terminalreporter.line(
            scrub(f"{totals[key]}x {category}: {message} ({location}), {' and '.join(places)}", secrets)
        )
