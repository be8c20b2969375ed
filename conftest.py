"""Root conftest: loads the suite's pytest plugin and its shared step vocabulary."""

from __future__ import annotations

pytest_plugins = [
    "voice_push_conformance.pytest_plugin",
    "voice_push_conformance.bundle_plugin",
    "voice_push_conformance.target_faults",
    "steps._common",
]
