"""Certification reports: report.json (schema: schemas/report.json) and a self-contained
report.html, written from the run's scenario results. Secrets are removed from every
byte written, whatever part of the run produced them.
"""

from __future__ import annotations

import datetime as dt
import html
import importlib.metadata
import json
import platform
import re
import sys
import xml.etree.ElementTree as ET  # writing only; the suite never parses XML with it
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

from voice_push_conformance import __version__, catalogue, features
from voice_push_conformance.secrets import Secret, scrub
from voice_push_conformance.verdicts import CONFORMANT, Claim, Verdict

PACKAGES = ("pytest", "pytest-bdd", "jsonschema", "PyJWT", "requests", "Faker", "flask")
COLOURS = {
    "pass": "#1a7f37",
    "fail": "#cf222e",
    "error": "#8250df",
    "warn": "#bf8700",
    "informative": "#0969da",
    "not applicable": "#6e7781",
    "expected failure": "#9a6700",
    "unexpected pass": "#bc4c00",
}


class Result(Protocol):
    nodeid: str
    requirements: tuple[str, ...]
    level: str
    feature: str
    name: str
    line: int
    steps: list[dict[str, Any]]
    reached: int
    failed_step: int | None
    verdict: Verdict | None
    duration_s: float
    message: str
    transcript: list[dict[str, Any]]
    notes: list[str]


def coverage() -> dict[str, list[str]]:
    """Requirement id -> the scenarios that check it, read from the feature files."""
    table: dict[str, list[str]] = {req: [] for req in catalogue.load()}
    for feature in features.load_all():
        for scenario in feature.scenarios:
            for req in scenario.requirements:
                table.setdefault(req, []).append(f"{feature.area}: {scenario.name}")
    return table


def _versions() -> dict[str, str]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


# How a scenario's verdict shows in Cucumber, step by step: the step that raised gets this
# status, the steps before it passed and the ones after it were skipped. Cucumber has no
# warning: "pending" is the status report tools show apart from both passed and failed.
CUCUMBER_STATUS = {
    "fail": "failed",
    "error": "failed",
    "warn": "pending",
    "informative": "pending",
    "expected failure": "pending",
}


def _steps(result: Result, verdict: str) -> list[dict[str, Any]]:
    """Each step with the status the scenario's verdict gives it."""
    steps = []
    failed_at = result.failed_step
    if verdict in CUCUMBER_STATUS and failed_at is None:
        failed_at = max(result.reached - 1, 0)  # failed outside a step (fixture or scenario body)
    for index, step in enumerate(result.steps):
        if verdict == "not applicable" or (failed_at is not None and index > failed_at):
            status = "skipped"
        elif failed_at is not None and index == failed_at:
            status = CUCUMBER_STATUS[verdict]
        else:
            status = "passed"
        steps.append({**step, "status": status})
    return steps


def build_document(
    *,
    target: str,
    description: str,
    roles: Iterable[str],
    capabilities: Iterable[str],
    seed: int,
    certify: bool,
    expectations: Mapping[str, str],
    expectations_file: Mapping[str, str] | None,
    started: float,
    finished: float,
    results: Mapping[str, Result],
    requirement_verdicts: Mapping[str, Verdict],
    complete: Mapping[str, bool],
    profiles: Iterable[str],
    claim: Claim,
    exit_status: int,
    reproduce: str,
) -> dict[str, Any]:
    """The one document every written output is rendered from, so they cannot disagree."""
    known = catalogue.load()
    covered = coverage()
    requirements = []
    for req in sorted(known):
        entry = known[req]
        verdict = requirement_verdicts.get(req)
        requirements.append(
            {
                "id": req,
                "level": entry.level,
                "profile": entry.profile,
                "complete": complete.get(req, False),
                "roles": list(entry.roles),
                "statement": entry.statement,
                "sources": [{"title": s.title, "url": s.url, "section": s.section} for s in entry.sources],
                "verdict": verdict.value if verdict is not None else "not run",
                "scenarios": covered.get(req, []),
                "expected_failure": expectations.get(req),
            }
        )
    scenarios = []
    for r in sorted(results.values(), key=lambda r: r.nodeid):
        shown = (r.verdict or Verdict.ERROR).value
        scenarios.append(
            {
                "nodeid": r.nodeid,
                "feature": r.feature,
                "name": r.name,
                "line": r.line,
                "requirements": list(r.requirements),
                "level": r.level,
                "verdict": shown,
                "duration_s": round(r.duration_s, 4),
                "message": r.message,
                "steps": _steps(r, shown),
                "transcript": r.transcript,
                "notes": sorted(set(r.notes)),
                "reproduce": reproduce.format(name=r.nodeid.split("::")[-1]),
            }
        )
    counts = Counter(s["verdict"] for s in scenarios)
    requirement_counts = Counter(r["verdict"] for r in requirements)
    return {
        "suite": {"name": "voice-push-conformance", "version": __version__},
        "target": {
            "spec": target,
            "description": description,
            "roles": list(roles),
            "capabilities": sorted(capabilities),
            "profiles": sorted(profiles),
        },
        "seed": seed,
        "certification": certify,
        "expectations": dict(expectations_file) if expectations_file else None,
        "started": dt.datetime.fromtimestamp(started, dt.UTC).isoformat(),
        "finished": dt.datetime.fromtimestamp(finished, dt.UTC).isoformat(),
        "claim": claim.status,
        "claim_detail": {
            "text": claim.text,
            "covers": list(claim.covers),
            "not_covered": list(claim.not_covered),
            "not_under_test": list(claim.not_under_test),
            "partial": claim.partial,
            "musts_judged": claim.musts_judged,
        },
        "exit_status": exit_status,
        "counts": dict(sorted(counts.items())),
        "requirement_counts": dict(sorted(requirement_counts.items())),
        "requirements": requirements,
        "scenarios": scenarios,
        "environment": {"python": sys.version.split()[0], "platform": platform.platform(), "packages": _versions()},
    }


