"""Reports, exit statuses, expectations, claims and certification, from whole runs of the suite.

Every output of a run is rendered from one decided set of verdicts; these runs check that
the terminal, report.json, report.html, junit.xml, cucumber.json, the verdict file and the
exit status tell the same story.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from defusedxml import ElementTree

from tests.helpers import run_suite
from voice_push_conformance import report, schemas
from voice_push_conformance.credentials import generate_credentials
from voice_push_conformance.judging import features
from voice_push_conformance.judging.verdicts import Claim, Verdict, worst
from voice_push_conformance.paths import ROOT
from voice_push_conformance.plugin.outcomes import ScenarioResult

SEED = 31337
SUBSET = "access_token"  # a few scenarios are enough to exercise the reporting
JUNIT_XSD = ROOT / "tests" / "data" / "junit-10.xsd"
# Every scenario the features hold (one per Examples row), so the expected count follows the features.
SCENARIOS = sum(max(1, len(s.examples)) for f in features.load_all() for s in f.scenarios)


def run(tmp_path: Path, *args: str, subset: str | None = SUBSET, xdist: bool = False) -> tuple[int, str, Path]:
    reports = tmp_path / "reports"
    options = [*([] if xdist else ["-p", "no:xdist"]), "--seed", str(SEED), "--report-dir", str(reports)]
    options += ["--verdict-file", str(reports / "verdicts.json"), *args, *(["-k", subset] if subset else [])]
    completed = run_suite(*options)
    return completed.returncode, completed.output, reports


def document(reports: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((reports / "report.json").read_text(encoding="utf-8"))
    return loaded


def expectations(tmp_path: Path, *requirements: str) -> Path:
    path = tmp_path / "expectations.toml"
    path.write_text(
        "".join(
            f'[[expected_failure]]\nrequirement = "{requirement}"\n'
            'reason = "a known bug in this release, fixed in release 2.4"\n'
            for requirement in requirements
        ),
        encoding="utf-8",
    )
    return path


# What each verdict must look like in the outputs that have no word for it.
JUNIT_KIND = {
    "pass": None,
    "fail": "failure",
    "unexpected pass": "failure",
    "error": "error",
    "warn": "skipped",
    "informative": "skipped",
    "expected failure": "skipped",
    "not applicable": "skipped",
}
CUCUMBER_SCENARIO = {
    "pass": "passed",
    "fail": "failed",
    "error": "failed",
    "unexpected pass": "failed",
    "warn": "pending",
    "informative": "pending",
    "expected failure": "pending",
    "not applicable": "skipped",
}


def cucumber_status(element: dict[str, Any]) -> str:
    """A scenario's status as Cucumber report tools derive it from its steps and hooks."""
    statuses = [s["result"]["status"] for s in element["steps"]]
    statuses += [h["result"]["status"] for h in element.get("after", [])]
    for status in ("failed", "pending"):
        if status in statuses:
            return status
    return "skipped" if statuses and set(statuses) == {"skipped"} else "passed"


def assert_outputs_agree(status: int, output: str, reports: Path) -> dict[str, Any]:
    """Terminal, report.json, HTML, JUnit, Cucumber, verdict file and exit status agree."""
    found = document(reports)
    assert not schemas.errors("report", found)
    assert found["exit_status"] == status, output[-2000:]
    verdicts = {s["nodeid"]: s["verdict"] for s in found["scenarios"]}
    # verdict file
    short = json.loads((reports / "verdicts.json").read_text(encoding="utf-8"))
    assert (short["claim"], short["exit_status"]) == (found["claim"], status)
    assert {n: s["verdict"] for n, s in short["scenarios"].items()} == verdicts
    assert short["requirements"] == {r["id"]: r["verdict"] for r in found["requirements"] if r["verdict"] != "not run"}
    # terminal
    assert f"claim: {found['claim_detail']['text']}" in output
    counts = ", ".join(f"{n} {v}" for v, n in found["counts"].items())
    scenario_line = re.search(r"^scenarios: +(.*)$", output, re.MULTILINE)
    assert scenario_line is not None
    assert sorted(scenario_line.group(1).split(", ")) == sorted(counts.split(", "))
    # JUnit: valid against the common XSD, run facts as suite properties, one testcase per scenario
    xmlschema.XMLSchema(str(JUNIT_XSD)).validate(str(reports / "junit.xml"))
    tree = ElementTree.parse(reports / "junit.xml")
    properties = {p.get("name"): p.get("value") for p in tree.iter("property")}
    assert properties["claim"] == found["claim"]
    assert properties["exit_status"] == str(status)
    assert properties["seed"] == str(SEED)
    cases = {case.get("name"): case for case in tree.iter("testcase")}
    assert len(cases) == len(found["scenarios"])
    for scenario in found["scenarios"]:
        case = cases[f"{','.join(scenario['requirements'])}: {scenario['name']}"]
        kinds = [child.tag for child in case]
        assert kinds == ([JUNIT_KIND[scenario["verdict"]]] if JUNIT_KIND[scenario["verdict"]] else []), scenario
    # Cucumber
    elements = {
        e["id"]: e for f in json.loads((reports / "cucumber.json").read_text(encoding="utf-8")) for e in f["elements"]
    }
    assert {n: cucumber_status(e) for n, e in elements.items()} == {
        n: CUCUMBER_SCENARIO[v] for n, v in verdicts.items()
    }
    # HTML
    page = (reports / "report.html").read_text(encoding="utf-8")
    assert found["claim_detail"]["text"] in page.replace("&#x27;", "'")
    return found


