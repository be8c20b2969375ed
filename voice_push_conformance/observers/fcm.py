"""A model of Firebase Cloud Messaging (HTTP v1) that the suite owns.

It receives every push a candidate sends, validates it against the FCM request schema,
answers as FCM does (message name, or the documented error body), and models the device
side: which project a registration token belongs to, whether the app is still installed,
and whether the device is reachable now. A push to an unreachable device is held for
its TTL and delivered when the device comes back, exactly the late delivery that TTL 0
prevents.

The same :meth:`FcmSink.handle` serves the in-process interception (``responses``) and,
later, a loopback HTTP server.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import responses

from voice_push_conformance import schemas
from voice_push_conformance.clock import Clock
from voice_push_conformance.observers.transcript import Transcript
from voice_push_conformance.target import FcmEndpoint

SEND_PATH = re.compile(r"^/v1/projects/(?P<project>[^/]+)/messages:send$")
LEGACY_PATH = "/fcm/send"
LEGACY_DEFAULT_TTL_S = 2_419_200
MAX_DATA_BYTES = 4_096
MAX_TTL_MS = 2_419_200_000
_DURATION = re.compile(r"^(?P<s>\d+)(?:\.(?P<frac>\d{1,9}))?s$")

Answer = tuple[int, dict[str, str], str]


def duration_ms(text: str) -> int | None:
    """A protobuf Duration string ("0s", "3.5s") in milliseconds, or None if malformed."""
    match = _DURATION.match(text)
    if match is None:
        return None
    frac = (match.group("frac") or "").ljust(9, "0")
    return int(match.group("s")) * 1_000 + int(frac) // 1_000_000


@dataclass
class Device:
    """An app install as FCM sees it."""

    token: str
    project_id: str
    reachable: bool = True
    installed: bool = True
    inbox: list[CapturedPush] = field(default_factory=list)
    held: list[tuple[int, CapturedPush]] = field(default_factory=list)  # (expires_at_ms, push)


@dataclass(frozen=True)
class CapturedPush:
    """One send request as FCM received it, with what the suite found wrong with it."""

    project_id: str
    token: str | None
    body: Mapping[str, Any]
    authorization: str | None
    received_at_ms: int
    schema_errors: tuple[str, ...]
    status: int
    api: str = "v1"  # "v1", or "legacy" for the retired /fcm/send endpoint

    @property
    def message(self) -> Mapping[str, Any]:
        msg = self.body if self.api == "legacy" else self.body.get("message")
        return msg if isinstance(msg, Mapping) else {}

    @property
    def data(self) -> Mapping[str, Any]:
        data = self.message.get("data")
        return data if isinstance(data, Mapping) else {}

    @property
    def android(self) -> Mapping[str, Any]:
        """Android delivery options; a legacy request's are mapped to their v1 names."""
        if self.api == "legacy":
            options: dict[str, Any] = {"ttl": f"{self.body.get('time_to_live', LEGACY_DEFAULT_TTL_S)}s"}
            if "priority" in self.body:
                options["priority"] = self.body["priority"]
            return options
        android = self.message.get("android")
        return android if isinstance(android, Mapping) else {}

    def summary(self) -> str:
        return json.dumps({"project": self.project_id, "status": self.status, "body": self.body}, sort_keys=True)


def _text(body: bytes | str | None) -> str:
    return body.decode("utf-8", "replace") if isinstance(body, bytes) else (body or "")


def _authorization(headers: Mapping[str, str]) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == "authorization"), None)


def legacy_server_key(bearer_token: str) -> str:
    """The legacy API's server key for a project, derived from its v1 credential.

    The suite's credentials carry one push credential; an implementation that still uses
    the retired API derives the same key from it, so no new setting is needed.
    """
    return "AAAA" + hashlib.sha256(f"legacy:{bearer_token}".encode()).hexdigest()


def fcm_error(status: int, canonical: str, message: str, error_code: str) -> Answer:
    """An FCM HTTP v1 error answer in the documented shape, so candidates see what Google sends."""
    body = {
        "error": {
            "code": status,
            "message": message,
            "status": canonical,
            "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": error_code}],
        }
    }
    return status, {"Content-Type": "application/json"}, json.dumps(body)


