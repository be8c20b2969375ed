"""Voice services that differ from the reference in ways the documentation allows."""

from __future__ import annotations

import contextvars
import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from voice_push_conformance.clock import MS_PER_SECOND
from voice_push_conformance.codecs import twiml
from voice_push_conformance.reference import ReferenceVoiceService
from voice_push_conformance.reference.service import DEVICE_LIMIT, Binding
from voice_push_conformance.target import Delivery, RegistrationResult
from voice_push_conformance.variants import variant

# --- registration answers ---------------------------------------------------------------


@variant(
    "unregister-200",
    "answers a successful unregister with 200 OK instead of 204 No Content",
    allowed_by="RFC 9110 section 9.3.5: a successful DELETE may answer 200 or 204",
)
class _Unregister200Service(ReferenceVoiceService):
    def unregister(self, access_token: str, channel: str, device_token: str) -> RegistrationResult:
        result = super().unregister(access_token, channel, device_token)
        return RegistrationResult(200, None, "unregistered") if result.status == 204 else result


@variant(
    "reregister-200",
    "answers a repeated registration of the same device with 200 OK instead of 201 Created",
    allowed_by="RFC 9110 section 15.3: 200 for a request that changed nothing new; re-registering is idempotent",
)
class _Reregister200Service(ReferenceVoiceService):
    def register(self, access_token: str, channel: str, device_token: str) -> RegistrationResult:
        known = any(key[2] == device_token for key in self._bindings)
        result = super().register(access_token, channel, device_token)
        return RegistrationResult(200, None, "refreshed") if known and result.status == 201 else result


# --- push shape -------------------------------------------------------------------------


@variant(
    "extra-data-keys",
    "adds harmless keys of its own to the push data",
    allowed_by="FCM HTTP v1 data is a free string map; Twilio's own pushes carry undocumented keys "
    "(twi_stir_status, twi_answer_timeout)",
)
class _ExtraKeysService(ReferenceVoiceService):
    def call_data(self, call_sid: str, dial: twiml.Dial, leg: twiml.ClientLeg, message_id: str) -> dict[str, str]:
        return {**super().call_data(call_sid, dial, leg, message_id), "twi_answer_timeout": "600", "x_trace": "t1"}


@variant(
    "priority-uppercase",
    'spells the Android priority "HIGH", as the REST enum AndroidMessagePriority does',
    allowed_by="FCM HTTP v1 reference, AndroidMessagePriority: the enum's JSON names are HIGH and NORMAL",
)
class _UppercasePriorityService(ReferenceVoiceService):
    def android_config(self) -> dict[str, str]:
        return {**super().android_config(), "priority": "HIGH"}


@variant(
    "params-percent20",
    "URL-encodes spaces in twi_params as %20 instead of +",
    allowed_by="Voice Android FAQ 2.x decoder: URLDecoder.decode reads %20 and + alike as a space",
)
class _Percent20Service(ReferenceVoiceService):
    def encode_parameters(self, leg: twiml.ClientLeg) -> str | None:
        encoded = super().encode_parameters(leg)
        return encoded.replace("+", "%20") if encoded is not None else None


# --- storage and delivery ---------------------------------------------------------------


@variant(
    "list-store",
    "keeps registrations in one list, scanned on every request, instead of keyed maps",
    allowed_by="Voice Android SDK FAQ: only the behaviour (unique registration, 10 most recent) is specified",
)
class _ListStoreService(ReferenceVoiceService):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rows: list[Binding] = []

    @staticmethod
    def _same(row: Binding, grant_identity: str, credential: str, device_token: str) -> bool:
        return (row.identity, row.push_credential_sid, row.device_token) == (grant_identity, credential, device_token)

    def register(self, access_token: str, channel: str, device_token: str) -> RegistrationResult:
        outcome = self._authenticate(access_token, channel, device_token)
        if isinstance(outcome, RegistrationResult):
            return outcome
        with self._lock:
            old = [r for r in self._rows if self._same(r, outcome.identity, outcome.push_credential_sid, device_token)]
            self._rows = [r for r in self._rows if r not in old]
            self._rows.append(self.refreshed(old[0] if old else None, outcome, device_token))
        return RegistrationResult(201, None, "registered")

    def unregister(self, access_token: str, channel: str, device_token: str) -> RegistrationResult:
        outcome = self._authenticate(access_token, channel, device_token)
        if isinstance(outcome, RegistrationResult):
            return outcome
        with self._lock:
            kept = [
                r for r in self._rows if not self._same(r, outcome.identity, outcome.push_credential_sid, device_token)
            ]
            removed = len(kept) != len(self._rows)
            self._rows = kept
        return RegistrationResult(204, None, "unregistered") if removed else RegistrationResult(404, 31404, "none")

    def _live_bindings(self, identity: str) -> list[Binding]:
        now = self.now_ms()
        with self._lock:
            self._rows = [r for r in self._rows if not self.is_expired(r, now)]
            return [r for r in self._rows if r.identity == identity]

    def recipients(self, bindings: list[Binding]) -> list[Binding]:
        return bindings[-DEVICE_LIMIT:][::-1]  # the list is in registration order already

    def _mark_pushed(self, binding: Binding) -> None:
        with self._lock:
            self._rows = [replace(r, last_push_ms=self.now_ms()) if r == binding else r for r in self._rows]

    def _forget(self, binding: Binding) -> None:
        with self._lock:
            self._rows = [r for r in self._rows if r != binding]


