"""The roles of a candidate reached over the harness protocol, as the adapter contract's objects.

Each role sends its requests on the scenario's :class:`~voice_push_conformance.bindings.connection.Connection`
and reads the answers with the wire format of :mod:`voice_push_conformance.codecs.harness`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests

from voice_push_conformance.bindings.connection import Connection
from voice_push_conformance.bindings.token_url import TokenUrlIssuer
from voice_push_conformance.codecs import harness
from voice_push_conformance.codecs.harness import CONTROL, TOKEN_HEADER
from voice_push_conformance.target import CallResult, CandidateError, PushHandling, RegistrationResult


class DeclarationOnly(Connection):
    """The connection of a declaration: no session was opened, so nothing may be sent."""

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        raise CandidateError(f"{method} {path}: this candidate only declares roles; no session was opened for it")


class HttpIssuer(TokenUrlIssuer):
    """The issuer role of an HTTP candidate: its token URL, as any token URL, and its voice webhook."""

    def __init__(self, connection: Connection, token_url: str, voice_url: str | None) -> None:
        super().__init__(connection, token_url)
        self.voice_url = voice_url

    def answer_call(self, caller: str, callee_identity: str, parameters: Mapping[str, str]) -> str:
        if self.voice_url is None:
            raise CandidateError("the candidate declares voice_webhook but names no voice_url")
        form = {"From": caller, "To": f"client:{callee_identity}", **parameters}
        response = self.connection.request("POST", self.voice_url, data=form)
        self.connection.expect(response, 200, "the voice webhook")
        return response.text


class HttpVoiceService:
    """The voice-service role of an HTTP candidate: registrations and calls over the harness protocol."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def _post_registration(self, access_token: str, channel: str, device_token: str) -> requests.Response:
        send = self.connection.request
        return harness.post_registration(send, harness.REGISTRATIONS, access_token, channel, device_token)

    def register(self, access_token: str, channel: str, device_token: str) -> RegistrationResult:
        response = self._post_registration(access_token, channel, device_token)
        result = harness.registration_result(response)
        if result.ok and not response.headers.get("Location"):
            # The Voice SDKs treat this as registration error 31301; status 0 means "no valid answer".
            return RegistrationResult(
                0, 31301, f"registration answered {response.status_code} without a Location header"
            )
        return result

    def unregister(self, access_token: str, channel: str, device_token: str) -> RegistrationResult:
        # As the Voice SDKs do: POST to learn the registration's Location, then DELETE it.
        posted = self._post_registration(access_token, channel, device_token)
        location = posted.headers.get("Location")
        if not (200 <= posted.status_code < 300) or not location:
            return harness.registration_result(posted)
        deleted = self.connection.request("DELETE", location, headers={TOKEN_HEADER: access_token})
        return harness.registration_result(deleted)

    def place_call(self, twiml: str) -> CallResult:
        body = self.connection.call("POST", f"{CONTROL}/calls", 200, "placing a call", json={"twiml": twiml})
        try:
            return harness.call_result_from_json(body)
        except harness.ProtocolError as exc:
            raise CandidateError(f"placing a call: {exc}") from exc


class HttpClient:
    """The client role of an HTTP candidate: hands it pushes and reads back what it decided."""

    def __init__(self, connection: Connection, client_id: str) -> None:
        self.connection = connection
        self.path = f"{CONTROL}/clients/{client_id}"

    def handle_push(self, data: Mapping[str, str]) -> PushHandling:
        what = "handing the client a push"
        body = self.connection.call("POST", f"{self.path}/push", 200, what, json={"data": dict(data)})
        try:
            return harness.push_handling_from_json(body)
        except harness.ProtocolError as exc:
            raise CandidateError(f"{what}: {exc}") from exc

    def on_device_token(self, device_token: str) -> None:
        response = self.connection.request("POST", f"{self.path}/device-token", json={"device_token": device_token})
        self.connection.expect(response, (200, 204), "handing the client a device token")
