"""A client that offers only the 3.x view of custom parameters, as the 3.x SDKs do.

It never builds the 2.x ``twi_params`` string: ``raw_params`` stays at its default,
``NOT_OFFERED``. The self-tests prove such a candidate is conformant, with the scenarios
comparing the two views (PARAMS-VIEWS-AGREE) not applicable rather than failed.
"""

from __future__ import annotations

from collections.abc import Mapping

from voice_push_conformance import reference
from voice_push_conformance.reference import ReferenceClient
from voice_push_conformance.target import Candidate, HarnessContext, PushHandling


class MapOnlyClient(ReferenceClient):
    def handle_push(self, data: Mapping[str, str]) -> PushHandling:
        handled = super().handle_push(data)
        return PushHandling(  # everything but the 2.x string
            kind=handled.kind,
            decision=handled.decision,
            call_sid=handled.call_sid,
            custom_parameters=handled.custom_parameters,
            reason=handled.reason,
        )


def build(context: HarnessContext) -> Candidate:
    return reference.build(context, client=MapOnlyClient, description="3.x-only client (no raw_params)")
