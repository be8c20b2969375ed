"""Mutants of the reference issuer that break the access token format."""

from __future__ import annotations

from typing import Any

from voice_push_conformance.mutants import mutant
from voice_push_conformance.reference import ReferenceIssuer


@mutant("token-hs512", "TOKEN-HEADER", "signs with HS512, which the helper libraries allow but Twilio does not")
class _HS512Issuer(ReferenceIssuer):
    def algorithm(self) -> str:
        return "HS512"


@mutant("token-no-cty", "TOKEN-HEADER", "omits the twilio-fpa content type header")
class _NoCtyIssuer(ReferenceIssuer):
    def headers(self) -> dict[str, Any]:
        return {"typ": "JWT"}


@mutant(
    "token-wrong-secret",
    "TOKEN-SIGNATURE",
    "signs with the account's auth token instead of the API key secret",
)
class _WrongSecretIssuer(ReferenceIssuer):
    def signing_secret(self) -> str:
        return "0" * 32


@mutant("token-account-as-issuer", "TOKEN-ISSUER-SUBJECT", "puts the account SID in iss and the key SID in sub")
class _SwappedIssuer(ReferenceIssuer):
    def issuer_sid(self) -> str:
        return self.credentials.account_sid

    def subject_sid(self) -> str:
        return self.credentials.api_key_sid


@mutant("token-48h", "TOKEN-LIFETIME", "issues tokens that live 48 hours")
class _LongLivedIssuer(ReferenceIssuer):
    def ttl_s(self) -> int:
        return 48 * 3_600


@mutant("token-ms-times", "TOKEN-LIFETIME", "writes nbf and exp in milliseconds")
class _MillisecondIssuer(ReferenceIssuer):
    def issued_at_s(self) -> int:
        return self.context.clock.now_ms()


@mutant("token-no-identity", "TOKEN-IDENTITY", "forgets grants.identity")
class _NoIdentityIssuer(ReferenceIssuer):
    def identity_claim(self, identity: str) -> str | None:
        return None


@mutant("token-no-voice-grant", "TOKEN-VOICE-GRANT", "issues a token with only a video grant")
class _NoVoiceGrantIssuer(ReferenceIssuer):
    def grants(self) -> dict[str, Any]:
        return {"video": {"room": "lobby"}}


@mutant("token-jti-random", "TOKEN-JTI", "uses a bare random string as jti")
class _RandomJtiIssuer(ReferenceIssuer):
    def token_id(self, issued_at_s: int) -> str:
        return "a3f9c2"


@mutant("token-capability-format", "TOKEN-HEADER", "still vends legacy capability tokens (a scope claim, no grants)")
class _CapabilityTokenIssuer(ReferenceIssuer):
    def issue_token(self, identity: str) -> str:
        import jwt  # noqa: PLC0415

        now = self.issued_at_s()
        claims = {
            "iss": self.subject_sid(),
            "exp": now + 3_600,
            "scope": f"scope:client:incoming?clientName={identity}",
        }
        return jwt.encode(claims, self.signing_secret(), algorithm="HS256")
