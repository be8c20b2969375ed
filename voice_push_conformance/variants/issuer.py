"""Token issuers that differ from the reference in ways the Access Token documentation allows."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from voice_push_conformance.reference import ReferenceIssuer
from voice_push_conformance.variants import variant


@variant(
    "token-node-shape",
    "writes iat and no nbf, as twilio-node does unless asked for nbf",
    allowed_by="Access Tokens (twilio.com/docs/iam/access-tokens): nbf is optional; twilio-node's AccessToken",
)
class _NodeShapeIssuer(ReferenceIssuer):
    def time_claims(self) -> dict[str, bool]:
        return {"with_nbf": False, "with_iat": True}


@variant(
    "token-jti-uuid",
    "uses a random-looking UUID as jti instead of <API key SID>-<issue second>",
    allowed_by="RFC 7519 section 4.1.7: jti is any identifier unique to the token; its form is the issuer's choice",
    tolerated={
        "TOKEN-JTI": "the SK...-<seconds> form is what the helper libraries emit, not a documented obligation; "
        "the check may at most inform (TOKEN-JTI is informative)"
    },
)
class _UuidJtiIssuer(ReferenceIssuer):
    def token_id(self, issued_at_s: int) -> str:
        seed = hashlib.sha256(f"{self.issuer_sid()}:{issued_at_s}".encode()).digest()[:16]
        return str(uuid.UUID(bytes=seed, version=4))


@variant(
    "token-ttl-600",
    "issues tokens that live 600 seconds",
    allowed_by="Access Tokens: ttl is the application's choice, up to 24 hours",
)
class _ShortLivedIssuer(ReferenceIssuer):
    def ttl_s(self) -> int:
        return 600


@variant(
    "token-region-header",
    "adds the twr region header the helper libraries write when a region is configured",
    allowed_by="Access Tokens: the helper libraries' region option adds a 'twr' JWT header; headers beyond "
    "typ/alg/cty are allowed by RFC 7515",
)
class _RegionIssuer(ReferenceIssuer):
    def headers(self) -> dict[str, Any]:
        return {**super().headers(), "twr": "ie1"}
