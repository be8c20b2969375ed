"""ACME's adapter for voice-push-conformance: lives in ACME's repository, not in the suite.

voice-push-conformance run --target conformance/adapter.py:build
"""

from __future__ import annotations

from acme_voice.push import AcmeVoiceService

from voice_push_conformance import reference
from voice_push_conformance.target import Candidate, HarnessContext


def build(context: HarnessContext) -> Candidate:
    candidate = reference.build(context, service=AcmeVoiceService, description="ACME Voice (urllib push sender)")
    # urllib is invisible to the suite's in-process FCM interception: ask for the loopback endpoint.
    candidate.capabilities = candidate.capabilities | {"loopback_fcm"}
    return candidate
