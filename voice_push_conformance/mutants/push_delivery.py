"""Mutants of the reference voice service that send the wrong pushes or misread FCM."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import requests

from voice_push_conformance.codecs import twiml
from voice_push_conformance.mutants import mutant
from voice_push_conformance.observers.fcm import legacy_server_key
from voice_push_conformance.reference import ReferenceVoiceService
from voice_push_conformance.reference.service import Binding, PushCredential
from voice_push_conformance.target import CallResult, Delivery


@mutant("push-reserved-from-key", "PUSH-ENVELOPE", "puts the caller under the reserved data key 'from'")
class _ReservedKeyService(ReferenceVoiceService):
    def call_data(self, call_sid: str, dial: twiml.Dial, leg: twiml.ClientLeg, message_id: str) -> dict[str, str]:
        return {**super().call_data(call_sid, dial, leg, message_id), "from": self.caller(dial)}


@mutant(
    "push-wrong-bearer", "PUSH-ENVELOPE", "authorises pushes with the API key secret instead of the push credential"
)
class _WrongBearerService(ReferenceVoiceService):
    def fcm_headers(self, credential: PushCredential) -> dict[str, str]:
        return super().fcm_headers(replace(credential, bearer_token="not-the-credential"))


@mutant("push-to-bare-identity", "PUSH-CALL-PAYLOAD", "sends twi_to as the bare identity, without 'client:'")
class _BareToService(ReferenceVoiceService):
    def callee(self, leg: twiml.ClientLeg) -> str:
        return leg.identity


@mutant("push-anonymous-caller", "PUSH-CALL-PAYLOAD", "ignores the Dial's callerId")
class _AnonymousCallerService(ReferenceVoiceService):
    def caller(self, dial: twiml.Dial) -> str:
        return "client:anonymous"


@mutant("push-call-sid-per-device", "PUSH-CALL-PAYLOAD", "mints a new call SID for every device of a call")
class _CallSidPerDeviceService(ReferenceVoiceService):
    def call_data(self, call_sid: str, dial: twiml.Dial, leg: twiml.ClientLeg, message_id: str) -> dict[str, str]:
        return super().call_data(self.derived_sid("CA", message_id), dial, leg, message_id)


@mutant("push-normal-priority", "PUSH-HIGH-PRIORITY", "sends call pushes with normal priority")
class _NormalPriorityService(ReferenceVoiceService):
    def android_config(self) -> dict[str, str]:
        return {"priority": "normal", "ttl": "0s"}


@mutant("push-no-android-options", "PUSH-HIGH-PRIORITY", "sends no android block: default priority and TTL")
class _NoAndroidService(ReferenceVoiceService):
    def android_config(self) -> dict[str, str]:
        return {}


@mutant("push-four-week-ttl", "PUSH-REACHABLE-ONLY", "keeps FCM's four-week TTL, as the service did in 2018")
class _FourWeekTtlService(ReferenceVoiceService):
    def android_config(self) -> dict[str, str]:
        return {"priority": "high", "ttl": "2419200s"}


@mutant("push-ttl-one-minute", "PUSH-TTL-ZERO", "gives call pushes a 60-second TTL")
class _MinuteTtlService(ReferenceVoiceService):
    def android_config(self) -> dict[str, str]:
        return {"priority": "high", "ttl": "60s"}


@mutant("push-every-identity", "PUSH-TARGETING", "looks registrations up without filtering by identity")
class _BroadcastService(ReferenceVoiceService):
    def live_bindings(self, identity: str) -> list[Binding]:
        return self.registrations.all()


@mutant("push-keeps-unregistered", "PUSH-UNREGISTERED", "keeps pushing to registrations FCM reports as UNREGISTERED")
class _KeepUnregisteredService(ReferenceVoiceService):
    def forget_on_failure(self, status: int, error_code: str | None) -> bool:
        return False


@mutant("push-claims-success", "PUSH-FAILURE-REPORTED", "reports every push as delivered, whatever FCM answered")
class _OptimisticService(ReferenceVoiceService):
    def place_call(self, twiml_document: str) -> CallResult:
        result = super().place_call(twiml_document)
        return replace(result, deliveries=tuple(replace(d, delivered=True, error=None) for d in result.deliveries))


@mutant("push-legacy-api", "PUSH-LEGACY-API", "pushes through the retired legacy FCM HTTP API (/fcm/send)")
class _LegacyApiService(ReferenceVoiceService):
    def send_push(self, binding: Binding, data: dict[str, str]) -> Delivery:
        credential = self.push_credentials[binding.push_credential_sid]
        body = {"to": binding.device_token, "priority": "high", "time_to_live": 0, "data": data}
        try:
            response = self.fcm_post(
                f"{self.context.fcm.base_url}/fcm/send",
                body,
                {"Authorization": f"key={legacy_server_key(credential.bearer_token)}"},
            )
            result = response.json()["results"][0]
        except (requests.RequestException, ValueError, KeyError, IndexError) as exc:
            return Delivery(binding.device_token, False, f"legacy FCM: {type(exc).__name__}")
        if "error" in result:
            if result["error"] == "NotRegistered":
                self.forget(binding)
            return Delivery(binding.device_token, False, f"legacy FCM answered {result['error']}")
        self.mark_pushed(binding)
        return Delivery(binding.device_token, True)


@mutant("push-no-size-check", "PUSH-SIZE-LIMIT", "sends pushes of any size and lets FCM reject them")
class _NoSizeCheckService(ReferenceVoiceService):
    def payload_error(self, data: dict[str, str]) -> CallResult | None:
        return None


@mutant("push-truncates-values", "PUSH-SIZE-LIMIT", "silently cuts parameter values to the documented 128 bytes")
class _TruncatingService(ReferenceVoiceService):
    def encode_parameters(self, leg: twiml.ClientLeg) -> str | None:
        return super().encode_parameters(replace(leg, parameters=tuple((k, v[:128]) for k, v in leg.parameters)))


@mutant(
    "push-notification-block",
    "PUSH-CALL-PAYLOAD",
    "adds a notification block, so a backgrounded Android app never sees the call",
)
class _NotificationService(ReferenceVoiceService):
    def message(self, binding: Binding, data: dict[str, str]) -> dict[str, Any]:
        return {**super().message(binding, data), "notification": {"title": "Incoming call", "body": data["twi_from"]}}


@mutant(
    "push-size-counts-parameters-only",
    "PUSH-SIZE-LIMIT",
    "compares only the encoded twi_params with FCM's 4096-byte limit, forgetting the other keys",
)
class _ParamsOnlySizeService(ReferenceVoiceService):
    def payload_error(self, data: dict[str, str]) -> CallResult | None:
        return super().payload_error({"twi_params": data.get("twi_params", "")})


@mutant(
    "push-size-counts-characters",
    "PUSH-SIZE-LIMIT",
    "measures the parameters in characters before URL-encoding, not the bytes FCM counts",
)
class _CharacterSizeService(ReferenceVoiceService):
    def payload_error(self, data: dict[str, str]) -> CallResult | None:
        from voice_push_conformance.codecs import twi_params  # noqa: PLC0415
        from voice_push_conformance.reference.fcm import MAX_PUSH_DATA_BYTES  # noqa: PLC0415

        decoded = twi_params.decode(data["twi_params"]) if data.get("twi_params") else {}
        unencoded = "&".join(f"{k}={v or ''}" for k, v in decoded.items())
        size = sum(len(k) + len(v) for k, v in {**data, "twi_params": unencoded}.items())  # characters
        if size > MAX_PUSH_DATA_BYTES:
            return CallResult(accepted=False, code=31103, message=f"{size} characters of data")
        return None


@mutant(
    "push-oversize-dropped",
    "PUSH-SIZE-REFUSED",
    "accepts a call whose push data is too large, and silently sends nothing",
)
class _SilentOversizeService(ReferenceVoiceService):
    def payload_error(self, data: dict[str, str]) -> CallResult | None:
        if super().payload_error(data) is None:
            return None
        return CallResult(accepted=True, call_sid="CA" + "0" * 32, message="dialled")
