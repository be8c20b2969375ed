"""Reference application server: the token vending endpoint and the incoming-call webhook."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from voice_push_conformance.clock import MS_PER_SECOND
from voice_push_conformance.codecs import tokens, twiml
from voice_push_conformance.target import HarnessContext


class ReferenceIssuer:
    """Issues Access Tokens the way the official helper libraries do.

    Each overridable method is one documented rule; the mutants replace exactly one.
    Extension points: ``algorithm``, ``headers``, ``signing_secret``, ``issuer_sid``,
    ``subject_sid``, ``ttl_s``, ``issued_at_s``, ``grants``, ``identity_claim``,
    ``token_id``, ``time_claims``, ``call_timestamp``; the role methods ``issue_token``
    and ``answer_call``.
    """

    def __init__(self, context: HarnessContext) -> None:
        self.context = context
        self.credentials = context.credentials

    # --- rules ---------------------------------------------------------------------------

    def algorithm(self) -> str:
        """TOKEN-HEADER: tokens are signed with HS256."""
        return tokens.ALGORITHM

    def headers(self) -> dict[str, Any]:
        """TOKEN-HEADER: typ JWT and cty twilio-fpa."""
        return {"typ": "JWT", "cty": tokens.CONTENT_TYPE}

    def signing_secret(self) -> str:
        """TOKEN-SIGNATURE: the API key secret signs."""
        return self.credentials.api_key_secret.reveal()

    def issuer_sid(self) -> str:
        """TOKEN-ISSUER-SUBJECT: iss is the API key SID."""
        return self.credentials.api_key_sid

    def subject_sid(self) -> str:
        """TOKEN-ISSUER-SUBJECT: sub is the account SID."""
        return self.credentials.account_sid

    def ttl_s(self) -> int:
        """TOKEN-LIFETIME: an hour, well inside the 24-hour maximum."""
        return 3_600

    def issued_at_s(self) -> int:
        """TOKEN-LIFETIME: times are epoch seconds, from the issuer's clock."""
        return self.context.clock.now_ms() // MS_PER_SECOND

    def grants(self) -> dict[str, Any]:
        """TOKEN-VOICE-GRANT: a VoiceGrant naming the push credential."""
        return {
            "voice": tokens.voice_grant(
                push_credential_sid=self.credentials.push_credential_sid,
                outgoing_application_sid=self.credentials.application_sid,
            )
        }

    def identity_claim(self, identity: str) -> str | None:
        """TOKEN-IDENTITY: grants.identity is the user the token is for."""
        return identity

    def token_id(self, issued_at_s: int) -> str:
        """TOKEN-JTI: the helper libraries' jti: the API key SID, a dash, the issue second."""
        return f"{self.issuer_sid()}-{issued_at_s}"

    def time_claims(self) -> dict[str, bool]:
        """Which start-of-validity claims to write: twilio-python writes nbf and no iat."""
        return {"with_nbf": True, "with_iat": False}

    def call_timestamp(self) -> str:
        """LATE-STAMP-MS: the late-discard workaround's stamp: UTC epoch milliseconds, as a string."""
        return str(self.context.clock.now_ms())

    # --- the role ------------------------------------------------------------------------

    def issue_token(self, identity: str) -> str:
        """An Access Token for ``identity``, built from the rules above."""
        issued_at = self.issued_at_s()
        return tokens.mint(
            api_key_sid=self.issuer_sid(),
            account_sid=self.subject_sid(),
            secret=self.signing_secret(),
            now_s=issued_at,
            claim_overrides={"jti": self.token_id(issued_at)},
            identity=self.identity_claim(identity),
            grants=self.grants(),
            ttl_s=self.ttl_s(),
            algorithm=self.algorithm(),
            headers=self.headers(),
            **self.time_claims(),
        )

    def answer_call(self, caller: str, callee_identity: str, parameters: Mapping[str, str]) -> str:
        """The incoming-call webhook's TwiML: dial the callee, with the parameters and the timestamp."""
        pairs = [*parameters.items(), ("timestamp", self.call_timestamp())]
        return twiml.build_dial(callee_identity, pairs, caller_id=caller)
