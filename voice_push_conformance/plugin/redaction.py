"""Last line of defence: no configured secret and no JWT signature leaves the process.

Steps already keep secrets out of what they show (no ``reveal()`` inside an assertion,
no assertion rewriting in step modules). This plugin catches what slips through anyway:

* every test report is scrubbed before anyone reads it (the terminal's failure text and
  short summary, JUnit, Cucumber, xdist's copy sent to the controller, the verdicts),
  including captured output and logs, tracebacks, function arguments and locals;
* every log record, before any handler formats it (captured, live and file logs);
* at the very end, every file the run wrote (``--junitxml``, ``--cucumberjson``,
  ``--verdict-file``, everything in ``--report-dir``) is scrubbed once more.

The one redaction function is :func:`voice_push_conformance.secrecy.scrub`.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Generator, Iterable
from pathlib import Path
from typing import Any

import pytest

from voice_push_conformance.plugin.settings import RUN
from voice_push_conformance.secrecy import Secret, scrub


def _secrets(config: pytest.Config) -> tuple[Secret, ...] | None:
    run = config.stash.get(RUN, None)
    return None if run is None else run.credentials.secrets


def scrub_object(value: Any, secrets: Iterable[Secret], seen: set[int] | None = None) -> Any:
    """``value`` with every string inside scrubbed: lists, dicts and dataclasses in place, tuples rebuilt.

    pytest's failure representations are trees of dataclasses (traceback entries, source
    lines, function arguments, locals, the crash line), so this reaches every string
    they print without depending on their exact layout.
    """
    hidden = tuple(secrets)
    seen = set() if seen is None else seen
    if isinstance(value, str):
        return scrub(value, hidden)
    if id(value) in seen:
        return value
    if isinstance(value, list):
        seen.add(id(value))
        value[:] = [scrub_object(v, hidden, seen) for v in value]
    elif isinstance(value, tuple):
        return tuple(scrub_object(v, hidden, seen) for v in value)
    elif isinstance(value, dict):
        seen.add(id(value))
        for key in list(value):
            value[key] = scrub_object(value[key], hidden, seen)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        seen.add(id(value))
        for f in dataclasses.fields(value):
            object.__setattr__(value, f.name, scrub_object(getattr(value, f.name), hidden, seen))
    return value


def scrub_report(report: pytest.TestReport | pytest.CollectReport, secrets: Iterable[Secret]) -> None:
    """Scrub everything a report carries to the terminal, the XML/JSON writers and xdist."""
    hidden = tuple(secrets)
    seen: set[int] = set()
    report.longrepr = scrub_object(report.longrepr, hidden, seen)
    report.sections = scrub_object(report.sections, hidden, seen)
    if isinstance(getattr(report, "wasxfail", None), str):
        report.wasxfail = scrub(report.wasxfail, hidden)  # type: ignore[union-attr]
    if isinstance(report, pytest.TestReport):
        report.user_properties = scrub_object(list(report.user_properties), hidden, seen)
    scenario = getattr(report, "scenario", None)  # pytest-bdd's serialised scenario, read by its Cucumber writer
    if isinstance(scenario, dict):
        scrub_object(scenario, hidden, seen)
    # The verdict plugin's per-phase record (message, steps, transcript): the terminal reads it too.
    recorded = getattr(report, "vpc", None)
    if isinstance(recorded, dict):
        scrub_object(recorded, hidden, seen)


@pytest.hookimpl(wrapper=True, tryfirst=True)  # outermost: scrub the report after every plugin has shaped it
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """Scrubs secrets from every report after all plugins have shaped it."""
    report = yield
    secrets = _secrets(item.config)
    if secrets is not None:
        scrub_report(report, secrets)
    return report


class _ScrubbingRecordFactory:
    """Wraps logging's record factory: every record is scrubbed once, before any handler sees it.

    That covers captured logs, live logs (``--log-cli-level``) and ``--log-file`` alike,
    whoever logged: the suite, the candidate or a library.
    """

    def __init__(self, inner: Callable[..., logging.LogRecord], secrets: tuple[Secret, ...]) -> None:
        self.inner = inner
        self.secrets = secrets

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.inner(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed format string: logging reports it later, as ever
            return record
        cleaned = scrub(message, self.secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return record


@pytest.hookimpl(trylast=True)  # after the suite's plugin has settled the run's credentials
def pytest_configure(config: pytest.Config) -> None:
    """Scrubs secrets from every log record, so no handler can write one."""
    secrets = _secrets(config)
    if secrets is None:
        return
    factory = _ScrubbingRecordFactory(logging.getLogRecordFactory(), secrets)
    logging.setLogRecordFactory(factory)
    config.add_cleanup(lambda: logging.setLogRecordFactory(factory.inner))


def written_files(config: pytest.Config) -> list[Path]:
    """Every file this run was asked to write."""
    option = config.option
    paths = [getattr(option, name, None) for name in ("xmlpath", "cucumber_json_path", "vpc_verdict_file")]
    found = {Path(p) for p in paths if p}
    report_dir = getattr(option, "vpc_report_dir", None)
    if report_dir and Path(report_dir).is_dir():
        found |= {p for p in Path(report_dir).rglob("*") if p.is_file()}
    return sorted(p for p in found if p.is_file())


def scrub_file(path: Path, secrets: Iterable[Secret]) -> bool:
    """Rewrite ``path`` scrubbed; True when something had to be removed."""
    original = path.read_bytes().decode("utf-8", errors="surrogateescape")
    cleaned = scrub(original, secrets)
    if cleaned == original:
        return False
    path.write_bytes(cleaned.encode("utf-8", errors="surrogateescape"))
    return True


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """After every writer has finished (JUnit and Cucumber write at session finish)."""
    secrets = _secrets(config)
    if secrets is None or hasattr(config, "workerinput"):
        return
    for path in written_files(config):
        scrub_file(path, secrets)
