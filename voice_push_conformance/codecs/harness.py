"""The HTTP harness protocol's wire format, shared by the suite's HTTP adapter and the
reference HTTP server, so both ends read and write exactly the same JSON.

The protocol is documented in schemas/harness-openapi.json and docs/http-harness.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from voice_push_conformance.clock import Clock, ManualClock, SystemClock
from voice_push_conformance.credentials import Credentials
from voice_push_conformance.secrecy import Secret
from voice_push_conformance.target import (
    NOT_OFFERED,
    ROLES,
    CallResult,
    Delivery,
    FcmEndpoint,
    HarnessContext,
    PushHandling,
    RegistrationResult,
)

if TYPE_CHECKING:
    import requests

CONTROL = "/conformance/v1"
SESSION_HEADER = "X-Conformance-Session"
TOKEN_HEADER = "X-Twilio-Token"
REGISTRATIONS = "/v1/registrations"
DEFAULT_HTTP_TIMEOUT_S = 5.0  # seconds per request; --http-timeout / VPC_HTTP_TIMEOUT change it

# One answer of a harness-protocol endpoint: status, headers and the JSON body (None: no body).
Answer = tuple[int, dict[str, str], Any]


class ProtocolError(ValueError):
    """A message on the wire does not have the documented shape."""


def _require(body: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    value = body.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ProtocolError(f"{key!r} must be a {getattr(kind, '__name__', kind)}, got {value!r}")
    return value


def _optional_int(body: Mapping[str, Any], key: str) -> int | None:
    value = body.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _optional_str(body: Mapping[str, Any], key: str) -> str | None:
    value = body.get(key)
    return value if isinstance(value, str) else None


def credentials_to_json(credentials: Credentials) -> dict[str, str]:
    """The suite's credentials for a session: this is the one place secrets cross the wire."""
    return {
        "account_sid": credentials.account_sid,
        "api_key_sid": credentials.api_key_sid,
        "api_key_secret": credentials.api_key_secret.reveal(),
        "push_credential_sid": credentials.push_credential_sid,
        "application_sid": credentials.application_sid,
        "fcm_project_id": credentials.fcm_project_id,
        "fcm_bearer_token": credentials.fcm_bearer_token.reveal(),
    }


def credentials_from_json(body: Mapping[str, Any]) -> Credentials:
    """Reads the credentials a session body carries, refusing a missing or non-string field."""
    names = (
        "account_sid",
        "api_key_sid",
        "api_key_secret",
        "push_credential_sid",
        "application_sid",
        "fcm_project_id",
        "fcm_bearer_token",
    )
    fields = {key: _require(body, key, str) for key in names}
    return Credentials(
        account_sid=fields["account_sid"],
        api_key_sid=fields["api_key_sid"],
        api_key_secret=Secret(fields["api_key_secret"]),
        push_credential_sid=fields["push_credential_sid"],
        application_sid=fields["application_sid"],
        fcm_project_id=fields["fcm_project_id"],
        fcm_bearer_token=Secret(fields["fcm_bearer_token"]),
    )


def error_body(code: int | None, message: str) -> dict[str, Any]:
    """The harness protocol's ``{code, message}`` error answer, written in one place."""
    return {"code": code, "message": message}


def error_answer(status: int, code: int | None, message: str) -> Answer:
    """An error answer of any harness-protocol endpoint, with its ``{code, message}`` body."""
    return status, {}, error_body(code, message)


def session_to_json(context: HarnessContext) -> dict[str, Any]:
    """The body that opens a session: the scenario's credentials, clock and loopback URLs."""
    clock = context.clock
    return {
        "credentials": credentials_to_json(context.credentials),
        "fcm_base_url": context.fcm.base_url,
        "registrar_url": context.registrar_url,
        "token_url": context.token_url,
        "clock_ms": clock.now_ms() if isinstance(clock, ManualClock) else None,
    }


def session_from_json(body: Any) -> HarnessContext:
    """Reads a session body into the context a candidate is built with, the inverse of :func:`session_to_json`."""
    if not isinstance(body, dict) or not isinstance(body.get("credentials"), dict):
        raise ProtocolError("the session body must be a JSON object holding a credentials object")
    try:
        credentials = credentials_from_json(body["credentials"])
    except ValueError as exc:  # an empty secret, for one; a ProtocolError is a ValueError too
        raise ProtocolError(f"credentials: {exc}") from None
    if not all(isinstance(body.get(key), str | None) for key in ("fcm_base_url", "registrar_url", "token_url")):
        raise ProtocolError("fcm_base_url, registrar_url and token_url must be strings or null")
    clock_ms = None if isinstance(body.get("clock_ms"), bool) else body.get("clock_ms")
    clock: Clock = ManualClock(clock_ms) if isinstance(clock_ms, int) else SystemClock()
    fcm_base = body.get("fcm_base_url")
    return HarnessContext(
        clock=clock,
        credentials=credentials,
        fcm=FcmEndpoint(fcm_base) if isinstance(fcm_base, str) else FcmEndpoint(),
        registrar_url=body.get("registrar_url"),
        token_url=body.get("token_url"),
    )


