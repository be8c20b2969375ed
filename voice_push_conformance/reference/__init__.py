"""The embedded reference implementation of all three roles: the suite's default target."""

from __future__ import annotations

from voice_push_conformance.reference.client import ReferenceClient
from voice_push_conformance.reference.issuer import ReferenceIssuer
from voice_push_conformance.reference.service import ReferenceVoiceService
from voice_push_conformance.target import Candidate, HarnessContext

__all__ = ["ReferenceClient", "ReferenceIssuer", "ReferenceVoiceService", "build"]


def build(
    context: HarnessContext,
    *,
    issuer: type[ReferenceIssuer] = ReferenceIssuer,
    service: type[ReferenceVoiceService] = ReferenceVoiceService,
    client: type[ReferenceClient] = ReferenceClient,
    description: str = "embedded reference implementation",
) -> Candidate:
    """A candidate made of the reference roles, any of which a mutant may swap."""
    return Candidate(
        description=description,
        issuer=issuer(context),
        service=service(context),
        client_factory=client,
        capabilities=frozenset({"clock", "voice_webhook", "reset"}),
        profiles=frozenset({"late-notification-workaround", "security-baseline"}),
    )
