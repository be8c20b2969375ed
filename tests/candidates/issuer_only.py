"""A candidate that offers only the token issuer role (the reference's).

Only the self-tests use it: its claim must say it covers the issuer role and nothing else.
"""

from __future__ import annotations

from voice_push_conformance.reference import ReferenceIssuer
from voice_push_conformance.target import Candidate, HarnessContext


def build(context: HarnessContext) -> Candidate:
    return Candidate(description="issuer-only test candidate", issuer=ReferenceIssuer(context))
