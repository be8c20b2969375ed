"""One implementation per harness-protocol exchange, and the loopback server's two-phase wiring.

The reference HTTP server and the suite's loopback server answer ``POST /v1/registrations``
through the same wire-format function; a scenario's loopback URLs exist (and answer 404)
from :meth:`LoopbackServer.reserve` until :meth:`LoopbackServer.attach` plugs it in.
"""

from __future__ import annotations

import pytest
import requests

from voice_push_conformance.clock import ManualClock, SystemClock
from voice_push_conformance.codecs import harness
from voice_push_conformance.codecs.wsgi import respond
from voice_push_conformance.credentials import generate_credentials
from voice_push_conformance.observers.fcm import FcmSink
from voice_push_conformance.observers.loopback import Attachment, LoopbackServer
from voice_push_conformance.observers.registrar import SuiteRegistrar
from voice_push_conformance.target import FcmEndpoint, HarnessContext, RegistrationResult


def test_a_reserved_scenario_answers_404_until_attached_and_after_detached() -> None:
    server = LoopbackServer.instance()
    sid = server.reserve()
    url = f"{server.url(sid)}/token"
    try:
        before = requests.get(url, params={"identity": "erin"}, timeout=10)
        assert before.status_code == 404
        assert before.json()["message"] == f"no scenario {sid!r} is attached (it may have ended)"
        clock = ManualClock(0)
        server.attach(sid, Attachment(FcmSink(clock), SuiteRegistrar(clock), lambda identity: f"token-{identity}"))
        attached = requests.get(url, params={"identity": "erin"}, timeout=10)
        assert (attached.status_code, attached.text) == (200, "token-erin")
    finally:
        server.detach(sid)
    after = requests.get(url, params={"identity": "erin"}, timeout=10)
    assert (after.status_code, after.json()) == (before.status_code, before.json())
    with pytest.raises(KeyError):
        server.attach(sid, Attachment(FcmSink(clock), SuiteRegistrar(clock), str))


def test_the_loopback_registrar_answers_through_the_wire_format() -> None:
    server = LoopbackServer.instance()
    sid = server.reserve()
    registrar = SuiteRegistrar(ManualClock(0))
    server.attach(sid, Attachment(FcmSink(registrar.clock), registrar, str))
    url = f"{server.url(sid)}/ers"
    try:
        accepted = harness.registration_result(
            harness.post_registration(requests.request, url + harness.REGISTRATIONS, "tok", "fcm", "device-1")
        )
        registrar.fail_next()
        refused = harness.post_registration(requests.request, url + harness.REGISTRATIONS, "tok", "fcm", "device-1")
    finally:
        server.detach(sid)
    assert accepted.ok
    expected = harness.registration_answer(RegistrationResult(503, 31503, "x"), "unused")
    assert refused.status_code == expected[0] == 503
    assert harness.registration_result(refused).code == 31503
    assert [(r.channel, r.device_token) for r in registrar.requests] == [("fcm", "device-1")] * 2


def test_a_registration_answer_is_201_with_location_or_the_refusal() -> None:
    assert harness.registration_answer(RegistrationResult(201, None, ""), "/v1/registrations/RG1") == (
        201,
        {"Location": "/v1/registrations/RG1"},
        {"status": "registered"},
    )
    assert harness.registration_answer(RegistrationResult(400, 31301, "gcm"), "/unused") == (
        400,
        {},
        harness.error_body(31301, "gcm"),
    )


def test_respond_renders_an_answer_as_flask_would_with_jsonify() -> None:
    from flask import Flask  # noqa: PLC0415

    with Flask(__name__).app_context():
        response = respond(harness.registration_answer(RegistrationResult(201, None, ""), "/here"))
    assert (response.status_code, response.headers["Location"], response.get_json()) == (
        201,
        "/here",
        {"status": "registered"},
    )


@pytest.mark.parametrize("clock", [ManualClock(1_700_000_000_000), SystemClock()])
def test_a_session_body_reads_back_as_the_context_it_was_written_from(clock: ManualClock | SystemClock) -> None:
    context = HarnessContext(
        clock=clock,
        credentials=generate_credentials(3),
        fcm=FcmEndpoint("http://127.0.0.1:1/s/L000001/fcm"),
        registrar_url="http://127.0.0.1:1/s/L000001/ers",
        token_url="http://127.0.0.1:1/s/L000001/token?identity={identity}",
    )
    read = harness.session_from_json(harness.session_to_json(context))
    assert (read.credentials, read.fcm, read.registrar_url, read.token_url) == (
        context.credentials,
        context.fcm,
        context.registrar_url,
        context.token_url,
    )
    assert type(read.clock) is type(clock)
    if isinstance(clock, ManualClock):
        assert read.clock.now_ms() == clock.now_ms()


def test_a_session_body_without_credentials_is_a_protocol_error() -> None:
    with pytest.raises(harness.ProtocolError):
        harness.session_from_json({"fcm_base_url": None})