@pytest.mark.slow
def test_a_conformant_run_writes_every_report_and_no_secret(tmp_path: Path) -> None:
    status, output, reports = run(tmp_path, subset=None)
    assert status == 0, output[-2000:]
    assert sorted(p.name for p in reports.iterdir()) == [
        "cucumber.json",
        "junit.xml",
        "report.html",
        "report.json",
        "verdicts.json",
    ]
    found = assert_outputs_agree(status, output, reports)
    assert found["claim"] == "conformant"
    assert found["claim_detail"]["covers"] == [
        "token-issuer",
        "voice-service",
        "client",
        "late-notification-workaround",
        "security-baseline",
    ]
    assert {r["verdict"] for r in found["requirements"]} == {"pass"}
    assert "#1a7f37" in (reports / "report.html").read_text(encoding="utf-8")  # the green banner
    credentials = generate_credentials(SEED)
    for path in reports.iterdir():
        text = path.read_text(encoding="utf-8")
        for secret in credentials.secrets:
            assert secret.reveal() not in text, f"a configured secret appears in {path.name}"


@pytest.mark.slow
def test_a_failing_run_shows_requirement_expected_actual_and_how_to_reproduce(tmp_path: Path) -> None:
    status, output, reports = run(tmp_path, "--target", "mutant:token-wrong-secret")
    assert status == 1, output[-2000:]
    found = assert_outputs_agree(status, output, reports)
    assert found["claim"] == "not conformant"
    failing = [s for s in found["scenarios"] if s["verdict"] == "fail"]
    assert [s["requirements"] for s in failing] == [["TOKEN-SIGNATURE"]]
    assert "does not verify as HS256" in failing[0]["message"]
    assert failing[0]["reproduce"].startswith("./suite conformance --target mutant:token-wrong-secret --seed 31337 -k")
    assert failing[0]["transcript"], "the failure carries no exchanges"
    page = (reports / "report.html").read_text(encoding="utf-8")
    for needle in ("TOKEN-SIGNATURE", "does not verify as HS256", "./suite conformance", "not conformant"):
        assert needle in page


@pytest.mark.slow
def test_reports_written_under_xdist_hold_every_scenario(tmp_path: Path) -> None:
    """The suite writes Cucumber and JUnit itself, so pytest -n gives the same complete files."""
    status, output, reports = run(tmp_path, "-n", "2", "--target", "mutant:token-wrong-secret", xdist=True)
    assert status == 1, output[-2000:]
    found = assert_outputs_agree(status, output, reports)
    features = json.loads((reports / "cucumber.json").read_text(encoding="utf-8"))
    assert sum(len(f["elements"]) for f in features) == len(found["scenarios"]) > 0


@pytest.mark.slow
def test_an_expected_failure_keeps_the_run_conformant_and_records_the_file(tmp_path: Path) -> None:
    # A wrong signature also breaks the end-to-end chain on the candidate's own tokens (REG-VALID).
    path = expectations(tmp_path, "TOKEN-SIGNATURE", "REG-VALID")
    status, output, reports = run(
        tmp_path, "--target", "mutant:token-wrong-secret", "--expectations", str(path), subset=None
    )
    assert status == 0, output[-2000:]
    found = assert_outputs_agree(status, output, reports)
    assert found["claim"] == "conformant except the expected failures"
    verdicts = {r["id"]: r["verdict"] for r in found["requirements"]}
    assert verdicts["TOKEN-SIGNATURE"] == "expected failure"
    assert found["expectations"]["path"] == str(path)
    assert len(found["expectations"]["sha256"]) == 64
    page = (reports / "report.html").read_text(encoding="utf-8")
    assert found["expectations"]["sha256"] in page
    assert "#1a7f37" not in page.split("</style>")[0].split(".claim")[1].split("}")[0]  # amber, not green


