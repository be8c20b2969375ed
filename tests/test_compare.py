"""Comparison matrix, build-to-build diff, results bundles and badges, from real runs.

One set of runs (the reference, the reference over HTTP and two mutants, all under one
seed) and one --bundle run are shared by every test in this module.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import defusedxml.ElementTree
import pytest

from tests.helpers import run_suite
from voice_push_conformance import cli, schemas
from voice_push_conformance.credentials import generate_credentials
from voice_push_conformance.paths import ROOT
from voice_push_conformance.report import manifest as bundle_manifest
from voice_push_conformance.report.reader import load
from voice_push_conformance.tools import badge, bundle, compare, diff

pytestmark = pytest.mark.slow

SEED = 4242
TARGETS = ("reference", "reference-http", "mutant:token-hs512", "mutant:push-legacy-api")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """target -> its report.json, each run once, two at a time."""
    workdir = tmp_path_factory.mktemp("runs")
    # The features the two mutants break are enough to compare; other rows read "not run" everywhere.
    extra = ("-k", "access_token or push_delivery")
    return dict(zip(TARGETS, compare.run_targets(TARGETS, workdir, SEED, extra=extra), strict=True))


@pytest.fixture(scope="module")
def matrix(runs: dict[str, Path]) -> dict[str, Any]:
    return compare.build([load(runs[t]) for t in TARGETS])


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle written by a whole run against the reference."""
    directory = tmp_path_factory.mktemp("bundle") / "bundle"
    completed = run_suite("-p", "no:xdist", "--seed", str(SEED), "--bundle", str(directory))
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    return directory


@pytest.fixture
def copy(pristine: Path, tmp_path: Path) -> Path:
    target = tmp_path / "bundle"
    shutil.copytree(pristine, target)
    return target


def _row(document: dict[str, Any], requirement: str) -> dict[str, Any]:
    return next(r for r in document["rows"] if r["requirement"] == requirement)


# --- the matrix ----------------------------------------------------------------------------


def test_the_matrix_lists_disagreeing_rows_first(matrix: dict[str, Any]) -> None:
    assert not schemas.errors("compare", matrix)
    assert [c["target"] for c in matrix["columns"]] == list(TARGETS)
    assert matrix["columns"][2]["label"] == "mutant:token-hs512 (breaks TOKEN-HEADER)"
    flags = [row["disagree"] for row in matrix["rows"]]
    assert flags == sorted(flags, reverse=True), "a disagreeing row comes after an agreeing one"
    disagreeing = {r["requirement"] for r in matrix["rows"] if r["disagree"]}
    assert {"TOKEN-HEADER", "PUSH-LEGACY-API"} <= disagreeing
    assert matrix["summary"]["disagreements"] == len(disagreeing)
    header = [c["verdict"] for c in _row(matrix, "TOKEN-HEADER")["cells"]]
    assert header == ["pass", "pass", "fail", "pass"]
    # The reference in-process and over HTTP agree on every requirement.
    assert all(row["cells"][0]["verdict"] == row["cells"][1]["verdict"] for row in matrix["rows"])


def test_a_cell_links_to_its_finding_and_informative_cells_show_the_reading(matrix: dict[str, Any]) -> None:
    failed = _row(matrix, "TOKEN-HEADER")["cells"][2]
    assert failed["findings"], "a failing cell carries its finding"
    finding = failed["findings"][0]
    assert finding["message"] and finding["reproduce"].startswith("./suite conformance --target mutant:token-hs512")
    informative = _row(matrix, "PUSH-LEGACY-API")["cells"][3]
    assert informative["verdict"] == "informative"
    page = compare.render_html(matrix)
    assert 'href="#f-c3-TOKEN-HEADER"' in page and 'id="f-c3-TOKEN-HEADER"' in page
    reading = informative["findings"][0]["message"]
    assert reading[:40] in page.replace("&#39;", "'").replace("&#34;", '"').replace("&amp;", "&")
    assert "<script" not in page and "http://" not in page.split("<body>")[0], "the page loads nothing external"


def test_everything_in_the_page_is_escaped(runs: dict[str, Path], tmp_path: Path) -> None:
    raw = json.loads(runs["mutant:token-hs512"].read_text(encoding="utf-8"))
    raw["target"]["description"] = "<script>alert(1)</script>"
    for scenario in raw["scenarios"]:
        scenario["message"] = scenario["message"] and '<img src=x onerror="alert(2)">'
    path = tmp_path / "report.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    page = compare.render_html(compare.build([load(path)]))
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page and "&lt;img" in page


