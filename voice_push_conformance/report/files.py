"""Writing a run's files: every report and the verdict file, each redacted before it is written."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from voice_push_conformance.report.cucumber import render_cucumber
from voice_push_conformance.report.html_page import render_html
from voice_push_conformance.report.junit import render_junit
from voice_push_conformance.secrecy import Secret, scrub


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
    """The --verdict-file, redacted like every report file."""
    text = json.dumps(verdict_file(document), indent=2, ensure_ascii=False) + "\n"
    path.write_text(scrub(text, tuple(secrets)), encoding="utf-8")