def declared_roles(body: Mapping[str, Any]) -> tuple[str, ...]:
    """The roles a capabilities answer declares, in the contract's order of roles it lists."""
    return tuple(r for r in body["roles"] if r in ROLES)


def registration_body(channel: str, device_token: str) -> dict[str, Any]:
    """The body a Voice SDK posts to register a device (see protocol-facts §4.2)."""
    return {
        "channel_type": channel,
        "message_types": ["twilio.voice.call"],
        "data": {"registration_id": device_token},
        "version": "3",
    }


def registration_from_body(body: Any) -> tuple[str, str]:
    """Reads channel and device token from a registration body, refusing any other shape."""
    if not isinstance(body, Mapping):
        raise ProtocolError("the registration body must be a JSON object")
    channel = _require(body, "channel_type", str)
    data = _require(body, "data", Mapping)
    return channel, _require(data, "registration_id", str)


def registration_result_from_answer(status: int, body: Any) -> RegistrationResult:
    """Turns a registration answer's status and body into the adapter contract's result."""
    if 200 <= status < 300:
        return RegistrationResult(status, None, "")
    if isinstance(body, Mapping):
        return RegistrationResult(status, _optional_int(body, "code"), _optional_str(body, "message") or "")
    return RegistrationResult(status, None, "the error answer has no JSON {code, message} body")


def post_registration(
    send: Callable[..., requests.Response], url: str, access_token: str, channel: str, device_token: str
) -> requests.Response:
    """A registration POST as a Voice SDK sends it; ``send`` is the caller's ``request(method, url, **kwargs)``."""
    return send(
        "POST",
        url,
        json=registration_body(channel, device_token),
        headers={TOKEN_HEADER: access_token, "Accept": "application/json"},
    )


def registration_result(response: requests.Response) -> RegistrationResult:
    """The adapter contract's result of a registration answer (POST or DELETE) as received."""
    body = None
    if response.content:
        try:
            body = response.json()
        except ValueError:
            body = None
    return registration_result_from_answer(response.status_code, body)


def registration_answer(result: RegistrationResult, location: str) -> Answer:
    """The answer to ``POST /v1/registrations``: 201 with ``Location``, or the refusal's error."""
    if not result.ok:
        return error_answer(result.status, result.code, result.message)
    return 201, {"Location": location}, {"status": "registered"}


def call_result_to_json(result: CallResult) -> dict[str, Any]:
    """A call result on the wire, the inverse of :func:`call_result_from_json`."""
    return {
        "accepted": result.accepted,
        "call_sid": result.call_sid,
        "code": result.code,
        "message": result.message,
        "deliveries": [
            {"device_token": d.device_token, "delivered": d.delivered, "error": d.error} for d in result.deliveries
        ],
    }


def call_result_from_json(body: Any) -> CallResult:
    """Reads a call result off the wire, refusing any shape the contract does not allow."""
    if not isinstance(body, Mapping):
        raise ProtocolError("the call result must be a JSON object")
    deliveries = []
    for item in _require(body, "deliveries", list):
        if not isinstance(item, Mapping):
            raise ProtocolError("each delivery must be a JSON object")
        deliveries.append(
            Delivery(
                _require(item, "device_token", str),
                _require(item, "delivered", bool),
                _optional_str(item, "error"),
            )
        )
    return CallResult(
        accepted=_require(body, "accepted", bool),
        call_sid=_optional_str(body, "call_sid"),
        code=_optional_int(body, "code"),
        message=_optional_str(body, "message") or "",
        deliveries=tuple(deliveries),
    )


def push_handling_to_json(handled: PushHandling) -> dict[str, Any]:
    """A client's push decision on the wire, leaving ``raw_params`` out when it is not offered."""
    answer: dict[str, Any] = {
        "kind": handled.kind,
        "decision": handled.decision,
        "call_sid": handled.call_sid,
        "custom_parameters": dict(handled.custom_parameters),
        "reason": handled.reason,
    }
    if handled.raw_params is not NOT_OFFERED:  # an absent key says the client offers no 2.x view
        answer["raw_params"] = handled.raw_params
    return answer


def push_handling_from_json(body: Any) -> PushHandling:
    """Reads a client's push decision off the wire, refusing unknown kinds and decisions."""
    if not isinstance(body, Mapping):
        raise ProtocolError("the push handling must be a JSON object")
    kind = _require(body, "kind", str)
    decision = _require(body, "decision", str)
    if kind not in {"call", "cancel", "not_voice"}:
        raise ProtocolError(f"kind must be call, cancel or not_voice, not {kind!r}")
    if decision not in {"display", "discard", "ignore"}:
        raise ProtocolError(f"decision must be display, discard or ignore, not {decision!r}")
    params = body.get("custom_parameters") or {}
    if not isinstance(params, Mapping) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in params.items()
    ):
        raise ProtocolError("custom_parameters must map strings to strings or null")
    return PushHandling(
        kind=kind,
        decision=decision,
        call_sid=_optional_str(body, "call_sid"),
        raw_params=_optional_str(body, "raw_params") if "raw_params" in body else NOT_OFFERED,
        custom_parameters=dict(params),
        reason=_optional_str(body, "reason") or "",
    )
