"""A deliberately flaky candidate: its client flips a coin from the operating system's
randomness, so separate runs of the same scenario disagree.

Only the self-tests use it, to prove that stability mode notices a verdict that
changes between identical runs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from voice_push_conformance import reference
from voice_push_conformance.reference import ReferenceClient
from voice_push_conformance.target import Candidate, HarnessContext, PushHandling


class _CoinFlipClient(ReferenceClient):
    def handle_push(self, data: Mapping[str, str]) -> PushHandling:
        handled = super().handle_push(data)
        if os.urandom(1)[0] % 2:
            return PushHandling(kind=handled.kind, decision="discard", reason="coin flip")
        return handled


def build(context: HarnessContext) -> Candidate:
    return reference.build(context, client=_CoinFlipClient, description="flaky test candidate")
