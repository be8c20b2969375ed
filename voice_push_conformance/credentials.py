"""The suite's own Twilio-style credentials, shared with the candidate under test.

They default to values generated from the run seed; a vendor whose implementation is
configured with fixed credentials sets the ``VPC_*`` environment variables instead.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from voice_push_conformance.data import DataFactory, derive_seed
from voice_push_conformance.secrecy import Secret

SID_PATTERNS = {
    "account_sid": re.compile(r"^AC[0-9a-fA-F]{32}$"),
    "api_key_sid": re.compile(r"^SK[0-9a-fA-F]{32}$"),
    "push_credential_sid": re.compile(r"^CR[0-9a-fA-F]{32}$"),
    "application_sid": re.compile(r"^AP[0-9a-fA-F]{32}$"),
}

ENV = {
    "account_sid": "VPC_ACCOUNT_SID",
    "api_key_sid": "VPC_API_KEY_SID",
    "api_key_secret": "VPC_API_KEY_SECRET",
    "push_credential_sid": "VPC_PUSH_CREDENTIAL_SID",
    "application_sid": "VPC_APPLICATION_SID",
    "fcm_project_id": "VPC_FCM_PROJECT_ID",
    "fcm_bearer_token": "VPC_FCM_BEARER_TOKEN",
}


class CredentialsError(ValueError):
    """A configured credential has the wrong shape."""


@dataclass(frozen=True)
class Credentials:
    """Who the suite and the candidate both believe the account is."""

    account_sid: str
    api_key_sid: str
    api_key_secret: Secret
    push_credential_sid: str
    application_sid: str
    fcm_project_id: str
    # The OAuth bearer token the push credential yields for FCM HTTP v1.
    fcm_bearer_token: Secret

    @property
    def secrets(self) -> tuple[Secret, ...]:
        return (self.api_key_secret, self.fcm_bearer_token)

    def describe(self) -> str:
        """One line for the run header: identifiers only, never secrets."""
        return (
            f"account {self.account_sid}, API key {self.api_key_sid}, "
            f"push credential {self.push_credential_sid}, FCM project {self.fcm_project_id}"
        )


def generate_credentials(run_seed: int) -> Credentials:
    """Made-up credentials derived from the run seed, so a run is reproducible and holds no real secret."""
    data = DataFactory(derive_seed(run_seed, "credentials"))
    return Credentials(
        account_sid=data.sid("AC"),
        api_key_sid=data.sid("SK"),
        api_key_secret=Secret(data.secret()),
        push_credential_sid=data.sid("CR"),
        application_sid=data.sid("AP"),
        fcm_project_id=data.project_id(),
        fcm_bearer_token=Secret("ya29." + data.secret() + data.secret()),
    )


def credentials_from_env(run_seed: int, environ: Mapping[str, str] | None = None) -> Credentials:
    """Generated credentials, with any ``VPC_*`` variable taking precedence."""
    env = os.environ if environ is None else environ
    base = generate_credentials(run_seed)
    values: dict[str, object] = {}
    for field, var in ENV.items():
        raw = env.get(var)
        if raw is None or raw == "":
            continue
        pattern = SID_PATTERNS.get(field)
        if pattern is not None and not pattern.match(raw):
            raise CredentialsError(
                f"{var}={raw!r} is not a valid SID: expected {pattern.pattern[1:3]} followed by 32 hexadecimal digits"
            )
        values[field] = Secret(raw) if field in {"api_key_secret", "fcm_bearer_token"} else raw
    if not values:
        return base
    merged = {name: getattr(base, name) for name in ENV} | values
    return Credentials(**merged)