class FcmSink:
    """FCM as one scenario sees it: projects, devices and every push received."""

    def __init__(self, clock: Clock, endpoint: FcmEndpoint | None = None) -> None:
        self.clock = clock
        self.endpoint = endpoint or FcmEndpoint()
        self._lock = threading.Lock()
        self._bearers: dict[str, str] = {}
        self._legacy_keys: dict[str, str] = {}
        self.devices: dict[str, Device] = {}
        self.pushes: list[CapturedPush] = []
        self._message_ids = 0
        self.transcript: Transcript | None = None

    # --- the scenario's world -----------------------------------------------------------

    def add_project(self, project_id: str, bearer_token: str) -> None:
        self._bearers[project_id] = bearer_token
        self._legacy_keys[project_id] = legacy_server_key(bearer_token)

    def add_device(self, token: str, project_id: str) -> Device:
        device = Device(token=token, project_id=project_id)
        self.devices[token] = device
        return device

    def set_reachable(self, token: str, reachable: bool) -> None:
        """Take a device off the network or bring it back (delivering what FCM still holds)."""
        with self._lock:
            device = self.devices[token]
            device.reachable = reachable
            if reachable:
                now = self.clock.now_ms()
                for expires_at, push in device.held:
                    if now <= expires_at:
                        device.inbox.append(push)
                device.held.clear()

    def uninstall(self, token: str) -> None:
        self.devices[token].installed = False

    def pushes_to(self, token: str) -> list[CapturedPush]:
        return [p for p in self.pushes if p.token == token]

    # --- the wire ------------------------------------------------------------------------

    def handle(self, path: str, headers: Mapping[str, str], body: bytes | str | None) -> Answer:
        """Answer one HTTP request to the FCM host."""
        if path == LEGACY_PATH:
            return self._handle_legacy(headers, body)
        match = SEND_PATH.match(path)
        if match is None:
            return fcm_error(404, "NOT_FOUND", f"no such FCM method: {path}", "UNSPECIFIED_ERROR")
        project = match.group("project")
        try:
            parsed = json.loads(_text(body))
        except json.JSONDecodeError as exc:
            return self._record(project, None, {}, headers, (f"body is not JSON: {exc}",), 400)
        if not isinstance(parsed, dict):
            return self._record(project, None, {}, headers, ("body is not a JSON object",), 400)
        problems = tuple(schemas.errors("fcm-v1-send-request", parsed))
        raw_message = parsed.get("message")
        message = raw_message if isinstance(raw_message, dict) else {}
        token = message.get("token") if isinstance(message.get("token"), str) else None
        return self._record(project, token, parsed, headers, problems, None)

    def _record(
        self,
        project: str,
        token: str | None,
        body: dict[str, Any],
        headers: Mapping[str, str],
        problems: tuple[str, ...],
        forced_status: int | None,
    ) -> Answer:
        authorization = _authorization(headers)
        answer = self._answer(project, token, body, authorization, problems, forced_status)
        push = CapturedPush(
            project_id=project,
            token=token,
            body=body,
            authorization=authorization,
            received_at_ms=self.clock.now_ms(),
            schema_errors=problems,
            status=answer[0],
        )
        self._keep(push, f"/v1/projects/{project}/messages:send", answer[2])
        return answer

    def _keep(self, push: CapturedPush, path: str, answer_text: str) -> None:
        """The tail both APIs share: the push goes in the transcript and the record, and to the device if sent."""
        if self.transcript is not None:
            self.transcript.record("fcm", f"POST {path} {push.summary()}", answer_text, push.received_at_ms)
        with self._lock:
            self.pushes.append(push)
            if push.status == 200 and push.token is not None:
                self._deliver(self.devices[push.token], push)

    def _next_message_id(self) -> int:
        with self._lock:
            self._message_ids += 1
            return self._message_ids

    def _answer(
        self,
        project: str,
        token: str | None,
        body: dict[str, Any],
        authorization: str | None,
        problems: tuple[str, ...],
        forced_status: int | None,
    ) -> Answer:
        if forced_status is not None or problems:
            detail = "; ".join(problems) or "invalid request"
            return fcm_error(400, "INVALID_ARGUMENT", f"Invalid JSON payload received. {detail}", "INVALID_ARGUMENT")
        expected = self._bearers.get(project)
        if expected is None or authorization != f"Bearer {expected}":
            return fcm_error(
                401,
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials.",
                "THIRD_PARTY_AUTH_ERROR",
            )
        data = body["message"].get("data", {})
        size = sum(len(k.encode("utf-8")) + len(str(v).encode("utf-8")) for k, v in data.items())
        if size > MAX_DATA_BYTES:
            return fcm_error(400, "INVALID_ARGUMENT", f"Message is too big ({size} bytes of data)", "INVALID_ARGUMENT")
        device = self.devices.get(token) if token is not None else None
        if device is None:
            return fcm_error(
                400,
                "INVALID_ARGUMENT",
                "The registration token is not a valid FCM registration token",
                "INVALID_ARGUMENT",
            )
        if device.project_id != project:
            return fcm_error(403, "PERMISSION_DENIED", "SenderId mismatch", "SENDER_ID_MISMATCH")
        if not device.installed:
            return fcm_error(404, "NOT_FOUND", "Requested entity was not found.", "UNREGISTERED")
        name = f"projects/{project}/messages/0:{self._next_message_id():016d}"
        return 200, {"Content-Type": "application/json"}, json.dumps({"name": name})

    def _deliver(self, device: Device, push: CapturedPush) -> None:
        if device.reachable:
            device.inbox.append(push)
            return
        ttl_text = push.android.get("ttl")
        ttl_ms = duration_ms(ttl_text) if isinstance(ttl_text, str) else MAX_TTL_MS
        if ttl_ms is None:
            ttl_ms = MAX_TTL_MS
        if ttl_ms > 0:
            device.held.append((push.received_at_ms + ttl_ms, push))

    # --- the retired legacy API -----------------------------------------------------------------

    def _handle_legacy(self, headers: Mapping[str, str], body: bytes | str | None) -> Answer:
        """Answer a legacy /fcm/send request the way that API did: HTTP 200 with per-result errors."""
        authorization = _authorization(headers) or ""
        project = next((p for p, key in self._legacy_keys.items() if authorization == f"key={key}"), None)
        if project is None:
            return 401, {"Content-Type": "text/plain"}, "Unauthorized: the server key is not valid"
        try:
            parsed = json.loads(_text(body))
        except json.JSONDecodeError:
            return 400, {"Content-Type": "text/plain"}, "JSON_PARSING_ERROR"
        problems = (
            tuple(schemas.errors("fcm-legacy-send-request", parsed)) if isinstance(parsed, dict) else ("not an object",)
        )
        token = parsed.get("to") if isinstance(parsed, dict) and isinstance(parsed.get("to"), str) else None
        status, error = 200, None
        device = self.devices.get(token) if token is not None else None
        if problems:
            status, error = 400, "InvalidParameters"
        elif device is None:
            status, error = 400, "InvalidRegistration"
        elif device.project_id != project:
            status, error = 403, "MismatchSenderId"
        elif not device.installed:
            status, error = 404, "NotRegistered"
        push = CapturedPush(
            project_id=project,
            token=token,
            body=parsed if isinstance(parsed, dict) else {},
            authorization=authorization,
            received_at_ms=self.clock.now_ms(),
            schema_errors=problems,
            status=status,
            api="legacy",
        )
        message_id = self._next_message_id()
        answer = {
            "multicast_id": message_id,
            "success": 0 if error else 1,
            "failure": 1 if error else 0,
            "canonical_ids": 0,
            "results": [{"error": error} if error else {"message_id": f"0:{message_id:016d}"}],
        }
        self._keep(push, LEGACY_PATH, json.dumps(answer))
        return 200, {"Content-Type": "application/json"}, json.dumps(answer)

    # --- interception ---------------------------------------------------------------------

    def install(self, mock: responses.RequestsMock) -> None:
        """Route every request to the FCM host through :meth:`handle`."""
        host = re.escape(self.endpoint.base_url.rstrip("/"))  # v1 and the legacy /fcm/send alike

        def callback(request: Any) -> Answer:
            path = request.path_url.split("?", 1)[0]
            return self.handle(path, dict(request.headers), request.body)

        mock.add_callback(responses.POST, re.compile(host + r"/.*"), callback=callback)
