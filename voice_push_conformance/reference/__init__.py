"""The embedded reference implementation of all three roles: the suite's default target."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Self

from voice_push_conformance.reference.client import ReferenceClient
from voice_push_conformance.reference.issuer import ReferenceIssuer
from voice_push_conformance.reference.service import ReferenceVoiceService
from voice_push_conformance.target import Candidate, HarnessContext

__all__ = ["ReferenceClient", "ReferenceIssuer", "ReferenceVoiceService", "RoleClass", "RoleSwap", "build"]

RoleClass = type[ReferenceIssuer] | type[ReferenceVoiceService] | type[ReferenceClient]


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


@dataclass(frozen=True, kw_only=True)
class RoleSwap:
    """The reference with some roles replaced by subclasses: what mutants and variants are made of."""

    issuer: type[ReferenceIssuer] = ReferenceIssuer
    service: type[ReferenceVoiceService] = ReferenceVoiceService
    client: type[ReferenceClient] = ReferenceClient

    def swapped(self, cls: RoleClass) -> Self:
        """The same entry with ``cls`` in place of the reference role it subclasses."""
        if issubclass(cls, ReferenceIssuer):
            return replace(self, issuer=cls)
        if issubclass(cls, ReferenceVoiceService):
            return replace(self, service=cls)
        return replace(self, client=cls)

    def build_labelled(self, context: HarnessContext, label: str) -> Candidate:
        """A candidate of these roles, described by ``label`` in the run header and reports."""
        return build(context, issuer=self.issuer, service=self.service, client=self.client, description=label)
