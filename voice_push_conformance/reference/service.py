"""Reference voice service: registrations, call routing and FCM HTTP v1 pushes.

Each documented rule is one overridable method, so a mutant can break exactly one. The
token rules live in ``access``, the registration store in ``registrations``, FCM's
formats in ``fcm``; their names
are re-exported here, where adapters and mutants have always imported them from.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import replace
from typing import Any

import jwt
import requests

from voice_push_conformance.clock import MS_PER_DAY
from voice_push_conformance.codecs import twi_params, twiml
from voice_push_conformance.reference import fcm
from voice_push_conformance.reference.access import (
    MAX_IDENTITY_CHARS,
    MAX_TOKEN_BYTES,
    AccessTokenRules,
    Grant,
    TokenRejected,
)
from voice_push_conformance.reference.fcm import FCM_TIMEOUT_S, MAX_PUSH_DATA_BYTES, PushCredential
from voice_push_conformance.reference.registrations import Binding, Key, RegistrationStore
from voice_push_conformance.target import (
    FCM,
    GCM,
    CallResult,
    Delivery,
    HarnessContext,
    RegistrationResult,
)

__all__ = [
    "DEVICE_LIMIT",
    "FCM_TIMEOUT_S",
    "MAX_DEVICE_TOKEN_CHARS",
    "MAX_IDENTITY_CHARS",
    "MAX_PUSH_DATA_BYTES",
    "MAX_TOKEN_BYTES",
    "REGISTRATION_TTL_MS",
    "Binding",
    "Grant",
    "PushCredential",
    "ReferenceVoiceService",
    "RegistrationStore",
    "TokenRejected",
]

REGISTRATION_TTL_MS = 365 * MS_PER_DAY
DEVICE_LIMIT = 10
MAX_DEVICE_TOKEN_CHARS = 4_096


class ReferenceVoiceService(AccessTokenRules):
    """The voice service done right, one method per rule, so a mutant can break exactly one.

    Extension points (the hooks mutants, variants and vendors override or call; every
    other name starting with an underscore is internal):

    - token rules (from ``AccessTokenRules``): ``validate_token`` and the rules it runs;
    - registration rules: ``authenticate`` (runs ``channel_error``, ``device_token_error``,
      ``validate_token``, ``credential_error``), ``refreshed``, ``is_expired``, ``recipients``;
    - the registration store: ``registrations`` (a ``RegistrationStore``, made by
      ``new_registrations``), ``live_bindings``, ``mark_pushed``, ``forget``;
    - pushes: ``android_config``, ``caller``, ``callee``, ``encode_parameters``,
      ``call_data``, ``payload_error``, ``message``, ``fcm_headers``, ``fcm_post``,
      ``send_push``, ``fcm_error_code``, ``forget_on_failure``, ``deliver``;
    - calls: ``parse_twiml``, ``derived_sid``; time: ``now_ms``.
    """

    def __init__(self, context: HarnessContext) -> None:
        self.context = context
        creds = context.credentials
        self.account_sid = creds.account_sid
        self.api_keys = {creds.api_key_sid: creds.api_key_secret.reveal()}
        self.push_credentials = {
            creds.push_credential_sid: PushCredential(creds.fcm_project_id, creds.fcm_bearer_token.reveal())
        }
        self._bridge_secret = hashlib.sha256(f"bridge:{creds.account_sid}".encode()).hexdigest()
        self.registrations = self.new_registrations()
        self._calls = 0
        self._calls_lock = threading.Lock()
        self._http = requests.Session()

    # --- the registration store ----------------------------------------------------------

    def new_registrations(self) -> RegistrationStore:
        """The store this service keeps its registrations in (a variant may keep them otherwise)."""
        return RegistrationStore()

    def live_bindings(self, identity: str) -> list[Binding]:
        """PUSH-TARGETING, REG-EXPIRY: the identity's registrations, the expired ones dropped first."""
        now = self.now_ms()
        return self.registrations.prune(identity, lambda binding: self.is_expired(binding, now))

    def mark_pushed(self, binding: Binding) -> None:
        """REG-PUSH-KEEPS-ALIVE: a delivered push restarts the registration's year."""
        self.registrations.update(binding.key, lambda current: replace(current, last_push_ms=self.now_ms()))

    def forget(self, binding: Binding) -> None:
        """PUSH-UNREGISTERED: drop a registration FCM reported gone."""
        self.registrations.remove(binding.key)

    # --- registration rules --------------------------------------------------------------

    def channel_error(self, channel: object) -> RegistrationResult | None:
        """REG-GCM-REJECTED, REG-GCM-MESSAGE, REG-BAD-INPUT: only the 'fcm' channel registers."""
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
        """REG-BAD-INPUT: an empty or oversized device token is refused."""
        if not isinstance(device_token, str) or not device_token.strip():
            return RegistrationResult(400, 31301, "the device token is empty")
        if len(device_token) > MAX_DEVICE_TOKEN_CHARS:
            return RegistrationResult(400, 31301, f"the device token is over {MAX_DEVICE_TOKEN_CHARS} characters")
        return None

    def credential_error(self, grant: Grant) -> RegistrationResult | None:
        """REG-NO-PUSH-CREDENTIAL: the VoiceGrant's push credential must exist."""
        if grant.push_credential_sid not in self.push_credentials:
            return RegistrationResult(400, 31301, "the VoiceGrant's push credential does not exist")
        return None

    def refreshed(self, existing: Binding | None, grant: Grant, device_token: str) -> Binding:
        """LIMIT-REFRESH, REG-EXPIRY-NOT-EARLY: a (re-)registration is the most recent and restarts the expiry clock."""
        sequence = self.registrations.next_sequence()
        return Binding(grant.identity, grant.push_credential_sid, device_token, self.now_ms(), None, sequence)

    def is_expired(self, binding: Binding, now_ms: int) -> bool:
        """REG-EXPIRY, REG-PUSH-KEEPS-ALIVE: a year after the last registration or delivered push."""
        last_seen = max(binding.registered_at_ms, binding.last_push_ms or 0)
        return now_ms - last_seen > REGISTRATION_TTL_MS

    def recipients(self, bindings: list[Binding]) -> list[Binding]:
        """LIMIT-TEN: only the most recently registered devices of an identity are notified."""
        return sorted(bindings, key=lambda b: b.sequence, reverse=True)[:DEVICE_LIMIT]

    def authenticate(self, access_token: str, channel: str, device_token: str) -> Grant | RegistrationResult:
        """Extension point: the grant a registration request acts for, or the refusal to answer.

        ``register`` and ``unregister`` call this first. Override it to add a check of
        your own (call ``super().authenticate`` and refine its answer); override one of the
        rules it runs (``channel_error``, ``device_token_error``, ``validate_token``,
        ``credential_error``) to change just that rule.
        """
        refusal = self.channel_error(channel) or self.device_token_error(device_token)
        if refusal is not None:
            return refusal
        try:
            grant = self.validate_token(access_token)
        except TokenRejected as exc:
            return RegistrationResult(401, exc.code, exc.message)
        return self.credential_error(grant) or grant

    def register(self, access_token: str, channel: str, device_token: str) -> RegistrationResult:
        """REG-VALID, REG-IDEMPOTENT: file the device under the token's identity (again: refreshed)."""
        outcome = self.authenticate(access_token, channel, device_token)
        if isinstance(outcome, RegistrationResult):
            return outcome
        key: Key = (outcome.identity, outcome.push_credential_sid, device_token)
        self.registrations.upsert(key, lambda existing: self.refreshed(existing, outcome, device_token))
        return RegistrationResult(201, None, "registered")

    def unregister(self, access_token: str, channel: str, device_token: str) -> RegistrationResult:
        """REG-UNREGISTER, REG-ISOLATION: remove the caller's own registration of the device."""
        outcome = self.authenticate(access_token, channel, device_token)
        if isinstance(outcome, RegistrationResult):
            return outcome
        if self.registrations.remove((outcome.identity, outcome.push_credential_sid, device_token)) is None:
            return RegistrationResult(404, 31404, "no such registration")
        return RegistrationResult(204, None, "unregistered")

    # --- push rules ----------------------------------------------------------------------

    def android_config(self) -> dict[str, str]:
        """PUSH-HIGH-PRIORITY, PUSH-TTL-ZERO: high priority wakes a dozing device; TTL 0 means no late delivery."""
        return {"priority": "high", "ttl": "0s"}

    def caller(self, dial: twiml.Dial) -> str:
        """PUSH-CALL-PAYLOAD: twi_from is the Dial's callerId."""
        return dial.caller_id or "client:anonymous"

    def callee(self, leg: twiml.ClientLeg) -> str:
        """PUSH-CALL-PAYLOAD: twi_to is 'client:' and the identity."""
        return f"client:{leg.identity}"

    def encode_parameters(self, leg: twiml.ClientLeg) -> str | None:
        """PARAMS-ENCODE, PARAMS-ABSENT: the leg's parameters URL-encoded, or no twi_params at all."""
        return twi_params.encode(leg.parameters) if leg.parameters else None

    def call_data(self, call_sid: str, dial: twiml.Dial, leg: twiml.ClientLeg, message_id: str) -> dict[str, str]:
        """PUSH-CALL-PAYLOAD, PUSH-ENVELOPE: the data map of one call push."""
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
        """PUSH-SIZE-LIMIT, PUSH-SIZE-REFUSED: FCM refuses data over 4096 bytes, so refuse the call up front."""
        size = sum(len(k.encode("utf-8")) + len(v.encode("utf-8")) for k, v in data.items())
        if size > MAX_PUSH_DATA_BYTES:
            return CallResult(
                accepted=False,
                code=31103,
                message=f"the call's push data would be {size} bytes; FCM allows {MAX_PUSH_DATA_BYTES}",
            )
        return None

    def message(self, binding: Binding, data: dict[str, str]) -> dict[str, Any]:
        """PUSH-CALL-PAYLOAD: a data-only message; a notification block would go to the tray, never to the SDK."""
        return {"token": binding.device_token, "data": data, "android": self.android_config()}

    def fcm_headers(self, credential: PushCredential) -> dict[str, str]:
        """PUSH-ENVELOPE: the send is authorised with the push credential's bearer token."""
        return {"Authorization": f"Bearer {credential.bearer_token}"}

    def fcm_post(self, url: str, body: dict[str, Any], headers: dict[str, str]) -> requests.Response:
        """The one HTTP request of a push (the suite intercepts it in-process)."""
        return self._http.post(url, json=body, headers=headers, timeout=FCM_TIMEOUT_S)

    def fcm_error_code(self, response: requests.Response) -> str | None:
        """Extension point: the FCM ``errorCode`` of a refused send (``UNREGISTERED``...), if any.

        The default reads the FCM HTTP v1 error body; ``forget_on_failure`` and the
        delivery report receive what this returns.
        """
        return fcm.error_code(response)

    def forget_on_failure(self, status: int, error_code: str | None) -> bool:
        """PUSH-UNREGISTERED: FCM says the app is gone, so drop the registration and never push it again."""
        return status == 404 and error_code == "UNREGISTERED"

    def send_push(self, binding: Binding, data: dict[str, str]) -> Delivery:
        """PUSH-LEGACY-API, PUSH-FAILURE-REPORTED: one FCM HTTP v1 send, and what became of it."""
        credential = self.push_credentials[binding.push_credential_sid]
        body = {"message": self.message(binding, data)}
        try:
            response = self.fcm_post(
                self.context.fcm.send_url(credential.project_id), body, self.fcm_headers(credential)
            )
        except requests.RequestException as exc:
            return Delivery(binding.device_token, False, f"FCM unreachable: {type(exc).__name__}")
        if response.status_code == 200:
            self.mark_pushed(binding)
            return Delivery(binding.device_token, True)
        error_code = self.fcm_error_code(response)
        if self.forget_on_failure(response.status_code, error_code):
            self.forget(binding)
        return Delivery(binding.device_token, False, f"FCM answered {response.status_code} {error_code or ''}".strip())

    def deliver(self, pushes: list[tuple[Binding, dict[str, str]]]) -> list[Delivery]:
        """Send a call's pushes one after another (a variant sends them in parallel)."""
        return [self.send_push(binding, data) for binding, data in pushes]

    # --- calls ---------------------------------------------------------------------------

    def parse_twiml(self, document: str) -> twiml.Dial:
        """TWIML-XML-ATTACKS: only defusedxml reads TwiML: no DTDs, no entities, no external references."""
        return twiml.parse_dial(document)

    def derived_sid(self, prefix: str, *parts: object) -> str:
        """A SID (``prefix`` and 32 hex digits) derived from the account and ``parts``: stable for a seed."""
        digest = hashlib.sha256(repr((self.account_sid, *parts)).encode()).hexdigest()
        return prefix + digest[:32]

    def place_call(self, twiml_document: str) -> CallResult:
        """TWIML-DIAL-CLIENT, PUSH-TARGETING: push every live device of every <Client> of the <Dial>."""
        try:
            dial = self.parse_twiml(twiml_document)
        except twiml.TwimlError as exc:
            return CallResult(accepted=False, code=12100, message=f"Document parse failure: {exc}")
        serial = self._next_call()
        call_sid = self.derived_sid("CA", "call", serial, self.now_ms())
        for leg in dial.clients:
            refusal = self.payload_error(self.call_data(call_sid, dial, leg, self.derived_sid("RU", "size", serial)))
            if refusal is not None:
                return refusal
        pushes: list[tuple[Binding, dict[str, str]]] = []
        for leg in dial.clients:
            for n, binding in enumerate(self.recipients(self.live_bindings(leg.identity))):
                message_id = self.derived_sid("RU", "msg", serial, leg.identity, n)
                pushes.append((binding, self.call_data(call_sid, dial, leg, message_id)))
        deliveries = self.deliver(pushes)
        return CallResult(accepted=True, call_sid=call_sid, message="dialled", deliveries=tuple(deliveries))

    def _next_call(self) -> int:
        with self._calls_lock:
            self._calls += 1
            return self._calls
