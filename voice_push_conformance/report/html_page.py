"""report.html: one self-contained page a person can read offline."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from voice_push_conformance.judging.verdicts import CONFORMANT

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
    """A verdict as a coloured label, the same colours on every page."""
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
