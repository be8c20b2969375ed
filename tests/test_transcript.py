"""The transcript keeps evidence but no credential: secrets replaced, token signatures cut."""

from __future__ import annotations

from voice_push_conformance.codecs import tokens
from voice_push_conformance.observers.transcript import Transcript
from voice_push_conformance.secrecy import REDACTED, Secret


def test_secrets_and_token_signatures_never_reach_the_transcript() -> None:
    secret = Secret("s3cr3t-api-key-secret-value")
    token = tokens.mint(
        api_key_sid="SK" + "a" * 32, account_sid="AC" + "b" * 32, secret=secret.reveal(), now_s=1_000, identity="bob"
    )
    signature = token.rsplit(".", 1)[1]
    record = Transcript(secrets=(secret,))
    record.record("http", f"POST /sessions {{'api_key_secret': '{secret.reveal()}'}}", f"200 {token}", 0)
    exchange = record.exchanges[0]
    assert secret.reveal() not in exchange.request
    assert REDACTED in exchange.request
    assert signature not in exchange.response
    assert token.rsplit(".", 1)[0] in exchange.response, "header and payload stay as evidence"
