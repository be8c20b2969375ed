"""The candidate's warnings are notes, never verdicts; the suite's own warnings stay errors."""

from __future__ import annotations

import json
import threading
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import run_suite
from voice_push_conformance.paths import ROOT
from voice_push_conformance.plugin.candidate_warnings import (
    PROPERTY,
    CandidateWarning,
    candidate_warnings_tolerated,
    is_suite_file,
    notes,
    summarise,
)
from voice_push_conformance.world import run_as_candidate

CANDIDATE_FILE = str(ROOT / "tests" / "candidates" / "deprecated.py")
VENDOR_FILE = "/opt/vendor/site-packages/firebase_admin/messaging.py"


def _on_a_thread(action: Callable[[], object]) -> BaseException | None:
    """Run ``action`` on a fresh thread (one the candidate could have started); what it raised."""
    raised: list[BaseException] = []

    def run() -> None:
        try:
            action()
        except BaseException as exc:  # handed back to the test
            raised.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    return raised[0] if raised else None


def test_a_warning_from_the_suite_outside_a_candidate_call_is_still_an_error() -> None:
    with candidate_warnings_tolerated("call") as caught, pytest.raises(DeprecationWarning, match="suite"):
        warnings.warn("the suite uses a deprecated API", DeprecationWarning, stacklevel=1)
    assert caught == []


def test_a_warning_inside_a_candidate_call_is_a_note_whatever_module_it_is_blamed_on() -> None:
    with candidate_warnings_tolerated("call") as caught, run_as_candidate():
        warnings.warn("Message(token=...) is deprecated", DeprecationWarning, stacklevel=1)
        warnings.warn_explicit("blamed on the suite's line", DeprecationWarning, __file__, 7)
    assert [(n.when, n.category, n.message) for n in caught] == [
        ("call", "DeprecationWarning", "Message(token=...) is deprecated"),
        ("call", "DeprecationWarning", "blamed on the suite's line"),
    ]


def test_on_another_thread_the_file_a_warning_is_blamed_on_decides() -> None:
    with candidate_warnings_tolerated("call") as caught:
        vendor = _on_a_thread(lambda: warnings.warn_explicit("worker pool", DeprecationWarning, VENDOR_FILE, 3))
        suite = _on_a_thread(lambda: warnings.warn_explicit("suite thread", DeprecationWarning, __file__, 5))
    assert vendor is None
    assert isinstance(suite, DeprecationWarning)
    assert [n.message for n in caught] == ["worker pool"]


def test_while_the_target_loads_the_file_a_main_thread_warning_is_blamed_on_decides() -> None:
    with candidate_warnings_tolerated("configure") as caught:
        warnings.warn_explicit("SDK import", DeprecationWarning, VENDOR_FILE, 1)
        with pytest.raises(DeprecationWarning, match="adapter"):
            warnings.warn_explicit("the suite's adapter", DeprecationWarning, __file__, 9)
    assert [n.message for n in caught] == ["SDK import"]


def test_a_long_warning_is_kept_short() -> None:
    with candidate_warnings_tolerated("call") as caught, run_as_candidate():
        warnings.warn("x" * 5_000, UserWarning, stacklevel=1)
    assert caught[0].message == "x" * 1_000 + "… [4000 more characters]"


def test_the_suite_is_its_packages_steps_and_tests_but_not_the_test_candidates() -> None:
    assert is_suite_file(str(ROOT / "voice_push_conformance" / "world.py"))
    assert is_suite_file(str(ROOT / "steps" / "_common.py"))
    assert is_suite_file(__file__)
    assert not is_suite_file(CANDIDATE_FILE)
    assert not is_suite_file(VENDOR_FILE)


def test_identical_warnings_are_counted_once_in_a_stable_order() -> None:
    late = CandidateWarning("teardown", "UserWarning", "closing", "x.py:1")
    early = CandidateWarning("call", "DeprecationWarning", "old API", "x.py:2")
    notes = summarise([late, early, early])
    assert [(n["when"], n["count"]) for n in notes] == [("call", 2), ("teardown", 1)]


def test_report_writers_read_the_notes_of_each_phase_from_its_report() -> None:
    note = {"when": "call", "category": "DeprecationWarning", "message": "old", "location": "x.py:1", "count": 3}
    report = pytest.TestReport(
        "steps/x.py::test_y", ("steps/x.py", 1, "test_y"), {}, "passed", None, "call",
        user_properties=[("vpc_level", "must"), (PROPERTY, json.dumps([note]))],
    )  # fmt: skip
    assert notes(report) == [note]
    assert notes(pytest.TestReport("n", ("p", 1, "n"), {}, "passed", None, "setup")) == []


def _run(tmp_path: Path, target: str) -> tuple[int, str, dict[str, object]]:
    completed = run_suite(
        "--seed",
        "7",
        "--target",
        target,
        "--report-dir",
        str(tmp_path / "reports"),
        verdict_file=tmp_path / "verdicts.json",
    )
    return completed.returncode, completed.output, completed.verdicts or {}


@pytest.mark.slow
def test_a_candidate_that_warns_on_every_call_is_conformant_and_its_warnings_are_notes(tmp_path: Path) -> None:
    status, output, document = _run(tmp_path, "tests.candidates.deprecated:build")
    assert status == 0, output[-3000:]
    assert document["claim"] == "conformant"
    requirements = document["requirements"]
    assert isinstance(requirements, dict) and requirements
    assert set(requirements.values()) == {"pass"}, "a warning changed a verdict"
    section = output.split("candidate warnings", 1)[-1]
    assert "no verdict changed" in section
    for note in (
        "this push SDK release is deprecated",  # importing the candidate's module
        "candidate.build() is deprecated",  # the factory, also at the run header's probe
        "candidate.close() is deprecated",  # at teardown
        "issuer.issue_token() is deprecated",
        "service.register() is deprecated",  # including the 50 concurrent registrations
        "service.place_call() is deprecated",
        "client.handle_push() is deprecated",
        "the push worker's transport is deprecated",  # from a thread the candidate started
    ):
        assert note in section, f"no note for {note!r}"
    report = json.loads((tmp_path / "reports" / "report.json").read_text(encoding="utf-8"))
    noted = {s["nodeid"]: s["notes"] for s in report["scenarios"] if s["notes"]}
    assert len(noted) == len(report["scenarios"]), "every scenario's report carries its candidate warnings"
    assert any("service.register() is deprecated" in n for notes in noted.values() for n in notes)
    assert "Notes (never verdicts)" in (tmp_path / "reports" / "report.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_reference_raises_no_warning_at_all(tmp_path: Path) -> None:
    """Warnings inside candidate calls are tolerated, so the suite's own reference is held to none."""
    status, output, _ = _run(tmp_path, "reference")
    assert status == 0, output[-3000:]
    assert "candidate warnings" not in output
