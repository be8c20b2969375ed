"""Certification reports: report.json (schema: schemas/report.json), a self-contained
report.html, junit.xml, cucumber.json and the verdict file, all rendered from one document
built from the run's scenario results. Secrets are removed from every byte written,
whatever part of the run produced them.

One module per concern: ``document`` builds the document, ``html_page``, ``junit`` and
``cucumber`` render it, ``files`` writes it. The names below are this package's public API.
"""

from __future__ import annotations

from voice_push_conformance.report.cucumber import render_cucumber
from voice_push_conformance.report.document import (
    CUCUMBER_STATUS,
    PACKAGES,
    Result,
    build_document,
    coverage,
)
from voice_push_conformance.report.files import verdict_file, write, write_verdicts
from voice_push_conformance.report.html_page import BANNER, COLOURS, render_html
from voice_push_conformance.report.junit import JUNIT, render_junit

__all__ = [
    "BANNER",
    "COLOURS",
    "CUCUMBER_STATUS",
    "JUNIT",
    "PACKAGES",
    "Result",
    "build_document",
    "coverage",
    "render_cucumber",
    "render_html",
    "render_junit",
    "verdict_file",
    "write",
    "write_verdicts",
]
