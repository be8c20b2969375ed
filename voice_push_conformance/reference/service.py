"""Reference voice service: registrations, call routing and FCM HTTP v1 pushes.

Each documented rule is one overridable method, so a mutant can break exactly one.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import jwt
import requests

from voice_push_conformance.clock import MS_PER_DAY, MS_PER_SECOND
from voice_push_conformance.codecs import tokens, twi_params, twiml
from voice_push_conformance.target import (
    FCM,
    GCM,
    CallResult,
    Delivery,
    HarnessContext,
    RegistrationResult,
)

REGISTRATION_TTL_MS = 365 * MS_PER_DAY
DEVICE_LIMIT = 10
MAX_DEVICE_TOKEN_CHARS = 4_096
FCM_TIMEOUT_S = 10.0
MAX_PUSH_DATA_BYTES = 4_096
MAX_IDENTITY_CHARS = 256  # the TwiML <Client> page's limit for a client identifier
MAX_TOKEN_BYTES = 8_192


class TokenRejected(Exception):
    """An access token the service will not accept, with the documented error code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Grant:
    """What the service needs from a verified access token: who, and which push credential."""

    identity: str
    push_credential_sid: str


@dataclass(frozen=True)
class Binding:
    """One registration: the unique address is (identity, push credential, device token)."""

    identity: str
    push_credential_sid: str
    device_token: str
    registered_at_ms: int
    last_push_ms: int | None
    sequence: int


@dataclass(frozen=True)
class PushCredential:
    """The FCM project and bearer token a push credential SID stands for."""

    project_id: str
    bearer_token: str


