"""Voice services that differ from the reference in ways the documentation allows."""

from __future__ import annotations

import contextvars
import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from voice_push_conformance.clock import MS_PER_SECOND
from voice_push_conformance.codecs import twiml
from voice_push_conformance.reference import ReferenceVoiceService
from voice_push_conformance.reference.registrations import Key, RegistrationStore
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
        known = any(b.device_token == device_token for b in self.registrations.all())
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


class _ListStore(RegistrationStore):
    """Registrations in one list, in registration order, scanned on every request."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Binding] = []

    def get(self, key: Key) -> Binding | None:
        with self.lock:
            return next((row for row in self.rows if row.key == key), None)

    def put(self, key: Key, binding: Binding) -> None:
        with self.lock:  # a (re-)registration goes to the end of the list: the most recent
            self.rows = [row for row in self.rows if row.key != key]
            self.rows.append(binding)

    def remove(self, key: Key) -> Binding | None:
        with self.lock:
            removed = self.get(key)
            self.rows = [row for row in self.rows if row.key != key]
            return removed

    def update(self, key: Key, change: Callable[[Binding], Binding]) -> None:
        with self.lock:  # in place: a push does not make a registration more recent
            self.rows = [change(row) if row.key == key else row for row in self.rows]

    def of_identity(self, identity: str) -> list[Binding]:
        with self.lock:
            return [row for row in self.rows if row.identity == identity]

    def all(self) -> list[Binding]:
        with self.lock:
            return list(self.rows)

    def prune(self, identity: str, expired: Callable[[Binding], bool]) -> list[Binding]:
        with self.lock:
            self.rows = [row for row in self.rows if not expired(row)]
            return self.of_identity(identity)


@variant(
    "list-store",
    "keeps registrations in one list, scanned on every request, instead of keyed maps",
    allowed_by="Voice Android SDK FAQ: only the behaviour (unique registration, 10 most recent) is specified",
)
class _ListStoreService(ReferenceVoiceService):
    def new_registrations(self) -> RegistrationStore:
        return _ListStore()

    def recipients(self, bindings: list[Binding]) -> list[Binding]:
        return bindings[-DEVICE_LIMIT:][::-1]  # the list is in registration order already


@variant(
    "parallel-pushes",
    "sends a call's pushes to FCM concurrently",
    allowed_by="FCM HTTP v1 sends one message per request; the order and concurrency of requests are the sender's",
)
class _ParallelService(ReferenceVoiceService):
    def deliver(self, pushes: list[tuple[Binding, dict[str, str]]]) -> list[Delivery]:
        def send(job: tuple[Binding, dict[str, str]]) -> Delivery:
            return self.send_push(*job)

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