@pytest.mark.slow
def test_an_expected_failure_that_passes_is_an_unexpected_pass(tmp_path: Path) -> None:
    path = expectations(tmp_path, "TOKEN-HEADER")
    status, output, reports = run(tmp_path, "--expectations", str(path), subset=None)
    assert status == 1, output[-2000:]
    found = assert_outputs_agree(status, output, reports)
    assert found["claim"] == "conformant, but the expectations file is stale"
    verdicts = {r["id"]: r["verdict"] for r in found["requirements"]}
    assert verdicts["TOKEN-HEADER"] == "unexpected pass"
    assert "remove the entry" in output
    assert "1 unexpected pass" in output.splitlines()[-1]  # pytest's own closing line agrees


@pytest.mark.slow
def test_a_boundary_bug_listed_per_requirement_gives_a_clean_baseline(tmp_path: Path) -> None:
    """limit-eleven notifies 11 devices: LIMIT-TEN's 1, 9 and 10 device scenarios pass, the
    others fail. The listed requirement is an expected failure, never an unexpected pass."""
    path = expectations(tmp_path, "LIMIT-TEN", "LIMIT-PER-IDENTITY", "LIMIT-REFRESH")
    status, output, reports = run(tmp_path, "--target", "mutant:limit-eleven", "--expectations", str(path), subset=None)
    assert status == 0, output[-2000:]
    found = assert_outputs_agree(status, output, reports)
    assert found["claim"] == "conformant except the expected failures"
    limit_ten = {s["name"]: s["verdict"] for s in found["scenarios"] if s["requirements"] == ["LIMIT-TEN"]}
    assert "pass" in limit_ten.values()
    assert "expected failure" in limit_ten.values()
    assert "unexpected pass" not in limit_ten.values()
    assert {r["id"]: r["verdict"] for r in found["requirements"]}["LIMIT-TEN"] == "expected failure"


@pytest.mark.slow
def test_a_partial_run_says_partial(tmp_path: Path) -> None:
    status, output, reports = run(tmp_path, subset="late")
    assert status == 0, output[-2000:]
    found = assert_outputs_agree(status, output, reports)
    assert found["claim"] == "partial"
    assert found["claim_detail"]["partial"] is True
    assert found["requirement_counts"]["not run"] > 0
    page = (reports / "report.html").read_text(encoding="utf-8")
    assert "#9a6700" in page.split("</style>")[0].split(".claim")[1].split("}")[0]  # the amber banner


@pytest.mark.slow
def test_a_run_where_no_must_applies_judges_nothing(tmp_path: Path) -> None:
    status, output, reports = run(tmp_path, subset="error_code_names")  # SHOULD scenarios only
    assert status == 6, output[-2000:]
    assert assert_outputs_agree(status, output, reports)["claim"] == "nothing judged"


@pytest.mark.slow
def test_an_issuer_only_candidate_claims_the_issuer_role_only(tmp_path: Path) -> None:
    status, output, reports = run(tmp_path, "--target", "tests.candidates.issuer_only:build", subset=None)
    assert status == 0, output[-2000:]
    found = assert_outputs_agree(status, output, reports)
    detail = found["claim_detail"]
    assert (found["claim"], detail["covers"], detail["not_under_test"]) == (
        "conformant",
        ["token-issuer"],
        ["voice-service", "client", "late-notification-workaround", "security-baseline"],
    )
    assert detail["text"].startswith(
        "conformant (covers token-issuer; not under test: voice-service, client, "
        "late-notification-workaround, security-baseline;"
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("selection", "message"),
    [
        (["steps", "-k", "late"], "remove -k 'late'"),
        (["steps", "-m", "must"], "remove -m 'must'"),
        (["steps", "-x"], "remove -x / --maxfail"),
        (["steps", "--maxfail", "3"], "remove -x / --maxfail"),
        (["steps", "--deselect", "steps/access_token.py"], "remove --deselect"),
        (["steps/access_token.py::test_the_signature_verifies_with_the_api_key_secret"], "remove node id"),
        (["steps/access_token.py"], "remove path"),
        (["steps", "-o", "python_files=access_token.py"], f"collected 7 of {SCENARIOS}"),  # any other narrowing
    ],
)
def test_a_certification_run_refuses_any_selection(selection: list[str], message: str) -> None:
    completed = run_suite("-p", "no:xdist", "--certify", *selection, paths=(), timeout=120)
    assert completed.returncode == 4, completed.stdout[-2000:] + completed.stderr[-2000:]
    assert "a certification run (--certify) runs every scenario" in completed.stderr
    assert message in completed.stderr
    assert "Traceback" not in completed.stdout + completed.stderr


