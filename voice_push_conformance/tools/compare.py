"""The comparison matrix: requirements by implementations, disagreements first.

Runs the suite against several targets (at most two at a time) or reads existing
report.json files, then writes compare.json (schemas/compare.json), a self-contained
compare.html and a compact table on the terminal.

    python -m voice_push_conformance.tools.compare --reference --reference-http --target pkg.mod:build
    python -m voice_push_conformance.tools.compare --report old/report.json --report new/report.json
    python -m voice_push_conformance.tools.compare --reference --mutants token-hs512 params-json   # teaching view

Exit status: 0 when the matrix is written, 3 when a target produced no report (the matrix
then shows the others), 4 on bad input.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from voice_push_conformance import __version__, schemas
from voice_push_conformance.paths import ROOT
from voice_push_conformance.report.reader import NOT_RUN, OneLineParser, Report, ResultsError, load

EXIT_WRITTEN = 0
EXIT_COULD_NOT_RUN = 3
EXIT_USAGE = 4
DEFAULT_SEED = 20261126
SHORT = {
    "pass": "pass",
    "fail": "FAIL",
    "warn": "warn",
    "informative": "info",
    "not applicable": "n/a",
    "expected failure": "xfail",
    "unexpected pass": "XPASS",
    "error": "ERROR",
    NOT_RUN: "-",
}
# Cells that have a finding worth linking to.
QUIET = {"pass", "not applicable", NOT_RUN}


class CompareError(Exception):
    """Bad input or a target that produced no report; the message is one line."""


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:60] or "target"


def run_target(target: str, out: Path, seed: int, extra: Sequence[str] = ()) -> Path:
    """One suite run in a fresh process; returns its report.json."""
    out.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pytest", "steps", "-q", "-p", "no:xdist", "--target", target]
    command += ["--seed", str(seed), "--report-dir", str(out), *extra]
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    report = out / "report.json"
    if not report.exists():
        lines = [line for line in (completed.stdout + completed.stderr).splitlines() if line.strip()]
        raise CompareError(f"target {target}: no report (exit {completed.returncode}: {lines[-1] if lines else ''})")
    return report


def run_targets(
    targets: Sequence[str], workdir: Path, seed: int, jobs: int = 2, extra: Sequence[str] = ()
) -> list[Path]:
    """Every target under the same seed (and the same extra pytest arguments), at most two at a time."""
    reports, failures = run_targets_tolerantly(targets, workdir, seed, jobs, extra)
    if failures:
        raise CompareError(failures[0])
    return reports


def run_targets_tolerantly(
    targets: Sequence[str], workdir: Path, seed: int, jobs: int = 2, extra: Sequence[str] = ()
) -> tuple[list[Path], list[str]]:
    """Like run_targets, but a target that produced no report is listed, not fatal."""
    dirs = [workdir / f"{i:02d}-{_slug(t)}" for i, t in enumerate(targets)]

    def one(pair: tuple[str, Path]) -> Path | str:
        try:
            return run_target(pair[0], pair[1], seed, extra)
        except CompareError as exc:
            return str(exc)

    with ThreadPoolExecutor(max_workers=max(1, min(jobs, 2))) as pool:
        outcomes = list(pool.map(one, zip(targets, dirs, strict=True)))
    return [o for o in outcomes if isinstance(o, Path)], [o for o in outcomes if isinstance(o, str)]


@dataclass(frozen=True)
class Column:
    """One target in a comparison: its id, the label shown and its report."""

    id: str
    label: str
    report: Report


def _teaching_note(target: str) -> str:
    """For a mutant column, the requirement it was built to break (the teaching view)."""
    if "mutant:" not in target:
        return ""
    from voice_push_conformance import mutants  # noqa: PLC0415 - only when mutants are compared

    found = mutants.CATALOGUE.get(target.rsplit("mutant:", 1)[1])
    return f" (breaks {found.breaks})" if found is not None else ""


def _columns(reports: Sequence[Report]) -> list[Column]:
    labels = [r.target for r in reports]
    columns = []
    for i, rep in enumerate(reports):
        label = rep.target if labels.count(rep.target) == 1 else f"{rep.target} ({rep.path.parent.name or rep.path})"
        columns.append(Column(f"c{i + 1}", label + _teaching_note(rep.target), rep))
    return columns


def build(reports: Sequence[Report]) -> dict[str, Any]:
    """The matrix document (schemas/compare.json): rows where verdicts differ first, then by profile and id."""
    if not reports:
        raise CompareError("nothing to compare: name targets or --report files")
    columns = _columns(reports)
    ids = sorted({r.id for rep in reports for r in rep.requirements})
    rows = []
    for req in ids:
        known = next(r for rep in reports if (r := rep.requirement(req)) is not None)
        cells = []
        for column in columns:
            verdict = column.report.verdict(req)
            findings = [
                {
                    "nodeid": s.nodeid,
                    "verdict": s.verdict,
                    "message": s.message,
                    "reproduce": s.reproduce,
                    "exchanges": [
                        {"channel": e.channel, "request": e.request, "response": e.response} for e in s.exchanges
                    ],
                }
                for s in column.report.scenarios_for(req)
                if s.verdict not in QUIET
            ]
            cells.append({"column": column.id, "verdict": verdict, "findings": findings})
        rows.append(
            {
                "requirement": req,
                "level": known.level,
                "profile": known.profile,
                "statement": known.statement,
                "disagree": len({c["verdict"] for c in cells}) > 1,
                "cells": cells,
            }
        )
    rows.sort(key=lambda row: (not row["disagree"], row["profile"], row["requirement"]))
    return {
        "suite": {"name": "voice-push-conformance", "version": __version__},
        "columns": [
            {
                "id": c.id,
                "label": c.label,
                "target": c.report.target,
                "description": c.report.description,
                "suite_version": c.report.suite_version,
                "seed": c.report.seed,
                "claim": c.report.claim,
                "exit_status": c.report.exit_status,
                "report": str(c.report.path),
            }
            for c in columns
        ],
        "rows": rows,
        "summary": {"requirements": len(rows), "disagreements": sum(1 for r in rows if r["disagree"])},
    }


_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
_PAGE = _ENV.from_string(
    """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>voice-push-conformance {{ doc.suite.version }}: comparison</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1f2328; }