class ReferenceVoiceService:
    """The voice service done right, one method per rule, so a mutant can break exactly one."""

    def __init__(self, context: HarnessContext) -> None:
        self.context = context
        creds = context.credentials
        self.account_sid = creds.account_sid
        self.api_keys = {creds.api_key_sid: creds.api_key_secret.reveal()}
        self.push_credentials = {
            creds.push_credential_sid: PushCredential(creds.fcm_project_id, creds.fcm_bearer_token.reveal())
        }
        self._bridge_secret = hashlib.sha256(f"bridge:{creds.account_sid}".encode()).hexdigest()
        self._lock = threading.Lock()
        self._bindings: dict[tuple[str, str, str], Binding] = {}
        # Index so a call looks only at the callee's registrations, however many exist.
        self._keys_by_identity: dict[str, set[tuple[str, str, str]]] = {}
        self._sequence = 0
        self._calls = 0
        self._http = requests.Session()

    def now_ms(self) -> int:
        return self.context.clock.now_ms()

    def _store(self, key: tuple[str, str, str], binding: Binding) -> None:
        """Record a binding (caller holds the lock)."""
        self._bindings[key] = binding
        self._keys_by_identity.setdefault(key[0], set()).add(key)

    def _drop(self, key: tuple[str, str, str]) -> Binding | None:
        """Forget a binding (caller holds the lock)."""
        removed = self._bindings.pop(key, None)
        keys = self._keys_by_identity.get(key[0])
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._keys_by_identity[key[0]]
        return removed

    # --- token rules ---------------------------------------------------------------------

    def check_header(self, decoded: tokens.DecodedToken) -> None:
        header = decoded.header
        if header.get("cty") != tokens.CONTENT_TYPE:
            if "scope" in decoded.payload and "grants" not in decoded.payload:
                raise TokenRejected(20101, "this is a legacy capability token; the Voice SDKs need an Access Token")
            raise TokenRejected(20102, f"header cty must be {tokens.CONTENT_TYPE!r}")
        if header.get("alg") != tokens.ALGORITHM:
            raise TokenRejected(20102, f"header alg must be {tokens.ALGORITHM!r}, not {header.get('alg')!r}")
        if header.get("typ", "JWT") != "JWT":
            raise TokenRejected(20102, "header typ must be 'JWT'")

    def signing_key(self, decoded: tokens.DecodedToken) -> str:
        iss = decoded.payload.get("iss")
        secret = self.api_keys.get(iss) if isinstance(iss, str) else None
        if secret is None:
            raise TokenRejected(20103, "iss names no API key of this account")
        if decoded.payload.get("sub") != self.account_sid:
            raise TokenRejected(20103, "sub is not this account's SID")
        return secret

    def check_signature(self, decoded: tokens.DecodedToken, secret: str) -> None:
        if not tokens.signature_verifies(decoded.raw, secret):
            raise TokenRejected(20107, "signature does not verify with the API key secret")

    def check_times(self, payload: Mapping[str, Any]) -> None:
        now_s = self.now_ms() // MS_PER_SECOND
        exp, nbf, iat = payload.get("exp"), payload.get("nbf"), payload.get("iat")
        if not isinstance(exp, int) or isinstance(exp, bool):
            raise TokenRejected(20104, "exp is missing or not an integer")
        if exp <= now_s:
            raise TokenRejected(20104, "the token has expired")
        for name, value in (("nbf", nbf), ("iat", iat)):
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise TokenRejected(20101, f"{name} is not an integer")
        if isinstance(nbf, int) and nbf > now_s:
            raise TokenRejected(20105, "the token is not valid yet (nbf is in the future)")
        start = iat if isinstance(iat, int) else nbf if isinstance(nbf, int) else now_s
        if exp - start > tokens.MAX_LIFETIME_S:
            raise TokenRejected(20157, "the token lives longer than 24 hours")

    def grant_of(self, payload: Mapping[str, Any]) -> Grant:
        grants = payload.get("grants")
        if not isinstance(grants, dict):
            raise TokenRejected(20106, "the token carries no grants")
        identity = grants.get("identity")
        if not isinstance(identity, str) or not identity.strip():
            raise TokenRejected(20106, "the grants carry no non-empty identity")
        if len(identity) > MAX_IDENTITY_CHARS or any(ord(ch) < 32 or ord(ch) == 127 for ch in identity):
            raise TokenRejected(
                20106, f"the identity must be at most {MAX_IDENTITY_CHARS} characters, without control characters"
            )
        voice = grants.get("voice")
        if not isinstance(voice, dict):
            raise TokenRejected(20106, "the grants carry no VoiceGrant")
        credential = voice.get("push_credential_sid")
        if not isinstance(credential, str) or not credential:
            raise TokenRejected(20106, "the VoiceGrant names no push credential")
        return Grant(identity=identity, push_credential_sid=credential)

    def validate_token(self, access_token: str) -> Grant:
        if len(access_token) > MAX_TOKEN_BYTES:
            raise TokenRejected(20101, f"the token is larger than {MAX_TOKEN_BYTES} bytes")
        try:
            decoded = tokens.decode_untrusted(access_token)
        except tokens.TokenFormatError as exc:
            raise TokenRejected(20101, str(exc)) from exc
        self.check_header(decoded)
        secret = self.signing_key(decoded)
        self.check_signature(decoded, secret)
        self.check_times(decoded.payload)
        return self.grant_of(decoded.payload)

    # --- registration rules ------------------------------------------------------------------

    def channel_error(self, channel: object) -> RegistrationResult | None:
        if not isinstance(channel, str):
            return RegistrationResult(400, 31301, "channel must be a string")
        if channel.lower() == GCM:
            return RegistrationResult(
                400,
                31301,
                "GCM is not supported; register the device with channel 'fcm' "
                "(Firebase Cloud Messaging), which replaced GCM",
            )
        if channel.lower() != FCM:
            return RegistrationResult(400, 31301, f"unsupported channel {channel!r}; use 'fcm'")
        return None

    def device_token_error(self, device_token: object) -> RegistrationResult | None:
        if not isinstance(device_token, str) or not device_token.strip():
            return RegistrationResult(400, 31301, "the device token is empty")
        if len(device_token) > MAX_DEVICE_TOKEN_CHARS:
            return RegistrationResult(400, 31301, f"the device token is over {MAX_DEVICE_TOKEN_CHARS} characters")
        return None

    def credential_error(self, grant: Grant) -> RegistrationResult | None:
        if grant.push_credential_sid not in self.push_credentials:
            return RegistrationResult(400, 31301, "the VoiceGrant's push credential does not exist")
        return None

    def refreshed(self, existing: Binding | None, grant: Grant, device_token: str) -> Binding:
        """A (re-)registration: counts as the most recent, and restarts the expiry clock."""
        self._sequence += 1
        return Binding(grant.identity, grant.push_credential_sid, device_token, self.now_ms(), None, self._sequence)

    def is_expired(self, binding: Binding, now_ms: int) -> bool:
        last_seen = max(binding.registered_at_ms, binding.last_push_ms or 0)
        return now_ms - last_seen > REGISTRATION_TTL_MS

    def recipients(self, bindings: list[Binding]) -> list[Binding]:
        """Only the most recently registered devices of an identity are notified."""
        return sorted(bindings, key=lambda b: b.sequence, reverse=True)[:DEVICE_LIMIT]

    def authenticate(self, access_token: str, channel: str, device_token: str) -> Grant | RegistrationResult:
        """Extension point: the grant a registration request acts for, or the refusal to answer.

        ``register`` and ``unregister`` call this first. Override it to add a check of
        your own (call ``super().authenticate`` and refine its answer); override one of the
        rules it runs (``channel_error``, ``device_token_error``, ``validate_token``,
        ``credential_error``) to change just that rule.
        """
        return self._authenticate(access_token, channel, device_token)

    def _authenticate(self, access_token: str, channel: str, device_token: str) -> Grant | RegistrationResult:
        refusal = self.channel_error(channel) or self.device_token_error(device_token)
        if refusal is not None:
            return refusal
        try:
            grant = self.validate_token(access_token)
        except TokenRejected as exc:
            return RegistrationResult(401, exc.code, exc.message)
        return self.credential_error(grant) or grant

    def register(self, access_token: str, channel: str, device_token: str) -> RegistrationResult:
        outcome = self.authenticate(access_token, channel, device_token)
        if isinstance(outcome, RegistrationResult):
            return outcome
        key = (outcome.identity, outcome.push_credential_sid, device_token)
        with self._lock:
            self._store(key, self.refreshed(self._bindings.get(key), outcome, device_token))
        return RegistrationResult(201, None, "registered")

    def unregister(self, access_token: str, channel: str, device_token: str) -> RegistrationResult:
        outcome = self.authenticate(access_token, channel, device_token)
        if isinstance(outcome, RegistrationResult):
            return outcome
        key = (outcome.identity, outcome.push_credential_sid, device_token)
        with self._lock:
            removed = self._drop(key)
        if removed is None:
            return RegistrationResult(404, 31404, "no such registration")
        return RegistrationResult(204, None, "unregistered")

    # --- push rules ------------------------------------------------------------------------

    def android_config(self) -> dict[str, str]:
        """High priority wakes a dozing device; TTL 0 means no late delivery."""
        return {"priority": "high", "ttl": "0s"}

    def caller(self, dial: twiml.Dial) -> str:
        return dial.caller_id or "client:anonymous"

    def callee(self, leg: twiml.ClientLeg) -> str:
        return f"client:{leg.identity}"

    def encode_parameters(self, leg: twiml.ClientLeg) -> str | None:
        return twi_params.encode(leg.parameters) if leg.parameters else None

    def call_data(self, call_sid: str, dial: twiml.Dial, leg: twiml.ClientLeg, message_id: str) -> dict[str, str]:
        data = {
            "twi_message_type": "twilio.voice.call",
            "twi_call_sid": call_sid,
            "twi_account_sid": self.account_sid,
            "twi_from": self.caller(dial),
            "twi_to": self.callee(leg),
            "twi_bridge_token": jwt.encode({"call_sid": call_sid}, self._bridge_secret, algorithm="HS256"),
            "twi_message_id": message_id,
        }
        params = self.encode_parameters(leg)
        if params is not None:
            data["twi_params"] = params
        return data

    def payload_error(self, data: dict[str, str]) -> CallResult | None:
        """FCM refuses data over 4096 bytes: refuse the call up front rather than send a push that cannot arrive."""
        size = sum(len(k.encode("utf-8")) + len(v.encode("utf-8")) for k, v in data.items())
        if size > MAX_PUSH_DATA_BYTES:
            return CallResult(
                accepted=False,
                code=31103,
                message=f"the call's push data would be {size} bytes; FCM allows {MAX_PUSH_DATA_BYTES}",
            )
        return None

    def fcm_error_code(self, response: requests.Response) -> str | None:
        """Extension point: the FCM ``errorCode`` of a refused send (``UNREGISTERED``...), if any.

        The default reads the FCM HTTP v1 error body; ``forget_on_failure`` and the
        delivery report receive what this returns.
        """
        return _fcm_error_code(response)

    def forget_on_failure(self, status: int, error_code: str | None) -> bool:
        """FCM says the app is gone: drop the registration so it is never pushed again."""
        return status == 404 and error_code == "UNREGISTERED"

    def _sid(self, prefix: str, *parts: object) -> str:
        digest = hashlib.sha256(repr((self.account_sid, *parts)).encode()).hexdigest()
        return prefix + digest[:32]

    def _live_bindings(self, identity: str) -> list[Binding]:
        now = self.now_ms()
        with self._lock:
            for key in list(self._keys_by_identity.get(identity, ())):
                if self.is_expired(self._bindings[key], now):
                    self._drop(key)
            return [self._bindings[key] for key in self._keys_by_identity.get(identity, ())]

    def _mark_pushed(self, binding: Binding) -> None:
        """A delivered push restarts the registration's year."""
        with self._lock:
            key = (binding.identity, binding.push_credential_sid, binding.device_token)
            if key in self._bindings:
                self._store(key, replace(self._bindings[key], last_push_ms=self.now_ms()))

    def _forget(self, binding: Binding) -> None:
        with self._lock:
            self._drop((binding.identity, binding.push_credential_sid, binding.device_token))

    def message(self, binding: Binding, data: dict[str, str]) -> dict[str, Any]:
        """A data-only message: a notification block would go to the tray, never to the SDK."""
        return {"token": binding.device_token, "data": data, "android": self.android_config()}

    def _push(self, binding: Binding, data: dict[str, str]) -> Delivery:
        credential = self.push_credentials[binding.push_credential_sid]
        body = {"message": self.message(binding, data)}
        try:
            response = self._http.post(
                self.context.fcm.send_url(credential.project_id),
                json=body,
                headers={"Authorization": f"Bearer {credential.bearer_token}"},
                timeout=FCM_TIMEOUT_S,
            )
        except requests.RequestException as exc:
            return Delivery(binding.device_token, False, f"FCM unreachable: {type(exc).__name__}")
        if response.status_code == 200:
            self._mark_pushed(binding)
            return Delivery(binding.device_token, True)
        error_code = self.fcm_error_code(response)
        if self.forget_on_failure(response.status_code, error_code):
            self._forget(binding)
        return Delivery(binding.device_token, False, f"FCM answered {response.status_code} {error_code or ''}".strip())

    def parse_twiml(self, document: str) -> twiml.Dial:
        """Only defusedxml reads TwiML: no DTDs, no entities, no external references."""
        return twiml.parse_dial(document)

    def place_call(self, twiml_document: str) -> CallResult:
        try:
            dial = self.parse_twiml(twiml_document)
        except twiml.TwimlError as exc:
            return CallResult(accepted=False, code=12100, message=f"Document parse failure: {exc}")
        with self._lock:
            self._calls += 1
            serial = self._calls
        call_sid = self._sid("CA", "call", serial, self.now_ms())
        for leg in dial.clients:
            refusal = self.payload_error(self.call_data(call_sid, dial, leg, self._sid("RU", "size", serial)))
            if refusal is not None:
                return refusal
        pushes: list[tuple[Binding, dict[str, str]]] = []
        for leg in dial.clients:
            for n, binding in enumerate(self.recipients(self._live_bindings(leg.identity))):
                pushes.append(
                    (binding, self.call_data(call_sid, dial, leg, self._sid("RU", "msg", serial, leg.identity, n)))
                )
        deliveries = self.deliver(pushes)
        return CallResult(accepted=True, call_sid=call_sid, message="dialled", deliveries=tuple(deliveries))

    def deliver(self, pushes: list[tuple[Binding, dict[str, str]]]) -> list[Delivery]:
        """Send a call's pushes one after another (a variant sends them in parallel)."""
        return [self._push(binding, data) for binding, data in pushes]


def _fcm_error_code(response: requests.Response) -> str | None:
    try:
        details = response.json()["error"]["details"]
    except (ValueError, KeyError, TypeError):
        return None
    for detail in details if isinstance(details, list) else []:
        if isinstance(detail, dict) and str(detail.get("@type", "")).endswith("FcmError"):
            code = detail.get("errorCode")
            return code if isinstance(code, str) else None
    return None
