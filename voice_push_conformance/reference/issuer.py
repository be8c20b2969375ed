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
    """

    def __init__(self, context: HarnessContext) -> None:
        self.context = context
        self.credentials = context.credentials

    # --- rules ---------------------------------------------------------------------------

    def algorithm(self) -> str:
        return tokens.ALGORITHM

    def headers(self) -> dict[str, Any]:
        return {"typ": "JWT", "cty": tokens.CONTENT_TYPE}

    def signing_secret(self) -> str:
        return self.credentials.api_key_secret.reveal()

    def issuer_sid(self) -> str:
        return self.credentials.api_key_sid

    def subject_sid(self) -> str:
        return self.credentials.account_sid

    def ttl_s(self) -> int:
        return 3_600

    def issued_at_s(self) -> int:
        return self.context.clock.now_ms() // MS_PER_SECOND

    def grants(self) -> dict[str, Any]:
        return {
            "voice": tokens.voice_grant(
                push_credential_sid=self.credentials.push_credential_sid,
                outgoing_application_sid=self.credentials.application_sid,
            )
        }

    def identity_claim(self, identity: str) -> str | None:
        return identity

    def token_id(self, issued_at_s: int) -> str:
        """The helper libraries' jti: the API key SID, a dash, the issue second."""
        return f"{self.issuer_sid()}-{issued_at_s}"

    def time_claims(self) -> dict[str, bool]:
        """Which start-of-validity claims to write: twilio-python writes nbf and no iat."""
        return {"with_nbf": True, "with_iat": False}

    def call_timestamp(self) -> str:
        """The late-discard workaround's stamp: UTC epoch milliseconds, as a string."""
        return str(self.context.clock.now_ms())

    # --- the role ------------------------------------------------------------------------

    def issue_token(self, identity: str) -> str:
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
        pairs = [*parameters.items(), ("timestamp", self.call_timestamp())]
        return twiml.build_dial(callee_identity, pairs, caller_id=caller)
