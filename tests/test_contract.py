"""The adapter contract's optional parts: declared, never faked, and old adapters still work."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
import responses

from tests.candidates.map_only import MapOnlyClient
from tests.candidates.single_callback import SingleCallbackClient
from tests.helpers import run_suite
from voice_push_conformance.clock import ManualClock
from voice_push_conformance.codecs import harness, twiml
from voice_push_conformance.credentials import generate_credentials
from voice_push_conformance.reference import ReferenceClient, ReferenceIssuer, ReferenceVoiceService
from voice_push_conformance.reference.service import Binding, Grant
from voice_push_conformance.target import (
    NOT_OFFERED,
    CandidateError,
    ClientEnvironment,
    Delivery,
    HarnessContext,
    NotApplicable,
    PushHandling,
    RegistrationResult,
    TokenEventsClient,
    deliver_device_token,
)
from voice_push_conformance.target import SingleCallbackClient as SingleCallbackProtocol
from voice_push_conformance.world import World


class _Events:
    """A client that only records which callback it was handed."""

    def __init__(self, *methods: str) -> None:
        self.calls: list[tuple[str, str]] = []
        for name in methods:
            setattr(self, name, lambda token, name=name: self.calls.append((name, token)))

    def handle_push(self, data: Any) -> PushHandling:
        raise AssertionError("not used")


def _env() -> ClientEnvironment:
    class Registrar:
        def register(self, access_token: str, channel: str, device_token: str) -> RegistrationResult:
            return RegistrationResult(201)

    return ClientEnvironment("bob", ManualClock(0), Registrar(), lambda: "token")


def test_each_event_goes_to_its_own_callback() -> None:
    client = _Events("on_app_start", "on_new_token", "on_device_token")
    deliver_device_token(client, "app_start", "t1")
    deliver_device_token(client, "new_token", "t2")
    assert client.calls == [("on_app_start", "t1"), ("on_new_token", "t2")]


def test_a_single_callback_client_gets_both_events() -> None:
    client = _Events("on_device_token")
    deliver_device_token(client, "app_start", "t1")
    deliver_device_token(client, "new_token", "t2")
    assert client.calls == [("on_device_token", "t1"), ("on_device_token", "t2")]


def test_a_client_without_any_token_callback_is_the_candidates_fault() -> None:
    with pytest.raises(CandidateError, match=r"no on_app_start\(\) \(nor the earlier single on_device_token\(\)\)"):
        deliver_device_token(_Events("on_new_token"), "app_start", "t1")


def test_the_protocols_tell_the_two_contracts_apart() -> None:
    assert isinstance(ReferenceClient(_env()), TokenEventsClient)
    old = SingleCallbackClient(_env())
    assert isinstance(old, SingleCallbackProtocol)
    assert not isinstance(old, TokenEventsClient)


def test_an_unoffered_raw_view_is_not_applicable_and_an_empty_one_is_a_value() -> None:
    handled = MapOnlyClient(_env()).handle_push({"twi_message_type": "twilio.voice.call", "twi_params": "a=b"})
    assert handled.raw_params is NOT_OFFERED
    assert dict(handled.custom_parameters) == {"a": "b"}
    with pytest.raises(NotApplicable, match=r"does not offer the 2\.x view"):
        World.raw_params(handled)
    assert World.raw_params(PushHandling(kind="call", decision="display", raw_params=None)) is None


@pytest.mark.parametrize("raw", [NOT_OFFERED, None, "a=b+c"])
def test_the_http_binding_keeps_offered_and_unoffered_views_apart(raw: Any) -> None:
    handled = PushHandling(kind="call", decision="display", raw_params=raw)
    answer = harness.push_handling_to_json(handled)
    assert ("raw_params" in answer) is (raw is not NOT_OFFERED)
    assert harness.push_handling_from_json(json.loads(json.dumps(answer))).raw_params == raw


def _verdicts(target: str, tmp_path: Path) -> tuple[int, dict[str, str], str]:
    completed = run_suite(
        "-p", "no:randomly", "--seed", "11", "--target", target, verdict_file=tmp_path / "verdicts.json"
    )
    output = completed.stdout[-3000:] + completed.stderr[-3000:]
    assert completed.verdicts is not None, output
    return completed.returncode, completed.verdicts["requirements"], output


@pytest.mark.slow
def test_a_client_offering_only_the_3x_map_is_conformant(tmp_path: Path) -> None:
    status, verdicts, output = _verdicts("tests.candidates.map_only:build", tmp_path)
    assert status == 0, output
    assert verdicts.pop("PARAMS-VIEWS-AGREE") == "not applicable"
    assert set(verdicts.values()) == {"pass"}, {r: v for r, v in verdicts.items() if v != "pass"}


@pytest.mark.slow
def test_an_adapter_with_the_single_on_device_token_callback_still_passes(tmp_path: Path) -> None:
    status, verdicts, output = _verdicts("tests.candidates.single_callback:build", tmp_path)
    assert status == 0, output
    assert set(verdicts.values()) == {"pass"}, {r: v for r, v in verdicts.items() if v != "pass"}
    assert {r for r in verdicts if r.startswith("CADENCE-")} == {
        "CADENCE-NEW-TOKEN",
        "CADENCE-ON-NEW-TOKEN",
        "CADENCE-RETRY",
        "CADENCE-SAME-TOKEN",
        "CADENCE-SIX-MONTHS",
        "CADENCE-YEARLY",
    }


# --- the reference's public extension points -----------------------------------------------


def _context() -> HarnessContext:
    return HarnessContext(clock=ManualClock(1_767_225_600_000), credentials=generate_credentials(5))


def test_register_and_unregister_ask_the_public_authenticate_hook() -> None:
    refusal = RegistrationResult(403, 20403, "refused by the vendor's own rule")

    class Vendor(ReferenceVoiceService):
        def authenticate(self, access_token: str, channel: str, device_token: str) -> Grant | RegistrationResult:
            outcome = super().authenticate(access_token, channel, device_token)
            return refusal if device_token == "blocked" else outcome

    context = _context()
    service, token = Vendor(context), ReferenceIssuer(context).issue_token("bob")
    assert service.register(token, "fcm", "blocked") == refusal
    assert service.unregister(token, "fcm", "blocked") == refusal
    assert service.register(token, "fcm", "allowed").status == 201


def test_the_fcm_error_code_hook_decides_what_forget_on_failure_sees() -> None:
    class Vendor(ReferenceVoiceService):
        def fcm_error_code(self, response: requests.Response) -> str | None:
            return "UNREGISTERED" if response.status_code == 404 else super().fcm_error_code(response)

    context = _context()
    service, token = Vendor(context), ReferenceIssuer(context).issue_token("bob")
    assert service.register(token, "fcm", "device-1").status == 201
    dial = twiml.build_dial("bob", caller_id="client:alice")
    url = context.fcm.send_url(context.credentials.fcm_project_id)
    with responses.RequestsMock() as mock:
        mock.post(url, status=404, body="gone, and no FCM error body")  # only the hook can name it
        first = service.place_call(dial)
    assert [d.error for d in first.deliveries] == ["FCM answered 404 UNREGISTERED"]
    assert service.place_call(dial).deliveries == (), "the hook's UNREGISTERED did not drop the registration"


def test_an_adapter_overriding_the_send_push_hook_sends_every_call_push_through_it() -> None:
    """examples/vendor-project replaces the push sender this way; the rules around it stay the reference's."""
    sent: list[str] = []

    class OwnSender(ReferenceVoiceService):
        def send_push(self, binding: Binding, data: dict[str, str]) -> Delivery:
            sent.append(binding.device_token)
            self.mark_pushed(binding)
            return Delivery(binding.device_token, True)

    context = _context()
    service, token = OwnSender(context), ReferenceIssuer(context).issue_token("bob")
    assert service.register(token, "fcm", "device-1").status == 201
    result = service.place_call(twiml.build_dial("bob", caller_id="client:alice"))
    assert sent == ["device-1"]
    assert [d.delivered for d in result.deliveries] == [True]
    assert service.registrations.get(("bob", context.credentials.push_credential_sid, "device-1")) is not None
