"""An adapter written against the earlier contract: one ``on_device_token`` callback.

Its client has no ``on_app_start`` or ``on_new_token``; the suite must hand it both
events through the single callback, and find it conformant.
"""

from __future__ import annotations

from collections.abc import Mapping

from voice_push_conformance import reference
from voice_push_conformance.reference import ReferenceClient
from voice_push_conformance.target import Candidate, ClientEnvironment, HarnessContext, PushHandling


class SingleCallbackClient:
    """Uses the reference's rules, but only through the two methods the old contract had."""

    def __init__(self, env: ClientEnvironment) -> None:
        self._rules = ReferenceClient(env)

    def handle_push(self, data: Mapping[str, str]) -> PushHandling:
        return self._rules.handle_push(data)

    def on_device_token(self, device_token: str) -> None:
        self._rules.on_device_token(device_token)


def build(context: HarnessContext) -> Candidate:
    candidate = reference.build(context, description="single on_device_token callback (earlier contract)")
    candidate.client_factory = SingleCallbackClient
    return candidate
