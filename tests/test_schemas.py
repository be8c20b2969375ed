"""Self-tests for the JSON Schemas in ``schemas/``.

Two layers: every schema file (found by glob, so new schemas are covered automatically) is a
well-formed Draft 2020-12 schema carrying the suite's metadata; and each schema accepts the
examples it must accept and rejects the ones it must reject, at the expected place.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "schemas"
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
ID_PREFIX = "https://voice-push-conformance.example/schemas/"

# OpenAPI documents (*-openapi.json) are checked by tests/test_harness_openapi.py instead.
SCHEMA_FILES = sorted(p for p in SCHEMA_DIR.glob("*.json") if not p.name.endswith("-openapi.json"))

# Made-up identifiers in the right shapes (prefix + 32 lowercase hex digits).
ACCOUNT_SID = "AC" + "a" * 32
API_KEY_SID = "SK" + "b" * 32
APP_SID = "AP" + "c" * 32
CREDENTIAL_SID = "CR" + "d" * 32
CALL_SID = "CA" + "0123456789abcdef" * 2
PUSH_MESSAGE_ID = "RU" + "1d508ff6dee4168b8c9e7ba05ae6923d"
NOW = 1_795_584_806


def _load(path: Path) -> dict[str, Any]:
    loaded = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), f"{path.name}: a schema must be a JSON object"
    return loaded


@cache
def _validator(name: str) -> Draft202012Validator:
    schema = _load(SCHEMA_DIR / f"{name}.json")
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _changed(base: dict[str, Any], *path: str | int, value: Any = None, delete: bool = False) -> dict[str, Any]:
    """A deep copy of ``base`` with the member at ``path`` replaced by ``value`` (or removed)."""
    result = copy.deepcopy(base)
    parent: Any = result
    for step in path[:-1]:
        parent = parent[step]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return result


# --- baseline documents ------------------------------------------------------------------------

HEADER_PYTHON: dict[str, Any] = {"alg": "HS256", "cty": "twilio-fpa;v=1", "typ": "JWT"}

# What twilio-python emits: nbf, no iat.
PAYLOAD_PYTHON: dict[str, Any] = {
    "jti": f"{API_KEY_SID}-{NOW}",
    "grants": {
        "voice": {
            "incoming": {"allow": True},
            "outgoing": {"application_sid": APP_SID, "params": {"k": "v"}},
            "push_credential_sid": CREDENTIAL_SID,
        },
        "identity": "alice",
    },
    "iss": API_KEY_SID,
    "exp": NOW + 3600,
    "nbf": NOW,
    "sub": ACCOUNT_SID,
}

# What twilio-node emits by default: iat, no nbf.
PAYLOAD_NODE: dict[str, Any] = {
    "jti": f"{API_KEY_SID}-{NOW}",
    "grants": {
        "identity": "alice",
        "voice": {
            "incoming": {"allow": True},
            "outgoing": {"application_sid": APP_SID},
            "push_credential_sid": CREDENTIAL_SID,
        },
    },
    "iat": NOW,
    "exp": NOW + 3600,
    "iss": API_KEY_SID,
    "sub": ACCOUNT_SID,
}

CALL_DATA: dict[str, Any] = {
    "twi_message_type": "twilio.voice.call",
    "twi_call_sid": CALL_SID,
    "twi_account_sid": ACCOUNT_SID,
    "twi_from": "client:alice",
    "twi_to": "client:bob",
    "twi_bridge_token": "eyJraWQiOiJleGFtcGxlIn0.e30.c2ln",
    "twi_message_id": PUSH_MESSAGE_ID,
    "twi_params": "caller_first_name=alice&caller_last_name=smith",
}

SEND_REQUEST: dict[str, Any] = {
    "message": {
        "token": "fcm-registration-token-of-bob",
        "data": CALL_DATA,
        "android": {"priority": "HIGH", "ttl": "0s"},
    }
}

FCM_UNREGISTERED: dict[str, Any] = {
    "error": {
        "code": 404,
        "message": "Requested entity was not found.",
        "status": "NOT_FOUND",
        "details": [
            {
                "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                "errorCode": "UNREGISTERED",
            }
        ],
    }
}

# --- examples ----------------------------------------------------------------------------------

VALID = [
    # access-token-header
    pytest.param("access-token-header", HEADER_PYTHON, id="header-twilio-python"),
    pytest.param("access-token-header", {**HEADER_PYTHON, "twr": "ie1"}, id="header-with-region"),
    pytest.param("access-token-header", {**HEADER_PYTHON, "kid": "SK-key"}, id="header-extra-member"),
    # access-token-payload
    pytest.param("access-token-payload", PAYLOAD_PYTHON, id="payload-python-nbf-no-iat"),
    pytest.param("access-token-payload", PAYLOAD_NODE, id="payload-node-iat-no-nbf"),
    pytest.param("access-token-payload", {**PAYLOAD_NODE, "nbf": NOW}, id="payload-iat-and-nbf"),
    pytest.param(
        "access-token-payload",
        _changed(PAYLOAD_PYTHON, "grants", value={"identity": "alice"}),
        id="payload-no-voice-grant",
    ),
    pytest.param(
        "access-token-payload",
        _changed(PAYLOAD_PYTHON, "grants", "video", value={"room": "standup"}),
        id="payload-other-grant",
    ),
    pytest.param(
        "access-token-payload",
        _changed(
            PAYLOAD_NODE,
            "grants",
            "voice",
            value={"outgoing": {"application_sid": APP_SID}, "push_credential_sid": CREDENTIAL_SID},
        ),
        id="payload-quickstart-grant-without-incoming",
    ),
    pytest.param(
        "access-token-payload",
        _changed(PAYLOAD_PYTHON, "grants", "voice", "endpoint_id", value="bob-pixel-8"),
        id="payload-endpoint-id",
    ),
    # fcm-v1-send-request
    pytest.param("fcm-v1-send-request", SEND_REQUEST, id="send-canonical-voice-push"),
    pytest.param(
        "fcm-v1-send-request",
        _changed(SEND_REQUEST, "message", "android", "priority", value="high"),
        id="send-priority-lowercase-high",
    ),
    pytest.param(
        "fcm-v1-send-request",
        _changed(SEND_REQUEST, "message", "android", "priority", value="NORMAL"),
        id="send-priority-uppercase-normal",
    ),
    pytest.param(
        "fcm-v1-send-request",
        _changed(SEND_REQUEST, "message", "android", "ttl", value="3.5s"),
        id="send-ttl-fractional",
    ),
    pytest.param(
        "fcm-v1-send-request",
        _changed(SEND_REQUEST, "message", "android", "ttl", value="2419200.000000000s"),
        id="send-ttl-nine-fraction-digits",
    ),
    pytest.param("fcm-v1-send-request", {**SEND_REQUEST, "validate_only": True}, id="send-validate-only"),
    pytest.param(
        "fcm-v1-send-request",
        {"message": {"topic": "incoming-calls", "data": {"k": "v"}}},
        id="send-topic-target",
    ),
    pytest.param(
        "fcm-v1-send-request",
        {"message": {"condition": "'a' in topics && 'b' in topics"}},
        id="send-condition-target",
    ),
    pytest.param("fcm-v1-send-request", {"message": {"fid": "firebase-installation-id"}}, id="send-fid-target"),
    pytest.param(
        "fcm-v1-send-request",
        {
            "message": {
                "token": "t",
                "notification": {"title": "Call"},
                "apns": {"headers": {"apns-priority": "10"}},
                "webpush": {},
                "fcm_options": {"analytics_label": "voice"},
                "android": {"direct_boot_ok": True, "collapse_key": "call", "data": {"k": "v"}},
            }
        },
        id="send-all-platform-blocks",
    ),
    # push-call-data
    pytest.param("push-call-data", CALL_DATA, id="call-data-push"),
    pytest.param(
        "push-call-data",
        _changed(CALL_DATA, "twi_message_id", value="WB" + "e" * 32),
        id="call-data-webhook-message-id",
    ),
    pytest.param(
        "push-call-data",
        {**CALL_DATA, "twi_stir_status": "TN-Validation-Passed-A", "twi_answer_timeout": "600", "x": "y"},
        id="call-data-optional-and-unknown-strings",
    ),
    pytest.param(
        "push-call-data",
        _changed(CALL_DATA, "twi_from", value="+15005550006"),
        id="call-data-pstn-caller",
    ),
    pytest.param("push-call-data", _changed(CALL_DATA, "twi_params", delete=True), id="call-data-without-params"),
    # fcm-v1-error
    pytest.param("fcm-v1-error", FCM_UNREGISTERED, id="error-unregistered"),
    pytest.param(
        "fcm-v1-error",
        {
            "error": {
                "code": 400,
                "message": "The registration token is not a valid FCM registration token",
                "status": "INVALID_ARGUMENT",
                "details": [
                    {
                        "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                        "errorCode": "INVALID_ARGUMENT",
                    },
                    {
                        "@type": "type.googleapis.com/google.rpc.BadRequest",
                        "fieldViolations": [{"field": "message.token", "description": "Invalid token"}],
                    },
                ],
            }
        },
        id="error-invalid-argument-with-bad-request",
    ),
    pytest.param(
        "fcm-v1-error",
        _changed(FCM_UNREGISTERED, "error", "details", delete=True),
        id="error-without-details",
    ),
]

# The negative cases are data (tests/data/schema-negative-cases.json), the way the JSON-Schema-Test-Suite
# keeps its cases: each is a base document below, a change given by JSON Pointers, and the instance
# location where an error must be reported, so a case cannot pass because of some unrelated mistake.
NEGATIVE_CASES = ROOT / "tests" / "data" / "schema-negative-cases.json"
BASES: dict[str, dict[str, Any]] = {
    "header-twilio-python": HEADER_PYTHON,
    "payload-twilio-python": PAYLOAD_PYTHON,
    "payload-twilio-node": PAYLOAD_NODE,
    "send-request": SEND_REQUEST,
    "call-data": CALL_DATA,
    "fcm-unregistered": FCM_UNREGISTERED,
    "empty": {},
}


@dataclass(frozen=True)
class NegativeCase:
    """One document a schema must reject, and where it must say so."""

    id: str
    schema: str
    instance: Any
    error_at: tuple[str | int, ...]


def _pointer(pointer: str) -> list[str]:
    """RFC 6901 reference tokens of a JSON Pointer ("" is the whole document)."""
    if pointer and not pointer.startswith("/"):
        raise ValueError(f"{pointer!r} is not a JSON Pointer: it must be empty or start with '/'")
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer.split("/")[1:]]


def _step(container: Any, token: str) -> Any:
    return container[int(token)] if isinstance(container, list) else container[token]


def _apply(base: dict[str, Any], change: list[dict[str, Any]]) -> Any:
    """A deep copy of ``base`` with each ``{"set": pointer, "value": v}`` or ``{"remove": pointer}`` applied."""
    result: Any = copy.deepcopy(base)
    for edit in change:
        tokens = _pointer(edit["set"] if "set" in edit else edit["remove"])
        parent: Any = result
        for token in tokens[:-1]:
            parent = _step(parent, token)
        key: str | int = int(tokens[-1]) if isinstance(parent, list) else tokens[-1]
        if "set" in edit:
            parent[key] = copy.deepcopy(edit["value"])
        else:
            del parent[key]
    return result


def _location(pointer: str) -> tuple[str | int, ...]:
    """A JSON Pointer as jsonschema's ``absolute_path`` tuple (array indices as ints)."""
    return tuple(int(token) if token.isdigit() else token for token in _pointer(pointer))


