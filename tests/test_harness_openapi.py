"""The harness protocol's OpenAPI documents: valid, complete, and what the reference servers do.

- Both documents (schemas/harness-openapi.json, what a candidate serves; schemas/suite-loopback-openapi.json,
  what the suite serves to an out-of-process candidate) are valid OpenAPI 3.1.
- Every route of the reference HTTP server and of the loopback server is documented, and nothing else is.
- Property-based API testing (schemathesis, in-process through WSGI, no network): for every documented
  operation, requests generated from the document (valid ones, and for operations with inputs, invalid ones)
  never make the reference server answer 5xx, and every answer has a documented status, content type,
  headers and body. Outgoing requests of the reference server (pushes to FCM, the client role's token
  fetches and registrations) are intercepted with ``responses`` and answered by the suite's own models.
  The checks that judge *whether* a request should succeed are left out on purpose: a conforming server
  may refuse a well-formed request (a wrong access token is well-formed) and may accept extra members.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate
from schemathesis import GenerationMode
from schemathesis.checks import CheckFunction, not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from voice_push_conformance import token_vectors
from voice_push_conformance.bindings.http_server import create_app
from voice_push_conformance.clock import ManualClock
from voice_push_conformance.codecs import harness, tokens, twiml
from voice_push_conformance.credentials import Credentials, generate_credentials
from voice_push_conformance.judging import catalogue, features
from voice_push_conformance.observers.fcm import FcmSink
from voice_push_conformance.observers.loopback import Attachment, LoopbackServer
from voice_push_conformance.observers.registrar import SuiteRegistrar
from voice_push_conformance.paths import ROOT, SCHEMAS
from voice_push_conformance.target import ROLES, FcmEndpoint

HARNESS_PATH = SCHEMAS / "harness-openapi.json"
LOOPBACK_PATH = SCHEMAS / "suite-loopback-openapi.json"
DOCUMENTS = {path.name: path for path in (HARNESS_PATH, LOOPBACK_PATH)}
HARNESS: dict[str, Any] = json.loads(HARNESS_PATH.read_text(encoding="utf-8"))
LOOPBACK: dict[str, Any] = json.loads(LOOPBACK_PATH.read_text(encoding="utf-8"))
CONFIG = schemathesis.Config()  # never pick up a schemathesis.toml from the working directory
HARNESS_SCHEMA = schemathesis.openapi.from_path(HARNESS_PATH, config=CONFIG)
LOOPBACK_SCHEMA = schemathesis.openapi.from_path(LOOPBACK_PATH, config=CONFIG)

CHECKS: list[CheckFunction] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
CREDENTIALS = generate_credentials(1)
NOW_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z
FCM_BASE = "http://fcm.suite.test"
SUITE_BASE = "http://suite.test"
REQUIRED_WHEN = re.compile(rf"^(always|role:({'|'.join(ROLES)})|capability:(clock|voice_webhook))$")


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]


def operation_ids(document: dict[str, Any]) -> list[str]:
    return [operation["operationId"] for _, _, operation in operations(document)]


def find(
    schema: schemathesis.BaseSchema, document: dict[str, Any], operation_id: str
) -> schemathesis.APIOperation[Any, Any, Any, Any]:
    for path, method, operation in operations(document):
        if operation["operationId"] == operation_id:
            return schema[path][method.upper()]
    raise LookupError(operation_id)


def access_token(credentials: Credentials, identity: str, now_ms: int = NOW_MS) -> str:
    return tokens.mint(
        api_key_sid=credentials.api_key_sid,
        account_sid=credentials.account_sid,
        secret=credentials.api_key_secret.reveal(),
        now_s=now_ms // 1000,
        identity=identity,
        grants={"voice": tokens.voice_grant(push_credential_sid=credentials.push_credential_sid)},
    )


def flask_route(rule: str) -> str:
    """A Werkzeug rule as an OpenAPI path template: ``/a/<int:b>`` -> ``/a/{b}``."""
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def anonymous(path: str) -> str:
    return re.sub(r"\{\w+\}", "{}", path)


def served_routes(app: Flask, prefix: str = "") -> set[tuple[str, str]]:
    return {
        (anonymous(flask_route(rule.rule).removeprefix(prefix)), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods or ()
        if method not in {"HEAD", "OPTIONS"}
    }


def documented_routes(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(anonymous(path), method) for path, method, _ in operations(document)}


# --- the documents ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_the_document_is_valid_openapi_3_1(name: str) -> None:
    path = DOCUMENTS[name]
    document = json.loads(path.read_text(encoding="utf-8"))
    validate(document, base_uri=path.resolve().as_uri())  # also resolves the references to sibling files
    assert document["openapi"].startswith("3.1."), f"{name} must be OpenAPI 3.1, found {document['openapi']}"


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_operation_is_named_and_described(name: str) -> None:
    document = json.loads(DOCUMENTS[name].read_text(encoding="utf-8"))
    ids = operation_ids(document)
    assert len(ids) == len(set(ids)), f"{name}: operationIds must be unique, found {ids}"
    undescribed = [op["operationId"] for _, _, op in operations(document) if not op.get("description")]
    assert not undescribed, f"{name}: operations without a description for implementers: {undescribed}"


def test_every_harness_operation_says_when_a_candidate_must_serve_it() -> None:
    unclear = {
        operation["operationId"]: operation.get("x-required-when")
        for _, _, operation in operations(HARNESS)
        if not operation.get("x-required-when")
        or not all(REQUIRED_WHEN.match(condition) for condition in operation["x-required-when"])
    }
    assert not unclear, (
        f"every operation needs x-required-when: 'always', 'role:<role>' or 'capability:<control>'; "
        f"unclear: {unclear}. Implementers rely on it to know what they may leave out."
    )


def test_the_document_uses_the_wire_names_of_the_suite() -> None:
    parameters = HARNESS["components"]["parameters"]
    assert parameters["Session"]["name"] == harness.SESSION_HEADER, "the session header name differs from harness.py"
    assert parameters["AccessToken"]["name"] == harness.TOKEN_HEADER, "the token header name differs from harness.py"
    control = [path for path, _, op in operations(HARNESS) if "test control" in op["tags"]]
    assert all(path.startswith(harness.CONTROL + "/") for path in control), (
        f"every test-control path must live under {harness.CONTROL}: {control}"
    )
    assert harness.REGISTRATIONS in HARNESS["paths"], f"{harness.REGISTRATIONS} must be documented"


def test_every_route_of_the_reference_server_is_documented_and_vice_versa() -> None:
    served = served_routes(create_app())
    documented = documented_routes(HARNESS)
    assert served == documented, (
        f"the reference server and harness-openapi.json disagree: served only {sorted(served - documented)}; "
        f"documented only {sorted(documented - served)}"
    )


def test_every_route_of_the_loopback_server_is_documented_and_vice_versa() -> None:
    # The Flask app is built without starting the server: _app() only defines the routes.
    app = LoopbackServer.__new__(LoopbackServer)._app()
    served = served_routes(app, prefix="/s/{sid}")
    documented = documented_routes(LOOPBACK)
    assert served == documented, (
        f"the loopback server and suite-loopback-openapi.json disagree: served only {sorted(served - documented)}; "
        f"documented only {sorted(documented - served)}"
    )


# --- the reference server, in process -------------------------------------------------------------


@dataclass
class Harness:
    """A reference server with one open session, one registered device and one installed client."""

    app: Flask
    session: dict[str, str]
    token: str
    client_id: str
    registration_id: str
    sink: FcmSink

    def headers(self, **more: str) -> dict[str, str]:
        return {**self.session, **more}


def _vend_token(request: Any) -> tuple[int, dict[str, str], str]:
    identity = parse_qs(urlsplit(request.url).query).get("identity", [""])[0]
    return 200, {"Content-Type": "text/plain"}, access_token(CREDENTIALS, identity)


@pytest.fixture
def reference() -> Iterator[Harness]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as outgoing:
        sink = FcmSink(ManualClock(NOW_MS), FcmEndpoint(FCM_BASE))
        sink.add_project(CREDENTIALS.fcm_project_id, CREDENTIALS.fcm_bearer_token.reveal())
        sink.add_device("device-bob", CREDENTIALS.fcm_project_id)
        sink.install(outgoing)
        outgoing.add_callback(responses.GET, re.compile(re.escape(f"{SUITE_BASE}/token")), callback=_vend_token)
        outgoing.add(
            responses.POST,
            f"{SUITE_BASE}/ers{harness.REGISTRATIONS}",
            status=201,
            json={},
            headers={"Location": f"{SUITE_BASE}/ers{harness.REGISTRATIONS}/RG1"},
        )
        app = create_app()
        http = app.test_client()
        opened = http.post(
            f"{harness.CONTROL}/sessions",
            json={
                "credentials": harness.credentials_to_json(CREDENTIALS),
                "fcm_base_url": FCM_BASE,
                "registrar_url": f"{SUITE_BASE}/ers",
                "token_url": f"{SUITE_BASE}/token?identity={{identity}}",
                "clock_ms": NOW_MS,
            },
        )
        assert opened.status_code == 201, f"opening a session: expected 201, got {opened.status_code} {opened.text}"
        session = {harness.SESSION_HEADER: opened.json["session"]}  # type: ignore[index]
        token = access_token(CREDENTIALS, "bob")
        registered = http.post(
            harness.REGISTRATIONS,
            json=harness.registration_body("fcm", "device-bob"),
            headers={**session, harness.TOKEN_HEADER: token},
        )
        assert registered.status_code == 201, f"registering: expected 201, got {registered.status_code}"
        created = http.post(f"{harness.CONTROL}/clients", json={"identity": "carol"}, headers=session)
        assert created.status_code == 201, f"installing a client: expected 201, got {created.status_code}"
        yield Harness(
            app=app,
            session=session,
            token=token,
            client_id=created.json["client"],  # type: ignore[index]
            registration_id=registered.headers["Location"].rsplit("/", 1)[-1],
            sink=sink,
        )


def exchange(
    reference: Harness,
    operation_id: str,
    *,
    body: Any = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    path_parameters: dict[str, str] | None = None,
    media_type: str | None = None,
) -> schemathesis.Response:
    """Send one hand-written request and check the answer against the document like the fuzzer does."""
    operation = find(HARNESS_SCHEMA, HARNESS, operation_id)
    payload: dict[str, Any] = {} if body is None else {"body": body, "media_type": media_type}
    case = operation.Case(
        headers=headers if headers is not None else reference.headers(),
        query=query,
        path_parameters=path_parameters,
        **payload,
    )
    response = case.call(app=reference.app)
    case.validate_response(response, checks=CHECKS)
    return response


def test_the_real_interfaces_answer_as_documented(reference: Harness) -> None:
    token = exchange(reference, "issueToken", query={"identity": "dave"})
    assert token.status_code == 200, f"the token endpoint answered {token.status_code}"
    webhook = exchange(
        reference,
        "voiceWebhook",
        body={"From": "client:alice", "To": "client:dave", "Topic": "x"},
        media_type="application/x-www-form-urlencoded",
    )
    dial = twiml.parse_dial(webhook.text)
    assert [leg.identity for leg in dial.clients] == ["dave"], f"the webhook must dial client dave: {webhook.text}"
    with_token = reference.headers(**{harness.TOKEN_HEADER: token.text})
    created = exchange(reference, "register", body=harness.registration_body("fcm", "device-dave"), headers=with_token)
    assert created.status_code == 201, f"a valid registration must answer 201, got {created.status_code}"
    location = created.headers["location"][0]  # schemathesis lowercases header names
    refused = exchange(reference, "register", body=harness.registration_body("gcm", "device-2"), headers=with_token)
    assert refused.status_code == 400 and refused.json()["code"] == 31301, (
        f"GCM must be refused with 400 / 31301, got {refused.status_code} {refused.text}"
    )
    bad = reference.headers(**{harness.TOKEN_HEADER: "x.y.z"})
    rejected = exchange(reference, "register", body=harness.registration_body("fcm", "device-3"), headers=bad)
    assert rejected.status_code == 401, f"a forged token must answer 401, got {rejected.status_code}"
    deleted = exchange(
        reference, "unregister", headers=with_token, path_parameters={"registration": location.rsplit("/", 1)[-1]}
    )
    assert deleted.status_code == 204, f"deleting the Location must answer 204, got {deleted.status_code}"


def test_the_test_control_endpoints_answer_as_documented(reference: Harness) -> None:
    exchange(reference, "capabilities", headers={})
    moved = exchange(reference, "setClock", body={"now_ms": NOW_MS + 1_000})
    assert moved.status_code == 204, f"moving the clock must answer 204, got {moved.status_code}"
    call = exchange(reference, "placeCall", body={"twiml": twiml.build_dial("bob")})
    assert call.json()["deliveries"] == [{"device_token": "device-bob", "delivered": True, "error": None}], (
        f"calling bob must push to his one registered device through the sink: {call.text}"
    )
    assert len(reference.sink.pushes) == 1, "the push must have gone to fcm_base_url"
    client = {"client": reference.client_id}
    handled = exchange(reference, "handPush", body={"data": {"twi_message_type": "x"}}, path_parameters=client)
    assert handled.json()["kind"] == "not_voice", f"a foreign push is not a call: {handled.text}"
    exchange(reference, "handDeviceToken", body={"device_token": "device-carol"}, path_parameters=client)
    closed = exchange(
        reference, "closeSession", headers={}, path_parameters={"session": reference.session[harness.SESSION_HEADER]}
    )
    assert closed.status_code == 204, f"closing the session must answer 204, got {closed.status_code}"


def test_a_missing_input_on_the_real_interfaces_is_a_documented_400(reference: Harness) -> None:
    """The guide and the document promise 400 with code 31400 for a missing identity or To."""
    no_identity = exchange(reference, "issueToken", query={})
    assert no_identity.status_code == 400 and no_identity.json()["code"] == 31400, (
        f"a token request without identity must answer 400 / 31400, got {no_identity.status_code} {no_identity.text}"
    )
    no_to = exchange(
        reference, "voiceWebhook", body={"From": "client:alice"}, media_type="application/x-www-form-urlencoded"
    )
    assert no_to.status_code == 400 and no_to.json()["code"] == 31400, (
        f"a webhook form without To must answer 400 / 31400, got {no_to.status_code} {no_to.text}"
    )
    documented = HARNESS["paths"]
    assert "400" in documented["/accessToken"]["get"]["responses"]
    assert "400" in documented["/voice"]["post"]["responses"]


def test_a_missing_session_header_is_a_documented_404_that_names_the_header(reference: Harness) -> None:
    answer = exchange(reference, "issueToken", query={"identity": "dave"}, headers={})
    assert answer.status_code == 404, f"expected 404 without a session header, got {answer.status_code}"
    assert harness.SESSION_HEADER in answer.json()["message"], answer.text


def test_an_oversized_token_header_may_be_refused_with_413_or_431_as_documented() -> None:
    responses_ = HARNESS["paths"]["/v1/registrations"]["post"]["responses"]
    assert {"400", "413", "431"} <= set(responses_), sorted(responses_)


@pytest.mark.parametrize(
    ("case", "change"),
    [
        ("credentials-not-an-object", {"credentials": [1]}),
        ("credentials-null", {"credentials": None}),
        ("empty-api-key-secret", {"credentials": {**harness.credentials_to_json(CREDENTIALS), "api_key_secret": ""}}),
        ("empty-bearer-token", {"credentials": {**harness.credentials_to_json(CREDENTIALS), "fcm_bearer_token": ""}}),
        ("registrar-url-not-a-string", {"registrar_url": 5}),
        ("fcm-base-url-not-a-string", {"fcm_base_url": {"url": FCM_BASE}}),
    ],
)
def test_an_unusable_session_request_is_refused_with_400(reference: Harness, case: str, change: dict[str, Any]) -> None:
    # Found by schemathesis and by probing around its finding: these used to answer 500, or to open a
    # session that failed later (a client that cannot register, pushes sent to the real FCM).
    body = {
        "credentials": harness.credentials_to_json(CREDENTIALS),
        "fcm_base_url": FCM_BASE,
        "registrar_url": f"{SUITE_BASE}/ers",
        "token_url": f"{SUITE_BASE}/token?identity={{identity}}",
        "clock_ms": NOW_MS,
        **change,
    }
    answer = exchange(reference, "openSession", body=body, headers={})
    assert answer.status_code == 400, (
        f"{case}: a session request the server cannot use must be refused with 400 and an error body, "
        f"got {answer.status_code} {answer.text[:200]}"
    )


def fixed_inputs(reference: Harness, operation_id: str, mode: GenerationMode) -> dict[str, Any]:
    """What the fuzzer must not invent: the session, and in valid requests a usable token and ids."""
    headers = reference.headers()
    if mode is GenerationMode.POSITIVE and operation_id in {"register", "unregister"}:
        headers[harness.TOKEN_HEADER] = reference.token
    fixed: dict[str, Any] = {
        "headers": {} if operation_id in {"capabilities", "openSession", "closeSession"} else headers
    }
    if mode is GenerationMode.POSITIVE and operation_id in {"handPush", "handDeviceToken"}:
        fixed["path_parameters"] = {"client": reference.client_id}
    if mode is GenerationMode.POSITIVE and operation_id == "unregister":
        fixed["path_parameters"] = {"registration": reference.registration_id}
    return fixed


# Registrations with the channels the SDKs send, so the fuzzer gets past the channel check to the token and
# device-token rules (None keeps the generated text).
CHANNELS: list[str | None] = ["fcm", "gcm", None]
# Operations whose every input is fixed or free-form text have no invalid requests to generate.
NOTHING_TO_NEGATE = {"capabilities", "closeSession"}
FUZZ = [
    pytest.param(operation_id, mode, id=f"{operation_id}-{mode.value}")
    for operation_id in operation_ids(HARNESS)
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if not (mode is GenerationMode.NEGATIVE and operation_id in NOTHING_TO_NEGATE)
]


@pytest.mark.parametrize(("operation_id", "mode"), FUZZ)
def test_the_reference_server_answers_generated_requests_as_documented(
    reference: Harness, operation_id: str, mode: GenerationMode
) -> None:
    operation = find(HARNESS_SCHEMA, HARNESS, operation_id)
    statuses: list[int] = []

    @settings(
        max_examples=20,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(
        case=operation.as_strategy(generation_mode=mode, **fixed_inputs(reference, operation_id, mode)),
        channel=st.sampled_from(CHANNELS),
    )
    def explore(case: schemathesis.Case[Any], channel: str | None) -> None:
        if operation_id == "register" and isinstance(case.body, dict) and channel is not None:
            case.body["channel_type"] = channel  # random text alone would stop at the channel check
        response = case.call(app=reference.app)
        statuses.append(response.status_code)
        case.validate_response(response, checks=CHECKS)

    explore()
    assert statuses, f"{operation_id}: the fuzzer generated no request at all"


# --- the loopback server -------------------------------------------------------------------------


@pytest.fixture
def loopback() -> Iterator[tuple[str, FcmSink]]:
    clock = ManualClock(NOW_MS)
    sink = FcmSink(clock)
    sink.add_project(CREDENTIALS.fcm_project_id, CREDENTIALS.fcm_bearer_token.reveal())
    server = LoopbackServer.instance()
    sid = server.reserve()
    server.attach(sid, Attachment(sink, SuiteRegistrar(clock), lambda identity: access_token(CREDENTIALS, identity)))
    try:
        yield server.url(sid), sink
    finally:
        server.detach(sid)


def loopback_exchange(
    base_url: str,
    operation_id: str,
    *,
    body: Any = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    path_parameters: dict[str, str] | None = None,
) -> schemathesis.Response:
    payload: dict[str, Any] = {} if body is None else {"body": body}
    case = find(LOOPBACK_SCHEMA, LOOPBACK, operation_id).Case(
        headers=headers, query=query, path_parameters=path_parameters, **payload
    )
    response = case.call(base_url=base_url, timeout=10)
    case.validate_response(response, checks=CHECKS, transport_kwargs={"base_url": base_url})
    return response


def test_the_loopback_server_answers_as_documented(loopback: tuple[str, FcmSink]) -> None:
    base_url, sink = loopback
    project = {"project": CREDENTIALS.fcm_project_id}
    bearer = {"Authorization": f"Bearer {CREDENTIALS.fcm_bearer_token.reveal()}"}
    sink.add_device("device-1", CREDENTIALS.fcm_project_id)
    message = {"message": {"token": "device-1", "data": {"twi_message_type": "twilio.voice.call"}}}
    sent = loopback_exchange(base_url, "fcmSend", body=message, headers=bearer, path_parameters=project)
    assert sent.status_code == 200, f"a valid push must be accepted, got {sent.status_code} {sent.text}"
    unknown = {"message": {"token": "nobody", "data": {}}}
    invalid = loopback_exchange(base_url, "fcmSend", body=unknown, headers=bearer, path_parameters=project)
    assert invalid.status_code == 400, f"a token no device has must be INVALID_ARGUMENT, got {invalid.status_code}"
    wrong = {"Authorization": "Bearer nope"}
    refused = loopback_exchange(base_url, "fcmSend", body=message, headers=wrong, path_parameters=project)
    assert refused.status_code == 401, f"a wrong bearer token must be refused, got {refused.status_code}"
    token = loopback_exchange(base_url, "suiteToken", query={"identity": "erin"})
    registered = loopback_exchange(
        base_url,
        "suiteRegister",
        body=harness.registration_body("fcm", "device-1"),
        headers={harness.TOKEN_HEADER: token.text},
    )
    assert registered.status_code == 201, f"the suite's registrar must answer 201, got {registered.status_code}"
    ended = loopback_exchange(base_url.rsplit("/", 1)[0] + "/L999999", "suiteToken", query={"identity": "erin"})
    assert ended.status_code == 404, f"a detached scenario must answer 404, got {ended.status_code}"


def test_documents_reference_each_other_by_file_name() -> None:
    # The loopback document borrows schemas from the harness document and the FCM schemas by relative path.
    text = LOOPBACK_PATH.read_text(encoding="utf-8")
    for name in re.findall(r'"\$ref": "([^"#]+)', text):
        assert (SCHEMAS / name).is_file(), f"suite-loopback-openapi.json refers to {name}, which is not in schemas/"
    assert HARNESS_PATH.name in text, "the loopback document must point at harness-openapi.json"


GUIDE = ROOT / "docs" / "http-harness.md"
CODE = re.compile(r"\b\d{5}\b")
ASKS_FOR_ANY_CODE = (
    "the registration is refused with a 4xx status and an error code",
    "the voice service refuses the call with an error",
)


def _guide_error_table() -> dict[str, tuple[str, set[str]]]:
    """Requirement -> (level, codes) from the guide's table of expected error codes ("any" for no particular code)."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split("### Every error code the suite expects", 1)[1].split("\n#", 1)[0]
    table: dict[str, tuple[str, set[str]]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].startswith("`"):
            continue
        requirement, level, codes = cells[0].strip("`"), cells[1], re.sub(r"\([^)]*\)", "", cells[2])
        found = set(CODE.findall(codes)) | ({"any"} if codes.startswith("any") else set())
        previous_level, previous = table.get(requirement, (level, set()))
        assert previous_level == level, f"{requirement} has two levels in the guide's table"
        table[requirement] = (level, previous | found)
    return table


