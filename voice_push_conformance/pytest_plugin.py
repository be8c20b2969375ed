"""The suite's pytest plugin: registers the modules of :mod:`voice_push_conformance.plugin`.

The root conftest lists this module, and pytest then loads the hook modules named below in
this order, each after the modules it imports (``decide`` has no hooks; ``outputs`` imports it).
The hooks and the ``world`` fixture live in those modules only. They are named, not imported,
so pytest imports each one itself and can rewrite its assertions; the run settings other
plugins read are re-exported from ``plugin.settings``.
"""

from __future__ import annotations

from voice_push_conformance.plugin.settings import PASSED, RUN, STARTED, TRANSCRIPT, RunSettings

pytest_plugins = [
    "voice_push_conformance.plugin.options",
    "voice_push_conformance.plugin.header",
    "voice_push_conformance.plugin.collection",
    "voice_push_conformance.plugin.scenario",
    "voice_push_conformance.plugin.outcomes",
    "voice_push_conformance.plugin.outputs",
]

__all__ = ["PASSED", "RUN", "STARTED", "TRANSCRIPT", "RunSettings"]