def _negative_cases() -> list[NegativeCase]:
    document = json.loads(NEGATIVE_CASES.read_text(encoding="utf-8"))
    return [
        NegativeCase(
            id=case["id"],
            schema=case["schema"],
            instance=_apply(BASES[case["base"]], case["change"]),
            error_at=_location(case["error_at"]),
        )
        for case in document["cases"]
    ]


INVALID = [pytest.param(case.schema, case.instance, case.error_at, id=case.id) for case in _negative_cases()]


def test_negative_cases_file_is_well_formed() -> None:
    """A typo in the data file must fail here by name, not silently drop or alter a case."""
    cases = json.loads(NEGATIVE_CASES.read_text(encoding="utf-8"))["cases"]
    ids = [case["id"] for case in cases]
    assert len(ids) == len(set(ids)), f"duplicate case ids: {sorted({i for i in ids if ids.count(i) > 1})}"
    for case in cases:
        assert set(case) == {"id", "schema", "base", "change", "error_at"}, (
            f"{case['id']}: unexpected keys {sorted(case)}"
        )
        assert case["base"] in BASES, f"{case['id']}: unknown base {case['base']!r}; known: {sorted(BASES)}"
        assert case["change"], f"{case['id']}: a negative case must change its base"
        for edit in case["change"]:
            assert len(set(edit) & {"set", "remove"}) == 1, f"{case['id']}: each step is one set or one remove: {edit}"