table { border-collapse: collapse; } th, td { border: 1px solid #d0d7de; padding: .3rem .45rem; vertical-align: top; }
th { background: #f6f8fa; text-align: left; } tr.group th { background: #eaeef2; }
td.v { text-align: center; white-space: nowrap; color: #fff; }
td.v a { color: #fff; }
.reading { display: block; color: #fff; font-size: .75rem; max-width: 16rem; white-space: normal; }
{% for verdict, colour in colours %}td.v[data-verdict="{{ verdict }}"] { background: {{ colour }}; }
{% endfor %}
tr.disagree td.req { border-left: 4px solid #cf222e; }
pre { background: #f6f8fa; padding: .4rem; white-space: pre-wrap; }
.finding { border: 1px solid #d0d7de; border-radius: .3rem; padding: .1rem .8rem; margin: .6rem 0; }
.finding:target { outline: 3px solid #0969da; }
</style></head><body>
<h1>Comparison: {{ doc.columns | length }} implementation(s), {{ doc.summary.requirements }} requirements</h1>
<p id="summary">{{ doc.summary.disagreements }} requirement(s) where the implementations disagree, listed first.</p>
<table id="matrix">
<tr><th>Requirement</th><th>Level</th>{% for c in doc.columns %}
<th title="{{ c.description }}">{{ c.label }}<br><small>{{ c.claim }}</small></th>{% endfor %}</tr>
{% set ns = namespace(group="") %}{% for row in doc.rows %}
{% set group = ("Disagreements" if row.disagree else "Agreement") ~ " · profile " ~ row.profile %}
{% if group != ns.group %}
<tr class="group"><th colspan="{{ 2 + doc.columns | length }}">{{ group }}</th></tr>{% endif %}
{% set ns.group = group %}
<tr class="{{ 'disagree' if row.disagree else 'agree' }}" data-requirement="{{ row.requirement }}">
<td class="req" title="{{ row.statement }}"><code>{{ row.requirement }}</code></td><td>{{ row.level | upper }}</td>
{% for cell in row.cells %}<td class="v" data-verdict="{{ cell.verdict }}">{% if cell.findings %}
<a href="#f-{{ cell.column }}-{{ row.requirement }}">{{ cell.verdict }}</a>{% if cell.verdict == "informative" %}
<span class="reading">{{ cell.findings[0].message | truncate(140) }}</span>{% endif %}
{% else %}{{ cell.verdict }}{% endif %}</td>{% endfor %}
</tr>{% endfor %}
</table>
<h2>Findings</h2>
{% for row in doc.rows %}{% for cell in row.cells %}{% if cell.findings %}
<section class="finding" id="f-{{ cell.column }}-{{ row.requirement }}">
<h3><code>{{ row.requirement }}</code> ({{ row.level | upper }}) in {{ labels[cell.column] }}: {{ cell.verdict }}</h3>
<p>{{ row.statement }}</p>
{% for f in cell.findings %}<h4>{{ f.verdict }}: <code>{{ f.nodeid }}</code></h4>
<pre>{{ f.message }}</pre><p>Reproduce:</p><pre>{{ f.reproduce }}</pre>
<details><summary>Exchanges ({{ f.exchanges | length }}, secrets redacted)</summary>
{% for e in f.exchanges %}<p><b>{{ e.channel }}</b></p>
<pre>{{ e.request }}</pre><pre>→ {{ e.response }}</pre>{% endfor %}</details>
{% endfor %}</section>{% endif %}{% endfor %}{% endfor %}
</body></html>
"""
)


def render_html(document: dict[str, Any]) -> str:
    """The comparison as one HTML page, with the same colours as the run report."""
    from voice_push_conformance.report import COLOURS  # noqa: PLC0415 - one palette for every page

    labels = {c["id"]: c["label"] for c in document["columns"]}
    return _PAGE.render(doc=document, colours=sorted(COLOURS.items()), labels=labels)


def render_terminal(document: dict[str, Any]) -> str:
    """A compact table: numbered columns, then the disagreeing rows, then a count of the rest."""
    columns = document["columns"]
    lines = [f"[{i + 1}] {c['label']}: {c['claim']}" for i, c in enumerate(columns)]
    width = max((len(r["requirement"]) for r in document["rows"]), default=10)
    head = " ".join(f"{f'[{i + 1}]':>6}" for i in range(len(columns)))
    disagreeing = [r for r in document["rows"] if r["disagree"]]
    lines.append("")
    if disagreeing:
        lines.append(f"{'requirement':<{width}} {'level':<11} {head}")
        for row in disagreeing:
            cells = " ".join(f"{SHORT.get(c['verdict'], c['verdict']):>6}" for c in row["cells"])
            lines.append(f"{row['requirement']:<{width}} {row['level']:<11} {cells}")
    agree = len(document["rows"]) - len(disagreeing)
    lines.append(f"{len(disagreeing)} requirement(s) disagree; {agree} agree")
    return "\n".join(lines)


def write(document: dict[str, Any], out: Path) -> list[Path]:
    """Writes compare.json (checked against its schema) and compare.html; returns both paths."""
    problems = schemas.errors("compare", document)
    if problems:  # a bug in this module, not the user's input
        raise RuntimeError("compare.json does not match schemas/compare.json: " + "; ".join(problems))
    out.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out / "compare.json", out / "compare.html"
    json_path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    html_path.write_text(render_html(document), encoding="utf-8")
    return [json_path, html_path]


def main(argv: list[str] | None = None) -> int:
    """Command line: run or read several targets and compare their verdicts side by side."""
    parser = OneLineParser(
        prog="python -m voice_push_conformance.tools.compare", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--reference", action="store_true", help="add the embedded reference implementation")
    parser.add_argument("--reference-http", action="store_true", help="add the reference served over HTTP")
    parser.add_argument("--target", action="append", default=[], metavar="T", help="add a target (repeatable)")
    parser.add_argument(
        "--mutants", nargs="*", default=None, metavar="NAME", help="add mutants (all when no name): a teaching view"
    )
    parser.add_argument("--report", action="append", default=[], metavar="FILE", help="add an existing report.json")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed for every run (default %(default)s)")
    parser.add_argument("--jobs", type=int, default=2, choices=(1, 2), help="runs at a time (at most 2)")
    parser.add_argument("--out", type=Path, default=Path("compare"), help="directory for compare.json/.html")
    args = parser.parse_args(argv)
    targets = (["reference"] if args.reference else []) + (["reference-http"] if args.reference_http else [])
    targets += args.target
    if args.mutants is not None:
        from voice_push_conformance import mutants  # noqa: PLC0415 - only for the teaching view

        names = args.mutants or sorted(mutants.CATALOGUE)
        unknown = sorted(set(names) - set(mutants.CATALOGUE))
        if unknown:
            print(f"compare: unknown mutants: {', '.join(unknown)}", file=sys.stderr)
            return EXIT_USAGE
        targets += [f"mutant:{n}" for n in names]
    try:
        reports = [load(Path(p)) for p in args.report]
    except ResultsError as exc:
        print(f"compare: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not targets and not reports:
        print(
            "compare: nothing to compare: name targets (--reference, --target ...) or --report files", file=sys.stderr
        )
        return EXIT_USAGE
    failures: list[str] = []
    try:
        if targets:
            paths, failures = run_targets_tolerantly(targets, args.out.resolve() / "runs", args.seed, args.jobs)
            reports += [load(p) for p in paths]
        for failure in failures:
            print(f"compare: {failure}", file=sys.stderr)
        document = build(reports)
    except (CompareError, ResultsError) as exc:
        print(f"compare: {exc}", file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    written = write(document, args.out)
    print(render_terminal(document))
    print("wrote " + ", ".join(str(p) for p in written))
    return EXIT_COULD_NOT_RUN if failures else EXIT_WRITTEN


if __name__ == "__main__":
    raise SystemExit(main())
