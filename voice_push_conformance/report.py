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
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

from voice_push_conformance import __version__, catalogue, features
from voice_push_conformance.secrets import Secret, scrub
from voice_push_conformance.verdicts import Verdict, claim, worst

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
    verdict: Verdict | None
    duration_s: float
    message: str
    transcript: list[dict[str, Any]]


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


def build_document(
    *,
    target: str,
    description: str,
    roles: Iterable[str],
    capabilities: Iterable[str],
    seed: int,
    certify: bool,
    expectations: Mapping[str, str],
    started: float,
    finished: float,
    results: Mapping[str, Result],
    reproduce: str,
) -> dict[str, Any]:
    known = catalogue.load()
    by_requirement: dict[str, list[Result]] = defaultdict(list)
    for result in results.values():
        for req in result.requirements:
            by_requirement[req].append(result)
    scenario_verdicts = [r.verdict or Verdict.ERROR for r in results.values()]
    verdict_claim, exit_status = claim(scenario_verdicts)
    covered = coverage()
    requirements = []
    for req in sorted(known):
        entry = known[req]
        ran = by_requirement.get(req, [])
        requirements.append(
            {
                "id": req,
                "level": entry.level,
                "roles": list(entry.roles),
                "statement": entry.statement,
                "sources": [{"title": s.title, "url": s.url, "section": s.section} for s in entry.sources],
                "verdict": worst([r.verdict or Verdict.ERROR for r in ran]).value if ran else "not run",
                "scenarios": covered.get(req, []),
                "expected_failure": expectations.get(req),
            }
        )
    scenarios = [
        {
            "nodeid": r.nodeid,
            "requirements": list(r.requirements),
            "level": r.level,
            "verdict": (r.verdict or Verdict.ERROR).value,
            "duration_s": round(r.duration_s, 4),
            "message": r.message,
            "transcript": r.transcript,
            "reproduce": reproduce.format(name=r.nodeid.split("::")[-1]),
        }
        for r in sorted(results.values(), key=lambda r: r.nodeid)
    ]
    counts: dict[str, int] = defaultdict(int)
    for verdict in scenario_verdicts:
        counts[verdict.value] += 1
    return {
        "suite": {"name": "voice-push-conformance", "version": __version__},
        "target": {
            "spec": target,
            "description": description,
            "roles": list(roles),
            "capabilities": sorted(capabilities),
        },
        "seed": seed,
        "certification": certify,
        "started": dt.datetime.fromtimestamp(started, dt.UTC).isoformat(),
        "finished": dt.datetime.fromtimestamp(finished, dt.UTC).isoformat(),
        "claim": verdict_claim,
        "exit_status": exit_status,
        "counts": dict(sorted(counts.items())),
        "requirements": requirements,
        "scenarios": scenarios,
        "environment": {"python": sys.version.split()[0], "platform": platform.platform(), "packages": _versions()},
    }


def _badge(verdict: str) -> str:
    colour = COLOURS.get(verdict, "#6e7781")
    return f'<span class="badge" style="background:{colour}">{html.escape(verdict)}</span>'


def render_html(document: Mapping[str, Any]) -> str:
    """One page a person can read offline: the claim, the requirement table, each failure with evidence."""
    esc = html.escape
    target = document["target"]
    good = str(document["claim"]).startswith("conformant")
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
    counts = ", ".join(f"{n} {esc(v)}" for v, n in document["counts"].items())
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
         background: {"#1a7f37" if good else "#cf222e"}; }}
.src {{ color: #57606a; font-size: .85rem; }} pre {{ background: #f6f8fa; padding: .5rem; overflow-x: auto; white-space: pre-wrap; }}
.problem {{ border: 1px solid #d0d7de; border-radius: .4rem; padding: .2rem 1rem; margin: 1rem 0; }}
.msg {{ border-left: 4px solid #cf222e; }} .meta td {{ border: none; padding: .1rem .6rem .1rem 0; }}
</style></head><body>
<h1>voice-push-conformance {esc(document["suite"]["version"])}: conformance report</h1>
<p class="claim">{esc(str(document["claim"]))}</p>
<table class="meta">
<tr><td>Target</td><td><code>{esc(target["spec"])}</code> ({esc(target["description"])})</td></tr>
<tr><td>Roles</td><td>{esc(", ".join(target["roles"]) or "none")}; capabilities {esc(", ".join(target["capabilities"]) or "none")}</td></tr>
<tr><td>Seed</td><td>{document["seed"]}{" (certification run)" if document["certification"] else ""}</td></tr>
<tr><td>Run</td><td>{esc(document["started"])} to {esc(document["finished"])}</td></tr>
<tr><td>Scenarios</td><td>{counts}</td></tr>
<tr><td>Environment</td><td>Python {esc(env["python"])} on {esc(env["platform"])}</td></tr>
</table>
<h2>Findings</h2>
{"".join(problems) or "<p>None: every applicable scenario passed.</p>"}
<h2>Requirements</h2>
<table><tr><th>Id</th><th>Level</th><th>Verdict</th><th>Statement, sources and scenarios</th></tr>
{"".join(rows)}</table>
</body></html>
"""


def write(directory: Path, document: Mapping[str, Any], secrets: Iterable[Secret]) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    hidden = tuple(secrets)
    written = []
    for name, text in (
        ("report.json", json.dumps(document, indent=2, ensure_ascii=False) + "\n"),
        ("report.html", render_html(document)),
    ):
        path = directory / name
        path.write_text(scrub(text, hidden), encoding="utf-8")
        written.append(path)
    return written


def main() -> int:
    """Print the coverage view (clauses, requirements, scenarios): see voice_push_conformance.coverage."""
    from voice_push_conformance import coverage as coverage_view  # noqa: PLC0415

    return coverage_view.main()


if __name__ == "__main__":
    raise SystemExit(main())