@variant(
    "parallel-pushes",
    "sends a call's pushes to FCM concurrently",
    allowed_by="FCM HTTP v1 sends one message per request; the order and concurrency of requests are the sender's",
)
class _ParallelService(ReferenceVoiceService):
    def deliver(self, pushes: list[tuple[Binding, dict[str, str]]]) -> list[Delivery]:
        def send(job: tuple[Binding, dict[str, str]]) -> Delivery:
            return self._push(*job)

        with ThreadPoolExecutor(max_workers=8) as pool:
            return list(pool.map(lambda job: contextvars.copy_context().run(send, job), pushes))


@variant(
    "recency-by-time",
    "orders an identity's devices by registration time on the clock, not by arrival sequence",
    allowed_by="Voice Android SDK FAQ: 'the most recently registered' devices; the service's clock decides recency",
)
class _ByTimeService(ReferenceVoiceService):
    def recipients(self, bindings: list[Binding]) -> list[Binding]:
        # Ties (same millisecond) are broken by an arbitrary but stable key, not by arrival.
        def key(b: Binding) -> tuple[int, str]:
            return b.registered_at_ms, hashlib.sha256(b.device_token.encode()).hexdigest()

        return sorted(bindings, key=key, reverse=True)[:DEVICE_LIMIT]


# --- validation leeway and parsing ------------------------------------------------------


@variant(
    "time-leeway-60s",
    "allows 60 seconds of clock leeway on exp and nbf",
    allowed_by="RFC 7519 sections 4.1.4 and 4.1.5: implementers may provide a small leeway for clock skew",
)
class _LeewayService(ReferenceVoiceService):
    LEEWAY_S = 60

    def check_times(self, payload: Mapping[str, Any]) -> None:
        now_s = self.now_ms() // MS_PER_SECOND
        exp, nbf = payload.get("exp"), payload.get("nbf")
        shifted = dict(payload)
        if isinstance(exp, int) and not isinstance(exp, bool) and now_s - self.LEEWAY_S < exp <= now_s:
            shifted["exp"] = now_s + 1  # still valid inside the leeway
        if isinstance(nbf, int) and not isinstance(nbf, bool) and now_s < nbf <= now_s + self.LEEWAY_S:
            shifted["nbf"] = now_s
        if "iat" not in shifted and shifted.get("nbf") != nbf:
            shifted["iat"] = nbf  # keep the lifetime measured from the token's own start
        super().check_times(shifted)


@variant(
    "defusedxml-defaults",
    "reads TwiML with defusedxml's defaults: entities and external references refused, a bare DOCTYPE read",
    allowed_by="OWASP XXE Prevention Cheat Sheet and defusedxml: the danger is entity expansion and external fetches",
)
class _DefusedDefaultsService(ReferenceVoiceService):
    def parse_twiml(self, document: str) -> twiml.Dial:
        raw = document.encode("utf-8")
        if len(raw) > twiml.MAX_DOCUMENT_BYTES:
            raise twiml.TwimlError(f"the TwiML document is {len(raw)} bytes")
        try:
            root = SafeET.fromstring(raw)
        except DefusedXmlException as exc:
            raise twiml.TwimlError(f"forbidden XML construct ({type(exc).__name__})") from exc
        except ET.ParseError as exc:
            raise twiml.TwimlError(f"not well-formed XML: {exc}") from exc
        return twiml.dial_from_root(root)
