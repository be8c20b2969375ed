"""The harness protocol document: valid OpenAPI 3.1, complete, and what the reference server does.

The reference server is exercised in-process (Flask's test client): every documented
operation with a valid request must answer as documented, and arbitrary bodies
(hypothesis) must never produce a server error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from voice_push_conformance import harness
from voice_push_conformance.clock import ManualClock
from voice_push_conformance.codecs import tokens, twiml
from voice_push_conformance.credentials import generate_credentials
from voice_push_conformance.http_server import create_app
from voice_push_conformance.paths import SCHEMAS

DOCUMENT: dict[str, Any] = json.loads((SCHEMAS / "harness-openapi.json").read_text(encoding="utf-8"))
REGISTRY: Registry[Any] = Registry().with_resource("harness", DRAFT202012.create_resource(DOCUMENT))
CREDENTIALS = generate_credentials(1)
NOW_MS = 1_767_225_600_000


def op(operation_id: str) -> tuple[str, str, dict[str, Any]]:
    """The path, method and operation object documented under ``operation_id``."""
    for path, methods in DOCUMENT["paths"].items():
        for method, candidate in methods.items():
            if candidate.get("operationId") == operation_id:
                return path, method, candidate
    raise LookupError(operation_id)


def conforms(status: int, operation_id: str, media: str, body: Any) -> list[str]:
    """Every way ``body`` differs from the documented response schema (empty: it conforms)."""
    path, method, operation = op(operation_id)
    response = operation["responses"].get(str(status))
    assert response is not None, f"status {status} is not documented for {operation_id}"
    if response.get("content", {}).get(media, {}).get("schema") is None:
        return []
    escaped = path.replace("~", "~0").replace("/", "~1")
    pointer = f"/paths/{escaped}/{method}/responses/{status}/content/{media.replace('/', '~1')}/schema"
    validator = Draft202012Validator({"$ref": "harness#" + pointer}, registry=REGISTRY)
    return [error.message for error in validator.iter_errors(body)]


@pytest.fixture
def client() -> Iterator[FlaskClient]:
    with create_app().test_client() as test_client:
        yield test_client


@pytest.fixture
def session(client: FlaskClient) -> dict[str, str]:
    body = {
        "credentials": harness.credentials_to_json(CREDENTIALS),
        "fcm_base_url": "http://127.0.0.1:9/fcm",
        "registrar_url": "http://127.0.0.1:9/ers",
        "token_url": "http://127.0.0.1:9/token?identity={identity}",
        "clock_ms": NOW_MS,
    }
    answer = client.post("/conformance/v1/sessions", json=body)
    assert answer.status_code == 201
    assert not conforms(201, "openSession", "application/json", answer.json)
    return {harness.SESSION_HEADER: answer.json["session"]}  # type: ignore[index]


def test_the_document_is_valid_openapi_3_1() -> None:
    validate(DOCUMENT)
    assert DOCUMENT["openapi"].startswith("3.1")


def test_every_route_of_the_reference_server_is_documented_and_vice_versa() -> None:
    app = create_app()
    served = {
        (re.sub(r"<(?:\w+:)?(\w+)>", "{}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods or ()
        if method not in {"HEAD", "OPTIONS"}
    }
    documented = {
        (re.sub(r"\{\w+\}", "{}", path), method) for path, methods in DOCUMENT["paths"].items() for method in methods
    }
    assert served == documented, f"served only: {served - documented}; documented only: {documented - served}"


def test_capabilities_answer_as_documented(client: FlaskClient) -> None:
    answer = client.get("/conformance/v1/capabilities")
    assert answer.status_code == 200
    assert not conforms(200, "capabilities", "application/json", answer.json)


def test_the_real_interfaces_answer_as_documented(client: FlaskClient, session: dict[str, str]) -> None:
    token = client.get("/accessToken?identity=bob_1", headers=session)
    assert token.status_code == 200
    assert not conforms(200, "issueToken", "text/plain", token.text)
    voice = client.post("/voice", data={"From": "client:alice", "To": "client:bob_1"}, headers=session)
    assert voice.status_code == 200
    assert twiml.parse_dial(voice.text).clients[0].identity == "bob_1"
    register = client.post(
        "/v1/registrations",
        json=harness.registration_body("fcm", "device-1"),
        headers={**session, harness.TOKEN_HEADER: token.text},
    )
    assert register.status_code == 201
    location = register.headers["Location"]
    refused = client.post(
        "/v1/registrations",
        json=harness.registration_body("gcm", "device-2"),
        headers={**session, harness.TOKEN_HEADER: token.text},
    )
    assert refused.status_code == 400
    assert not conforms(400, "register", "application/json", refused.json)
    bad_token = client.post(
        "/v1/registrations",
        json=harness.registration_body("fcm", "device-3"),
        headers={**session, harness.TOKEN_HEADER: "x.y.z"},
    )
    assert bad_token.status_code == 401
    assert not conforms(401, "register", "application/json", bad_token.json)
    deleted = client.delete(location, headers={**session, harness.TOKEN_HEADER: token.text})
    assert deleted.status_code == 204


def test_the_test_control_endpoints_answer_as_documented(client: FlaskClient, session: dict[str, str]) -> None:
    assert client.post("/conformance/v1/clock", json={"now_ms": NOW_MS + 1_000}, headers=session).status_code == 204
    call = client.post("/conformance/v1/calls", json={"twiml": twiml.build_dial("nobody")}, headers=session)
    assert call.status_code == 200
    assert not conforms(200, "placeCall", "application/json", call.json)
    created = client.post("/conformance/v1/clients", json={"identity": "bob_1"}, headers=session)
    assert created.status_code == 201
    client_id = created.json["client"]  # type: ignore[index]
    push = client.post(
        f"/conformance/v1/clients/{client_id}/push", json={"data": {"twi_message_type": "x"}}, headers=session
    )
    assert push.status_code == 200
    assert not conforms(200, "handPush", "application/json", push.json)
    closed = client.delete(f"/conformance/v1/sessions/{session[harness.SESSION_HEADER]}")
    assert closed.status_code == 204


POSTS = [
    "/conformance/v1/sessions",
    "/conformance/v1/clock",
    "/conformance/v1/calls",
    "/conformance/v1/clients",
    "/v1/registrations",
]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(path=st.sampled_from(POSTS), body=JSON, with_token=st.booleans())
def test_arbitrary_bodies_never_cause_a_server_error(
    client: FlaskClient, session: dict[str, str], path: str, body: Any, with_token: bool
) -> None:
    headers = dict(session)
    if with_token:
        headers[harness.TOKEN_HEADER] = tokens.mint(
            api_key_sid=CREDENTIALS.api_key_sid,
            account_sid=CREDENTIALS.account_sid,
            secret=CREDENTIALS.api_key_secret.reveal(),
            now_s=ManualClock(NOW_MS).now_s(),
            identity="fuzz",
            grants={"voice": tokens.voice_grant(push_credential_sid=CREDENTIALS.push_credential_sid)},
        )
    answer = client.post(path, json=body, headers=headers)
    assert answer.status_code < 500, f"{path} answered {answer.status_code} to {body!r}"
    if answer.status_code >= 400 and answer.is_json:
        assert set(answer.json or {}) >= {"code", "message"}, f"{path}: error body {answer.json!r} lacks code/message"


def test_a_registration_body_that_is_not_json_is_a_clean_400(client: FlaskClient, session: dict[str, str]) -> None:
    answer = client.post(
        "/v1/registrations",
        data=b"{not json",
        headers={**session, "Content-Type": "application/json", harness.TOKEN_HEADER: "x"},
    )
    assert answer.status_code == 400
    assert set(answer.json or {}) >= {"code", "message"}
