"""Root conftest: loads the suite's pytest plugins and its shared step vocabulary."""

from __future__ import annotations

pytest_plugins = [
    "voice_push_conformance.plugin.candidate_warnings",  # before pytest_plugin, which imports it
    "voice_push_conformance.plugin.target_faults",  # likewise
    "voice_push_conformance.pytest_plugin",
    "voice_push_conformance.plugin.bundle_plugin",
    "voice_push_conformance.plugin.terminal",
    "voice_push_conformance.plugin.redaction",
    "steps._common",
]