@pytest.mark.slow
def test_a_certification_run_refuses_expectations(tmp_path: Path) -> None:
    path = expectations(tmp_path, "TOKEN-HEADER")
    status, output, _ = run(tmp_path, "--certify", "--expectations", str(path), subset=None)
    assert status == 4
    assert "accepts no expectations file" in output


@pytest.mark.slow
def test_an_unknown_requirement_in_expectations_is_a_usage_error(tmp_path: Path) -> None:
    status, output, _ = run(tmp_path, "--expectations", str(expectations(tmp_path, "TOKEN-NO-SUCH-RULE")))
    assert status == 4
    assert "TOKEN-NO-SUCH-RULE" in output


@pytest.mark.slow
def test_a_selection_that_matches_nothing_exits_5(tmp_path: Path) -> None:
    status, _, reports = run(tmp_path, subset="no_scenario_has_this_name")
    assert status == 5
    assert not (reports / "report.json").exists()


@pytest.mark.slow
def test_a_broken_environment_could_not_run(tmp_path: Path) -> None:
    status, output, reports = run(tmp_path, "--target", "tests.candidates.unbuildable:build")
    assert status == 3, output[-2000:]
    found = assert_outputs_agree(status, output, reports)
    assert found["claim"] == "could not run"
    assert {s["verdict"] for s in found["scenarios"]} == {"error"}


def test_the_coverage_view_lists_every_requirement_with_its_scenarios() -> None:
    table = report.coverage()
    assert "LIMIT-TEN" in table
    assert any("device_limit" in s for s in table["LIMIT-TEN"])


def synthetic_document(verdicts: list[Verdict], claimed: Claim) -> dict[str, Any]:
    """A report document with one scenario per verdict, as the plugin would build it."""
    results = {}
    for index, verdict in enumerate(verdicts):
        nodeid = f"steps/access_token.py::test_{index}"
        results[nodeid] = ScenarioResult(
            nodeid=nodeid,
            requirements=("TOKEN-HEADER",),
            level="must",
            feature="access_token",
            name=f'scenario {index} <&> "quoted"',
            line=3,
            steps=[{"keyword": "Given ", "text": "a token", "line": 4}, {"keyword": "Then ", "text": "it", "line": 5}],
            reached=0 if verdict in {Verdict.NOT_APPLICABLE, Verdict.ERROR} else 2,
            failed_step=1 if verdict in {Verdict.FAIL, Verdict.WARN, Verdict.INFO, Verdict.EXPECTED_FAILURE} else None,
            verdict=verdict,
            message=f"{verdict.value} because of \x1b[31m something",
        )
    return report.build_document(
        target="reference",
        description="test",
        roles=("issuer",),
        capabilities=(),
        seed=SEED,
        certify=False,
        expectations={},
        complete={},
        profiles=(),
        expectations_file=None,
        started=0.0,
        finished=1.0,
        results=results,
        requirement_verdicts={"TOKEN-HEADER": worst(verdicts)},
        claim=claimed,
        exit_status=claimed.exit_status,
        reproduce='./suite conformance -k "{name}"',
    )


def test_every_verdict_maps_to_valid_junit_and_cucumber(tmp_path: Path) -> None:
    verdicts = list(Verdict)
    claimed = Claim("could not run", 3, (), ("issuer",), ("service", "client"), False, 1)
    found = synthetic_document(verdicts, claimed)
    assert not schemas.errors("report", found)
    path = tmp_path / "junit.xml"
    path.write_text(report.render_junit(found), encoding="utf-8")
    xmlschema.XMLSchema(str(JUNIT_XSD)).validate(str(path))
    cases = list(ElementTree.parse(path).iter("testcase"))
    assert [[c.tag for c in case] for case in cases] == [
        [JUNIT_KIND[v.value]] if JUNIT_KIND[v.value] else [] for v in verdicts
    ]
    elements = [e for f in json.loads(report.render_cucumber(found)) for e in f["elements"]]
    assert [cucumber_status(e) for e in elements] == [CUCUMBER_SCENARIO[v.value] for v in verdicts]


@pytest.mark.parametrize(
    ("status", "partial", "colour"),
    [
        ("conformant", False, "#1a7f37"),
        ("conformant except the expected failures", False, "#9a6700"),
        ("partial", True, "#9a6700"),
        ("conformant, but the expectations file is stale", False, "#9a6700"),
        ("nothing judged", True, "#9a6700"),
        ("not conformant", False, "#cf222e"),
        ("could not run", False, "#8250df"),
    ],
)
def test_the_banner_is_green_only_for_a_complete_conformant_run(status: str, partial: bool, colour: str) -> None:
    claimed = Claim(status, 0, ("issuer",), (), ("service", "client"), partial, 1)
    page = report.render_html(synthetic_document([Verdict.PASS], claimed))
    assert f"background: {colour};" in page