def test_the_terminal_view_is_compact(matrix: dict[str, Any]) -> None:
    text = compare.render_terminal(matrix)
    lines = text.splitlines()
    assert any(line.startswith("TOKEN-HEADER") and "FAIL" in line for line in lines)
    assert not any(line.startswith("CADENCE-RETRY") for line in lines), "agreeing rows are only counted"
    assert f"{matrix['summary']['disagreements']} requirement(s) disagree" in text


def test_compare_reads_existing_reports_and_refuses_bad_ones(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    args = ["--report", str(runs["reference"]), "--report", str(runs["mutant:token-hs512"]), "--out", str(out)]
    assert compare.main(args) == 0
    assert not schemas.errors("compare", json.loads((out / "compare.json").read_text(encoding="utf-8")))
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    assert compare.main(["--report", str(tmp_path / "bad.json"), "--out", str(out)]) == 4
    err = capsys.readouterr().err
    assert "not valid JSON" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_the_page_renders_in_headless_chromium(matrix: dict[str, Any], tmp_path: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium); the page was not rendered")
    compare.write(matrix, tmp_path)
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000"]
    url = (tmp_path / "compare.html").as_uri()
    dom = subprocess.run([browser, *flags, "--dump-dom", url], capture_output=True, text=True, timeout=60, check=True)
    rows = re.findall(r'<tr class="(disagree|agree)" data-requirement="([A-Z0-9-]+)"', dom.stdout)
    assert len(rows) == matrix["summary"]["requirements"]
    kinds = [kind for kind, _ in rows]
    assert kinds == sorted(kinds, key=lambda k: k != "disagree") and kinds[0] == "disagree"
    shot = tmp_path / "compare.png"
    subprocess.run([browser, *flags, f"--screenshot={shot}", url], capture_output=True, timeout=60, check=True)
    assert shot.stat().st_size > 10_000, "the screenshot is empty"


# --- the diff ------------------------------------------------------------------------------


def test_the_diff_between_a_conformant_and_a_mutant_build_gates_on_new_failures(runs: dict[str, Path]) -> None:
    good, bad = load(runs["reference"]), load(runs["mutant:token-hs512"])
    worse = diff.diff(good, bad)
    assert [c.requirement for c in worse.newly_failing] == ["TOKEN-HEADER", "TOKEN-SIGNATURE"]
    assert worse.exit_status == 1
    better = diff.diff(bad, good)
    assert not better.newly_failing and [c.requirement for c in better.newly_passing] == [
        "TOKEN-HEADER",
        "TOKEN-SIGNATURE",
    ]
    assert better.exit_status == 0
    informative = diff.diff(good, load(runs["mutant:push-legacy-api"]))
    assert [(c.requirement, c.after) for c in informative.changed] == [("PUSH-LEGACY-API", "informative")]
    assert informative.exit_status == 0
    assert diff.main([str(runs["reference"]), str(runs["mutant:token-hs512"]), "--any-target"]) == 1
    assert diff.main([str(runs["mutant:token-hs512"]), str(runs["reference"]), "--any-target"]) == 0
    assert diff.main([str(runs["reference"]), str(runs["reference"])]) == 0


def test_the_diff_refuses_bad_input_in_one_line(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert diff.main([str(runs["reference"]), str(runs["mutant:token-hs512"])]) == 4, "different targets"
    assert diff.main([str(runs["reference"]), str(tmp_path / "missing.json")]) == 4
    (tmp_path / "list.json").write_text("[]", encoding="utf-8")
    assert diff.main([str(runs["reference"]), str(tmp_path / "list.json")]) == 4
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 3


# --- bundles -------------------------------------------------------------------------------


def test_an_untouched_bundle_verifies_and_holds_no_secret(pristine: Path) -> None:
    result = bundle.verify(pristine)
    assert result.verified, result.problems
    manifest = result.manifest
    assert manifest["seed"] == SEED and manifest["target"]["spec"] == "reference" and not manifest["partial"]
    assert {"requirements.toml", "features/access_token.feature", "steps/access_token.py"} <= set(
        manifest["suite_files"]
    )
    assert set(manifest["files"]) >= {"report.json", "report.html", "junit.xml"}
    text = (pristine / "manifest.json").read_text(encoding="utf-8")
    for secret in generate_credentials(SEED).secrets:
        assert secret.reveal() not in text
    assert bundle.main(["verify", str(pristine)]) == 0
    assert cli.main(["verify", str(pristine)]) == 0  # the console command forwards to 'bundle verify'


def test_sensitive_environment_values_are_never_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VPC_FCM_BEARER_TOKEN", "ya29.do-not-record")
    monkeypatch.setenv("VPC_API_KEY_SECRET", "do-not-record-either")
    monkeypatch.setenv("VPC_HTTP_TIMEOUT", "7")
    variables = bundle_manifest.environment()["variables"]
    assert variables["VPC_FCM_BEARER_TOKEN"] == variables["VPC_API_KEY_SECRET"] == "[redacted]"
    assert variables["VPC_HTTP_TIMEOUT"] == "7"


def test_a_changed_byte_in_a_verdict_is_refused(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = copy / "report.json"
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace('"verdict": "pass"', '"verdict": "fail"', 1), encoding="utf-8")
    problems = bundle.verify(copy).problems
    assert "bundle file report.json was altered (SHA-256 differs)" in problems
    assert bundle.main(["verify", str(copy)]) == 1
    assert "refused: bundle file report.json was altered" in capsys.readouterr().out


def test_a_claim_that_does_not_follow_from_its_verdicts_is_refused_even_with_fresh_hashes(copy: Path) -> None:
    raw = json.loads((copy / "report.json").read_text(encoding="utf-8"))
    raw["scenarios"][0]["verdict"] = "fail"  # the claim still says conformant
    (copy / "report.json").write_text(json.dumps(raw), encoding="utf-8")
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["report.json"] = bundle_manifest.sha256(copy / "report.json")
    manifest["digest"] = bundle_manifest.digest(manifest)
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    problems = bundle.verify(copy).problems
    assert any(p.startswith("the claim does not follow from the verdicts") for p in problems), problems
    assert any(p.startswith(f"requirement {raw['scenarios'][0]['requirements'][0]}:") for p in problems)


def test_a_changed_byte_in_a_feature_is_refused(pristine: Path, tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    for part in ("features", "steps", "schemas", "fixtures"):
        shutil.copytree(ROOT / part, suite / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "requirements.toml", suite / "requirements.toml")
    assert bundle.verify(pristine, suite).verified, "an unmodified copy of the suite verifies"
    feature = suite / "features" / "late_discard.feature"
    data = bytearray(feature.read_bytes())
    data[-2] ^= 0x01
    feature.write_bytes(bytes(data))
    assert bundle.verify(pristine, suite).problems == (
        "suite file features/late_discard.feature was altered (SHA-256 differs)",
    )
    assert bundle.main(["verify", str(pristine), "--suite-root", str(suite)]) == 1


def test_a_changed_byte_in_the_manifest_is_refused(copy: Path) -> None:
    path = copy / "manifest.json"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f'"seed": {SEED}', f'"seed": {SEED + 1}', 1), encoding="utf-8")
    problems = bundle.verify(copy).problems
    assert "manifest.json was altered (its digest does not match its content)" in problems
    assert f"the manifest's seed ({SEED + 1}) differs from report.json's ({SEED})" in problems


def test_a_broken_manifest_is_bad_input_in_one_line(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (copy / "manifest.json").write_text("{", encoding="utf-8")
    assert bundle.main(["verify", str(copy)]) == 4
    assert bundle.main(["verify", str(copy / "nowhere")]) == 4
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 2


def test_replay_agrees_on_the_reference_and_catches_a_different_build(pristine: Path) -> None:
    assert bundle.main(["verify", str(pristine), "--replay"]) == 0
    differences = bundle.replay(bundle.verify(pristine), "mutant:token-hs512", None)
    # The issuer's HS512 tokens fail the token checks and the end-to-end chain on its own tokens.
    e2e = "steps/registration.py::test_end_to_end_a_token_the_candidates_own_issuer_vended"
    assert differences and all(line.startswith(("steps/access_token.py::", e2e, "claim:")) for line in differences)


def test_bundle_refuses_a_directory_that_is_not_empty(pristine: Path) -> None:
    completed = run_suite("--bundle", str(pristine))
    assert completed.returncode == 4 and "must be a new or empty directory" in completed.stderr


# --- badges --------------------------------------------------------------------------------


def test_a_badge_is_minted_from_a_verified_conformant_bundle(pristine: Path, tmp_path: Path) -> None:
    out = tmp_path / "badge.svg"
    assert badge.main([str(pristine), "-o", str(out)]) == 0
    svg = defusedxml.ElementTree.fromstring(out.read_text(encoding="utf-8"))
    title = svg.find("{http://www.w3.org/2000/svg}title")
    assert title is not None
    assert title.text == (
        "voice-push-conformance 0.1.0: conformant: profiles token-issuer, voice-service, client, "
        "late-notification-workaround, security-baseline"
    )


def test_no_badge_for_a_tampered_partial_or_non_conformant_bundle(
    copy: Path, pristine: Path, runs: dict[str, Path], tmp_path: Path
) -> None:
    (copy / "report.html").write_text("edited", encoding="utf-8")
    with pytest.raises(badge.Refused, match="does not verify"):
        badge.mint(copy)
    failing = tmp_path / "failing"
    shutil.copytree(pristine, failing)
    (failing / "manifest.json").unlink()
    raw = json.loads((failing / "report.json").read_text(encoding="utf-8"))
    raw["scenarios"][0]["verdict"] = "fail"
    broken = raw["scenarios"][0]["requirements"]
    raw["requirements"] = [{**r, "verdict": "fail"} if r["id"] in broken else r for r in raw["requirements"]]
    raw["claim"], raw["exit_status"] = "not conformant", 1
    (failing / "report.json").write_text(json.dumps(raw), encoding="utf-8")
    bundle_manifest.write_manifest(failing, command=["pytest", "steps"], expectations=None)
    assert bundle.verify(failing).verified
    with pytest.raises(badge.Refused, match="not 'conformant'"):
        badge.mint(failing)
    partial = tmp_path / "partial"
    shutil.copytree(runs["reference"].parent, partial)
    bundle_manifest.write_manifest(
        partial, command=["pytest", "steps", "-k", "x"], expectations=None, partial_reasons=["-k"]
    )
    with pytest.raises(badge.Refused, match="partial run"):
        badge.mint(partial)
    assert badge.main([str(partial), "-o", str(tmp_path / "b.svg")]) == 1
    assert not (tmp_path / "b.svg").exists()


def test_a_run_narrowed_with_k_is_recorded_as_partial_and_earns_no_badge(tmp_path: Path) -> None:
    directory = tmp_path / "bundle"
    completed = run_suite("-p", "no:xdist", "--seed", str(SEED), "--bundle", str(directory), "-k", "access_token")
    assert completed.returncode == 0, completed.stdout[-2000:]
    result = bundle.verify(directory)
    assert result.verified, result.problems
    assert result.manifest["partial"]
    assert any("deselected" in reason for reason in result.manifest["partial_reasons"])
    with pytest.raises(badge.Refused, match="partial run"):
        badge.mint(directory)


def test_the_schemas_reject_what_the_tools_must_never_write(matrix: dict[str, Any], pristine: Path) -> None:
    bad_cell = json.loads(json.dumps(matrix))
    bad_cell["rows"][0]["cells"][0]["verdict"] = "passed"
    assert any(p.startswith("rows/0/cells/0/verdict:") for p in schemas.errors("compare", bad_cell))
    manifest = json.loads((pristine / "manifest.json").read_text(encoding="utf-8"))
    assert not schemas.errors("bundle-manifest", manifest)
    manifest["environment"]["variables"]["HOME"] = "/root"  # only VPC_* settings are recorded
    manifest["files"]["report.json"] = "not-a-hash"
    problems = schemas.errors("bundle-manifest", manifest)
    assert any(p.startswith("environment/variables:") for p in problems)
    assert any(p.startswith("files/report.json:") for p in problems)


def test_a_target_that_cannot_run_is_named_and_the_rest_still_compared(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    args = ["--report", str(runs["reference"]), "--target", "http://127.0.0.1:9", "--out", str(out)]
    assert compare.main(args) == 3
    err = capsys.readouterr().err
    assert err.startswith("compare: target http://127.0.0.1:9: no report") and len(err.strip().splitlines()) == 1
    assert [c["target"] for c in json.loads((out / "compare.json").read_text(encoding="utf-8"))["columns"]] == [
        "reference"
    ]


@pytest.mark.parametrize(
    "tool", [compare.main, diff.main, bundle.main, badge.main], ids=["compare", "diff", "bundle", "badge"]
)
def test_usage_errors_are_one_line_and_exit_4(tool: Any, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        tool(["--no-such-option"])
    assert stopped.value.code == 4
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("python -m voice_push_conformance.")


def test_a_partial_run_passed_off_as_complete_is_refused(runs: dict[str, Path], tmp_path: Path) -> None:
    directory = tmp_path / "partial"
    shutil.copytree(runs["reference"].parent, directory)  # a -k run: most requirements were not run
    bundle_manifest.write_manifest(directory, command=["pytest", "steps"], expectations=None)
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["partial"]
    manifest["partial"], manifest["partial_reasons"] = False, []
    manifest["digest"] = bundle_manifest.digest(manifest)
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    problems = bundle.verify(directory).problems
    assert len(problems) == 1 and problems[0].startswith("the manifest says the run was complete, but")
