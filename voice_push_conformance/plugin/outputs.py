"""The run's outputs: exit status, report files, the verdict file and the terminal summary,
all rendered from one decided document."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from voice_push_conformance import report
from voice_push_conformance.judging.verdicts import CONFORMANT, Verdict
from voice_push_conformance.plugin import reproduce
from voice_push_conformance.plugin.decide import Decided, decide_run
from voice_push_conformance.plugin.outcomes import RESULTS
from voice_push_conformance.plugin.settings import RUN, STARTED

DECIDED = pytest.StashKey[Decided]()
DOCUMENT = pytest.StashKey[dict[str, Any]]()  # the run's report document, which every output renders


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Decide the run once, set the exit status from the claim and write every requested file."""
    if not RESULTS or hasattr(session.config, "workerinput"):
        return
    run = session.config.stash[RUN]
    decided = decide_run(RESULTS, run)
    session.config.stash[DECIDED] = decided
    _restate_unexpected_passes(session.config, decided)
    if exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        session.exitstatus = decided.claim.exit_status
        if run.certify and decided.claim.partial:
            session.exitstatus = pytest.ExitCode.USAGE_ERROR
    document = report.build_document(
        target=run.target.spec,
        description=run.declared.description,
        roles=run.declared.roles,
        capabilities=run.declared.capabilities,
        seed=run.seed,
        certify=run.certify,
        expectations=run.expectations,
        expectations_file=run.expectations_file,
        started=session.config.stash.get(STARTED, time.time()),
        finished=time.time(),
        results=decided.scenarios,
        requirement_verdicts=decided.requirements,
        complete=decided.complete,
        profiles=run.declared.profiles,
        claim=decided.claim,
        exit_status=int(session.exitstatus),
        reproduce=reproduce.reproduce_command(
            run.target.spec,
            run.seed,
            session.config.option.vpc_expectations,
            session.config.option.vpc_http_timeout if run.target.remote else None,
        ),
    )
    session.config.stash[DOCUMENT] = document
    report_dir = session.config.option.vpc_report_dir
    if report_dir:
        report.write(Path(report_dir), document, run.credentials.secrets)
    path = session.config.option.vpc_verdict_file
    if path:
        report.write_verdicts(Path(path), document, run.credentials.secrets)


def _restate_unexpected_passes(config: pytest.Config, decided: Decided) -> None:
    """pytest counted a stale-listed scenario as passed before the run could judge its
    requirement; move it to "unexpected pass" so pytest's closing line agrees with the verdicts."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    stale_ids = {n for n, r in decided.scenarios.items() if r.verdict is Verdict.UNEXPECTED_PASS}
    if reporter is None or not stale_ids:
        return
    passed = reporter.stats.get("passed", [])
    moved = [r for r in passed if getattr(r, "nodeid", None) in stale_ids and getattr(r, "when", None) == "call"]
    reporter.stats["passed"] = [r for r in passed if r not in moved]
    reporter.stats.setdefault("unexpected pass", []).extend(moved)


def _counts(counts: dict[str, int]) -> str:
    """Counts in verdict order, so the summary lines read the same in every run."""
    order = [v.value for v in Verdict] + ["not run"]
    return ", ".join(f"{counts[v]} {v}" for v in order if counts.get(v))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """The verdict block, read from the same document as every report file."""
    document = config.stash.get(DOCUMENT, None)
    if document is None:
        return
    terminalreporter.section("conformance verdicts")
    for scenario in document["scenarios"]:
        if scenario["verdict"] not in {"pass", "not applicable"}:
            terminalreporter.line(
                f"{scenario['verdict'].upper()} {','.join(scenario['requirements'])} "
                f"{scenario['nodeid']}: {scenario['message']}"
            )
    not_applicable = Counter(s["message"] for s in document["scenarios"] if s["verdict"] == "not applicable")
    for reason, count in sorted(not_applicable.items()):
        terminalreporter.line(f"NOT APPLICABLE ({count} scenario(s)): {reason}")
    terminalreporter.line(f"scenarios:    {_counts(document['counts'])}")
    partly = sorted(
        r for r, done in config.stash[DECIDED].complete.items() if not done and r in config.stash[DECIDED].requirements
    )
    terminalreporter.line(
        f"requirements: {_counts(document['requirement_counts'])}"
        + (f" ({len(partly)} only partly run: {', '.join(partly)})" if partly else "")
    )
    by_verdict: dict[str, list[str]] = defaultdict(list)
    for req in document["requirements"]:
        by_verdict[req["verdict"]].append(req["id"])
    if by_verdict["fail"]:
        terminalreporter.line("not conformant: " + ", ".join(by_verdict["fail"]), red=True)
    if by_verdict["error"]:
        terminalreporter.line("could not judge: " + ", ".join(by_verdict["error"]), purple=True)
    status = document["claim"]
    good = status == CONFORMANT
    caveat = not good and document["exit_status"] == 0
    line = f"claim: {document['claim_detail']['text']}"
    terminalreporter.line(line, green=good, yellow=caveat, red=not good and not caveat)
    if config.stash[RUN].certify and document["claim_detail"]["partial"]:
        terminalreporter.line("a certification run must run every scenario; this one did not (exit 4)", red=True)