BANNER = {"green": "#1a7f37", "amber": "#9a6700", "red": "#cf222e", "purple": "#8250df"}


def _banner(document: Mapping[str, Any]) -> str:
    """Green only for a complete conformant run; amber for anything with a caveat (stale,
    partial, expected failures, nothing judged); red when not conformant; purple when the
    run could not judge the candidate."""
    status = document["claim"]
    if status == CONFORMANT and not document["claim_detail"]["partial"]:
        return BANNER["green"]
    if status == "not conformant":
        return BANNER["red"]
    if status == "could not run":
        return BANNER["purple"]
    return BANNER["amber"]


def _badge(verdict: str) -> str:
    colour = COLOURS.get(verdict, "#6e7781")
    return f'<span class="badge" style="background:{colour}">{html.escape(verdict)}</span>'


def render_html(document: Mapping[str, Any]) -> str:
    """One page a person can read offline: the claim, the requirement table, each failure with evidence."""
    esc = html.escape
    target = document["target"]
    banner = _banner(document)
    rows = []
    for req in document["requirements"]:
        sources = "; ".join(
            f'<a href="{esc(s["url"])}">{esc(s["title"])}</a> ({esc(s["section"])})' for s in req["sources"]
        )
        scenarios = "".join(f"<li>{esc(s)}</li>" for s in req["scenarios"])
        rows.append(
            f"<tr><td><code>{esc(req['id'])}</code></td><td>{esc(req['level'].upper())}</td>"
            f"<td>{_badge(req['verdict'])}</td><td>{esc(req['statement'])}<div class='src'>{sources}</div>"
            f"<details><summary>{len(req['scenarios'])} scenario(s)</summary><ul>{scenarios}</ul></details></td></tr>"
        )
    statements = {req["id"]: req for req in document["requirements"]}
    problems = []
    for scenario in document["scenarios"]:
        if scenario["verdict"] in {"pass", "not applicable"}:
            continue
        reqs = "".join(
            f"<p><code>{esc(r)}</code> ({esc(statements[r]['level'].upper())}): {esc(statements[r]['statement'])}</p>"
            for r in scenario["requirements"]
            if r in statements
        )
        exchanges = "".join(
            f"<div class='ex'><b>{esc(e['channel'])}</b> <pre>{esc(e['request'])}</pre><pre>→ {esc(e['response'])}</pre></div>"
            for e in scenario["transcript"]
        )
        problems.append(
            f"<section class='problem'><h3>{_badge(scenario['verdict'])} <code>{esc(scenario['nodeid'])}</code></h3>"
            f"{reqs}<h4>Expected vs actual</h4><pre class='msg'>{esc(scenario['message'])}</pre>"
            f"<h4>Reproduce</h4><pre>{esc(scenario['reproduce'])}</pre>"
            f"<details><summary>Exchanges ({len(scenario['transcript'])}, secrets redacted)</summary>{exchanges}</details>"
            "</section>"
        )
    noted = [
        f"<li><code>{esc(s['nodeid'])}</code><ul>{''.join(f'<li>{esc(n)}</li>' for n in s['notes'])}</ul></li>"
        for s in document["scenarios"]
        if s["notes"]
    ]
    if noted:
        problems.append(
            "<section class='notes'><h3>Notes (never verdicts)</h3><p>The candidate's own warnings and the "
            f"harness's faults, recorded without changing any verdict.</p><ul>{''.join(noted)}</ul></section>"
        )
    counts = ", ".join(f"{n} {esc(v)}" for v, n in document["counts"].items())
    requirement_counts = ", ".join(f"{n} {esc(v)}" for v, n in document["requirement_counts"].items())
    used = document["expectations"]
    expectations = f"<code>{esc(used['path'])}</code> (sha256 {esc(used['sha256'])})" if used else "none"
    env = document["environment"]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>voice-push-conformance report: {esc(target["spec"])}</title>