def test_a_change_follows_json_pointers_into_objects_and_arrays() -> None:
    base = {"a": [1, {"b/c": 2}], "d~e": 0}
    change: list[dict[str, Any]] = [
        {"set": "/a/1/b~1c", "value": 3},
        {"remove": "/a/0"},
        {"set": "/d~0e", "value": None},
    ]
    assert _apply(base, change) == {"a": [{"b/c": 3}], "d~e": None}
    assert base == {"a": [1, {"b/c": 2}], "d~e": 0}, "the base document must not change"
    assert _location("/error/details/0") == ("error", "details", 0)
    assert _location("") == ()
    with pytest.raises(ValueError, match="not a JSON Pointer"):
        _pointer("error/code")


# --- well-formedness of every schema file ------------------------------------------------------


def test_schema_directory_is_not_empty() -> None:
    assert SCHEMA_FILES, f"no *.json files under {SCHEMA_DIR}"


@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in SCHEMA_FILES])
def test_schema_is_well_formed(path: Path) -> None:
    schema = _load(path)
    assert schema.get("$schema") == DRAFT_2020_12, f"{path.name}: $schema must be {DRAFT_2020_12}"
    assert schema.get("$id") == ID_PREFIX + path.name, f"{path.name}: $id must be {ID_PREFIX}{path.name}"
    for key in ("title", "description"):
        value = schema.get(key)
        assert isinstance(value, str), f"{path.name}: {key!r} must be a string"
        assert value.strip(), f"{path.name}: {key!r} must not be empty"
    Draft202012Validator.check_schema(schema)


def test_every_example_names_an_existing_schema() -> None:
    names = {p.stem for p in SCHEMA_FILES}
    used = {str(case.values[0]) for case in (*VALID, *INVALID)}
    assert used <= names, f"examples refer to missing schemas: {sorted(used - names)}"
    for name in sorted(used):
        assert any(case.values[0] == name for case in VALID), f"{name}: no valid example"
        assert any(case.values[0] == name for case in INVALID), f"{name}: no invalid example"


# --- examples ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "instance"), VALID)
def test_valid_example(name: str, instance: Any) -> None:
    problems = [
        f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}"
        for e in _validator(name).iter_errors(instance)
    ]
    assert not problems, f"{name} rejected a valid example:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize(("name", "instance", "where"), INVALID)
def test_invalid_example(name: str, instance: Any, where: tuple[str | int, ...]) -> None:
    found = list(_validator(name).iter_errors(instance))
    assert found, f"{name} accepted an invalid example"
    places = [tuple(e.absolute_path) for e in found]
    assert where in places, f"{name}: expected an error at {where!r}, got errors at {places!r}"