def _expected_codes() -> set[tuple[str, str]]:
    """(requirement, code) for every error code a scenario asks for, read from the features, fixtures and steps."""
    source = (ROOT / "steps" / "registration.py").read_text(encoding="utf-8")
    assigned = next(
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "TOKEN_ERRORS" for t in node.targets)
    )
    token_errors = {str(c) for c in ast.literal_eval(assigned)}
    vectors = token_vectors.load()
    expected: set[tuple[str, str]] = set()
    for feature in features.load_all():
        for scenario in feature.scenarios:
            for step in scenario.rendered_steps():
                codes: set[str] = set(CODE.findall(step.text)) if "code" in step.text else set()
                vector = re.fullmatch(r'the registration is refused with the code of token vector "(.+)"', step.text)
                if vector:
                    codes.add(str(vectors[vector.group(1)]["expected_code"]))
                if step.text == "the registration is refused with an access-token error":
                    codes |= token_errors
                if step.text in ASKS_FOR_ANY_CODE:
                    codes.add("any")
                expected |= {(req, code) for req in scenario.requirements for code in codes}
    return expected


def test_the_guide_lists_every_error_code_the_suite_expects() -> None:
    table = _guide_error_table()
    expected = _expected_codes()
    assert len(expected) > 20, f"the features ask for too few codes to be read right: {sorted(expected)}"
    missing = sorted((req, code) for req, code in expected if code not in table.get(req, ("", set()))[1])
    assert not missing, f"docs/http-harness.md's error-code table lacks (requirement, code): {missing}"
    known = catalogue.load()
    wrong_levels = sorted(req for req, (level, _) in table.items() if req not in known or known[req].level != level)
    assert not wrong_levels, f"rows naming an unknown requirement or the wrong level: {wrong_levels}"
    unasked = sorted((req, code) for req, (_, codes) in table.items() for code in codes if (req, code) not in expected)
    assert not unasked, f"the table lists codes no scenario asks for: {unasked}"


def test_a_client_that_cannot_reach_its_token_server_still_answers_204() -> None:
    """Found by fuzzing the reference server with unreachable loopback URLs: it answered 500."""
    with responses.RequestsMock(assert_all_requests_are_fired=False):  # every outgoing request fails to connect
        http = create_app().test_client()
        opened = http.post(
            f"{harness.CONTROL}/sessions",
            json={
                "credentials": harness.credentials_to_json(CREDENTIALS),
                "fcm_base_url": FCM_BASE,
                "registrar_url": "http://unreachable.test/ers",
                "token_url": "http://unreachable.test/token?identity={identity}",
                "clock_ms": None,
            },
        )
        session = {harness.SESSION_HEADER: opened.json["session"]}  # type: ignore[index]
        created = http.post(f"{harness.CONTROL}/clients", json={"identity": "carol"}, headers=session)
        client_id = created.json["client"]  # type: ignore[index]
        answer = http.post(
            f"{harness.CONTROL}/clients/{client_id}/device-token", json={"device_token": "device-c"}, headers=session
        )
    assert answer.status_code == 204, f"expected 204, got {answer.status_code} {answer.text[:200]}"