<style>
body {{ font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1f2328; }}
h1 {{ font-size: 1.5rem; }} table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border-bottom: 1px solid #d0d7de; padding: .45rem .5rem; vertical-align: top; text-align: left; }}
td:first-child code {{ white-space: nowrap; }}
.badge {{ color: #fff; border-radius: .8rem; padding: .1rem .6rem; font-size: .8rem; white-space: nowrap; }}
.claim {{ font-size: 1.3rem; padding: .8rem 1rem; border-radius: .4rem; color: #fff;
         background: {banner}; }}
.src {{ color: #57606a; font-size: .85rem; }} pre {{ background: #f6f8fa; padding: .5rem; overflow-x: auto; white-space: pre-wrap; }}
.problem {{ border: 1px solid #d0d7de; border-radius: .4rem; padding: .2rem 1rem; margin: 1rem 0; }}
.msg {{ border-left: 4px solid #cf222e; }} .meta td {{ border: none; padding: .1rem .6rem .1rem 0; }}
</style></head><body>
<h1>voice-push-conformance {esc(document["suite"]["version"])}: conformance report</h1>
<p class="claim">{esc(str(document["claim"]))}</p>
<p>{esc(document["claim_detail"]["text"])}</p>
<table class="meta">
<tr><td>Target</td><td><code>{esc(target["spec"])}</code> ({esc(target["description"])})</td></tr>
<tr><td>Roles</td><td>{esc(", ".join(target["roles"]) or "none")}; capabilities {esc(", ".join(target["capabilities"]) or "none")}</td></tr>
<tr><td>Seed</td><td>{document["seed"]}{" (certification run)" if document["certification"] else ""}</td></tr>
<tr><td>Run</td><td>{esc(document["started"])} to {esc(document["finished"])}</td></tr>
<tr><td>Requirements</td><td>{requirement_counts}</td></tr>
<tr><td>Scenarios</td><td>{counts}</td></tr>
<tr><td>Expectations</td><td>{expectations}</td></tr>
<tr><td>Environment</td><td>Python {esc(env["python"])} on {esc(env["platform"])}</td></tr>
</table>
<h2>Findings</h2>
{"".join(problems) or "<p>None: every applicable scenario passed.</p>"}
<h2>Requirements</h2>
<table><tr><th>Id</th><th>Level</th><th>Verdict</th><th>Statement, sources and scenarios</th></tr>
{"".join(rows)}</table>
</body></html>
"""


# How each verdict shows in JUnit, which knows only failure, error and skipped.
JUNIT = {
    "fail": "failure",
    "unexpected pass": "failure",
    "error": "error",
    "warn": "skipped",
    "informative": "skipped",
    "expected failure": "skipped",
    "not applicable": "skipped",
}


# Characters XML 1.0 cannot hold at all (control characters, lone surrogates); a candidate's
# answer can contain them, so they are written as visible escapes instead.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def render_junit(document: Mapping[str, Any]) -> str:
    """JUnit XML valid against the Jenkins xUnit junit-10.xsd: run facts as suite properties,
    one testcase per scenario named by its requirement ids and scenario name."""
    scenarios = document["scenarios"]
    kinds = Counter(JUNIT.get(s["verdict"]) for s in scenarios)
    suite = ET.Element(
        "testsuite",
        {
            "name": "voice-push-conformance",
            "tests": str(len(scenarios)),
            "failures": str(kinds["failure"]),
            "errors": str(kinds["error"]),
            "skipped": str(kinds["skipped"]),
            "time": f"{sum(s['duration_s'] for s in scenarios):.3f}",
            "timestamp": document["started"],
        },
    )
    properties = ET.SubElement(suite, "properties")
    facts = {
        "suite_version": document["suite"]["version"],
        "target": document["target"]["spec"],
        "target_description": document["target"]["description"],
        "roles": ",".join(document["target"]["roles"]),
        "seed": str(document["seed"]),
        "certification": str(document["certification"]).lower(),
        "claim": document["claim"],
        "claim_detail": document["claim_detail"]["text"],
        "covers": ",".join(document["claim_detail"]["covers"]),
        "exit_status": str(document["exit_status"]),
        "expectations_sha256": (document["expectations"] or {}).get("sha256", ""),
    }
    for name, value in facts.items():
        ET.SubElement(properties, "property", {"name": name, "value": _xml(value)})
    for scenario in scenarios:
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": f"voice_push_conformance.{scenario['feature']}",
                "name": _xml(f"{','.join(scenario['requirements'])}: {scenario['name']}"),
                "time": f"{scenario['duration_s']:.3f}",
            },
        )
        kind = JUNIT.get(scenario["verdict"])
        if kind is not None:
            detail = ET.SubElement(
                case,
                kind,
                {"type": scenario["verdict"], "message": _xml(f"{scenario['verdict']}: {scenario['message']}")},
            )
            if kind != "skipped":
                detail.text = _xml(f"{scenario['message']}\nreproduce: {scenario['reproduce']}")
    root = ET.Element("testsuites", {"name": "voice-push-conformance"})
    root.append(suite)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def render_cucumber(document: Mapping[str, Any]) -> str:
    """Cucumber JSON (the shape Cucumber report tools read), with each scenario's step
    statuses derived from its verdict (see CUCUMBER_STATUS; README explains the mapping)."""
    known = {f.area: f for f in features.load_all()}
    by_feature: dict[str, list[dict[str, Any]]] = {}
    for scenario in document["scenarios"]:
        by_feature.setdefault(scenario["feature"], []).append(scenario)
    out = []
    for area, scenarios in sorted(by_feature.items()):
        feature = known.get(area)
        elements = []
        for scenario in scenarios:
            steps = [
                {
                    "keyword": step["keyword"],
                    "name": step["text"],
                    "line": step["line"],
                    "match": {"location": scenario["nodeid"]},
                    "result": {
                        "status": step["status"],
                        "duration": 0,
                        **(
                            {"error_message": f"{scenario['verdict']}: {scenario['message']}"}
                            if step["status"] in {"failed", "pending"}
                            else {}
                        ),
                    },
                }
                for step in scenario["steps"]
            ]
            element: dict[str, Any] = {
                "id": scenario["nodeid"],
                "keyword": "Scenario",
                "name": scenario["name"],
                "description": "",
                "line": scenario["line"],
                "type": "scenario",
                "tags": [{"name": f"@{t}", "line": 0} for t in [*scenario["requirements"], scenario["level"]]],
                "steps": steps,
            }
            if scenario["verdict"] == "unexpected pass":
                # Every step passed; the expectations check after the scenario is what failed.
                element["after"] = [
                    {
                        "match": {"location": "expectations file"},
                        "result": {"status": "failed", "duration": 0, "error_message": scenario["message"]},
                    }
                ]
            elements.append(element)
        out.append(
            {
                "uri": f"features/{area}.feature",
                "id": area,
                "keyword": "Feature",
                "name": feature.name if feature else area,
                "description": feature.description if feature else "",
                "line": 1,
                "tags": [{"name": f"@{t}", "line": 1} for t in (feature.tags if feature else ())],
                "elements": elements,
            }
        )
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


def write(directory: Path, document: Mapping[str, Any], secrets: Iterable[Secret]) -> list[Path]:
    """Every report file of a run, each rendered from the one document and redacted."""
    directory.mkdir(parents=True, exist_ok=True)
    hidden = tuple(secrets)
    written = []
    for name, text in (
        ("report.json", json.dumps(document, indent=2, ensure_ascii=False) + "\n"),
        ("report.html", render_html(document)),
        ("junit.xml", render_junit(document)),
        ("cucumber.json", render_cucumber(document)),
    ):
        path = directory / name
        path.write_text(scrub(text, hidden), encoding="utf-8")
        written.append(path)
    return written


def verdict_file(document: Mapping[str, Any]) -> dict[str, Any]:
    """The short machine-readable verdicts (--verdict-file), from the same document."""
    return {
        "target": document["target"]["spec"],
        "seed": document["seed"],
        "claim": document["claim"],
        "claim_detail": document["claim_detail"],
        "exit_status": document["exit_status"],
        "requirements": {r["id"]: r["verdict"] for r in document["requirements"] if r["verdict"] != "not run"},
        "scenarios": {
            s["nodeid"]: {"verdict": s["verdict"], "requirements": s["requirements"]} for s in document["scenarios"]
        },
    }


def write_verdicts(path: Path, document: Mapping[str, Any], secrets: Iterable[Secret]) -> None:
    text = json.dumps(verdict_file(document), indent=2, ensure_ascii=False) + "\n"
    path.write_text(scrub(text, tuple(secrets)), encoding="utf-8")


def main() -> int:
    """Print the coverage view (clauses, requirements, scenarios): see voice_push_conformance.coverage."""
    from voice_push_conformance import coverage as coverage_view  # noqa: PLC0415

    return coverage_view.main()


if __name__ == "__main__":
    raise SystemExit(main())
