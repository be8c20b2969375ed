"""An issuer that signs every access token with a secret of its own, not the configured one.

Only the self-tests use it: TOKEN-SIGNATURE must fail, and nothing the run writes may
carry the configured secret or any token signature. Each token it issues is appended
to the file named by ``VPC_SELFTEST_TOKEN_LOG`` so the self-test knows which signatures
to look for. It also logs each token and the configured secret, as a careless service might.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading

from voice_push_conformance import reference
from voice_push_conformance.reference import ReferenceIssuer
from voice_push_conformance.target import Candidate, HarnessContext

_LOG = logging.getLogger(__name__)
_OWN_SECRET = secrets.token_hex(16)
_LOG_LOCK = threading.Lock()


class _WrongSecretIssuer(ReferenceIssuer):
    def signing_secret(self) -> str:
        return _OWN_SECRET

    def issue_token(self, identity: str) -> str:
        token = super().issue_token(identity)
        # Careless, as real services can be: the logs must not carry these out of the run either.
        _LOG.info("issued %s for %s (API key secret %s)", token, identity, self.credentials.api_key_secret.reveal())
        log = os.environ.get("VPC_SELFTEST_TOKEN_LOG")
        if log:
            with _LOG_LOCK, open(log, "a", encoding="utf-8") as out:
                out.write(token + "\n")
        return token


def build(context: HarnessContext) -> Candidate:
    return reference.build(context, issuer=_WrongSecretIssuer, description="wrong-secret test candidate")
