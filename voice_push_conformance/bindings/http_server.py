"""The reference implementation served over HTTP, speaking the harness protocol.

Start it with ``python -m voice_push_conformance.bindings.http_server --port 8080`` to see what a
conforming server answers; the suite starts one itself for ``--target reference-http``.
Each scenario opens a session (``X-Conformance-Session``) holding its own clock,
credentials, state and the URLs of the suite's FCM sink, registrar and token endpoint.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import itertools
import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from flask import Flask, Response, jsonify, request
from werkzeug.serving import make_server

from voice_push_conformance import reference
from voice_push_conformance.bindings.app_services import HttpRegistrar, token_fetcher
from voice_push_conformance.clock import Clock, ManualClock
from voice_push_conformance.codecs import harness
from voice_push_conformance.codecs.harness import CONTROL, SESSION_HEADER, TOKEN_HEADER, ProtocolError
from voice_push_conformance.codecs.wsgi import respond
from voice_push_conformance.target import (
    Candidate,
    CandidateFactory,
    Client,
    ClientEnvironment,
    deliver_device_token,
)
from voice_push_conformance.target import HarnessContext as Context


@dataclass
class Session:
    """One scenario's candidate on the server side, with its clock, clients and registrations."""

    candidate: Candidate
    clock: Clock
    context: Context
    clients: dict[str, Client] = field(default_factory=dict)
    registrations: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (channel, device token)


class Sessions:
    """Thread-safe registry of sessions, so parallel scenarios never share a candidate."""

    def __init__(self, factory: CandidateFactory) -> None:
        self.factory = factory
        self._lock = threading.Lock()
        self._sessions: dict[str, Session] = {}
        self._ids = itertools.count(1)

    def create(self, body: Any) -> str:
        context = harness.session_from_json(body)
        session = Session(self.factory(context), context.clock, context)
        with self._lock:
            sid = f"S{next(self._ids):06d}"
            self._sessions[sid] = session
        return sid

    def get(self, sid: str | None) -> Session:
        with self._lock:
            session = self._sessions.get(sid or "")
        if session is None:
            problem = f"no {SESSION_HEADER} header" if sid is None else f"no session {sid!r}"
            raise LookupError(f"{problem}: open one with POST {CONTROL}/sessions")
        return session

    def drop(self, sid: str) -> bool:
        with self._lock:
            return self._sessions.pop(sid, None) is not None


def _error(status: int, code: int | None, message: str) -> Response:
    return respond(harness.error_answer(status, code, message))


def create_app(factory: CandidateFactory = reference.build) -> Flask:  # noqa: PLR0915 - one closure per route
    """The Flask app that serves a candidate factory over the harness protocol."""
    app = Flask("voice_push_conformance.reference_server")
    sessions = Sessions(factory)
    declared = factory(Context(clock=ManualClock(0), credentials=harness.credentials_from_json(_PROBE)))

    def session() -> Session:
        return sessions.get(request.headers.get(SESSION_HEADER))

    def body() -> dict[str, Any]:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise ProtocolError("the body must be a JSON object (Content-Type: application/json)")
        return data

    @app.errorhandler(ProtocolError)
    def _protocol(exc: ProtocolError) -> Response:
        return _error(400, 31400, str(exc))

    @app.errorhandler(LookupError)
    def _lookup(exc: LookupError) -> Response:
        return _error(404, 31404, str(exc))

    # --- test control ------------------------------------------------------------------------

    @app.get(f"{CONTROL}/capabilities")
    def capabilities() -> Response:
        return jsonify(
            {
                "protocol": "1",
                "description": f"{declared.description}, served over HTTP",
                "roles": list(declared.roles),
                "capabilities": sorted(declared.capabilities | {"sessions"}),
                "profiles": sorted(declared.profiles),
                "token_url": "/accessToken?identity={identity}",
                "voice_url": "/voice",
            }
        )

    @app.post(f"{CONTROL}/sessions")
    def open_session() -> tuple[Response, int]:
        return jsonify({"session": sessions.create(body())}), 201

    @app.delete(f"{CONTROL}/sessions/<sid>")
    def close_session(sid: str) -> tuple[str, int]:
        return "", 204 if sessions.drop(sid) else 404

    @app.post(f"{CONTROL}/clock")
    def set_clock() -> tuple[str, int] | Response:
        clock = session().clock
        now = body().get("now_ms")
        if not isinstance(clock, ManualClock):
            return _error(409, 31409, "this session follows the system clock")
        if not isinstance(now, int) or isinstance(now, bool):
            raise ProtocolError("now_ms must be an integer")
        clock.set(now)
        return "", 204

    @app.post(f"{CONTROL}/calls")
    def place_call() -> Response:
        service = session().candidate.service
        if service is None:
            raise LookupError("this server has no voice service role")
        twiml = body().get("twiml")
        if not isinstance(twiml, str):
            raise ProtocolError("twiml must be a string")
        return jsonify(harness.call_result_to_json(service.place_call(twiml)))

    @app.post(f"{CONTROL}/clients")
    def new_client() -> tuple[Response, int]:
        current = session()
        factory = current.candidate.client_factory
        identity = body().get("identity")
        if factory is None:
            raise LookupError("this server has no client role")
        if not isinstance(identity, str) or not current.context.registrar_url or not current.context.token_url:
            raise ProtocolError("a client needs an identity, and the session needs registrar_url and token_url")
        registrar = HttpRegistrar(current.context.registrar_url)
        env = ClientEnvironment(identity, current.clock, registrar, token_fetcher(current.context.token_url, identity))
        cid = f"C{len(current.clients) + 1:04d}"
        current.clients[cid] = factory(env)
        return jsonify({"client": cid}), 201

    def client(cid: str) -> Client:
        found = session().clients.get(cid)
        if found is None:
            raise LookupError(f"no client {cid!r} in this session")
        return found

    @app.post(f"{CONTROL}/clients/<cid>/push")
    def push(cid: str) -> Response:
        data = body().get("data")
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise ProtocolError("data must be an object of strings")
        return jsonify(harness.push_handling_to_json(client(cid).handle_push(data)))

    @app.post(f"{CONTROL}/clients/<cid>/device-token")
    def device_token(cid: str) -> tuple[str, int]:
        token = body().get("device_token")
        if not isinstance(token, str):
            raise ProtocolError("device_token must be a string")
        app_install = client(cid)
        try:
            deliver_device_token(app_install, "new_token", token)  # the binding has one event for both
        except requests.RequestException as exc:
            # The app could not reach its token server or registrar: nothing was registered, and the
            # app tries again at its next start, as after a refusal. The guide asks for 204 either way.
            app.logger.info("client %s could not register: %s", cid, type(exc).__name__)
        return "", 204

    # --- the real interfaces ------------------------------------------------------------------

    @app.get("/accessToken")
    def access_token() -> Response | tuple[str, int, dict[str, str]]:
        issuer = session().candidate.issuer
        identity = request.args.get("identity")
        if issuer is None:
            raise LookupError("this server has no token issuer role")
        if identity is None:
            raise ProtocolError("the token endpoint needs an identity query parameter")
        return issuer.issue_token(identity), 200, {"Content-Type": "text/plain"}

    @app.post("/voice")
    def voice() -> tuple[str, int, dict[str, str]]:
        issuer = session().candidate.issuer
        answer: Callable[..., str] | None = getattr(issuer, "answer_call", None)
        if answer is None:
            raise LookupError("this server has no voice webhook")
        form = request.form.to_dict()
        if "To" not in form:
            raise ProtocolError("the voice webhook needs To (client:<identity>) in its form")
        caller = form.pop("From", "")
        callee = form.pop("To").removeprefix("client:")
        return answer(caller, callee, form), 200, {"Content-Type": "text/xml"}

    @app.post(harness.REGISTRATIONS)
    def register() -> Response:
        current = session()
        service = current.candidate.service
        if service is None:
            raise LookupError("this server has no voice service role")
        channel, token = harness.registration_from_body(request.get_json(silent=True))
        result = service.register(request.headers.get(TOKEN_HEADER, ""), channel, token)
        rid = "RG" + hashlib.sha256(f"{channel}:{token}".encode()).hexdigest()[:32]
        if result.ok:
            current.registrations[rid] = (channel, token)
        return respond(harness.registration_answer(result, f"{harness.REGISTRATIONS}/{rid}"))

    @app.delete(f"{harness.REGISTRATIONS}/<rid>")
    def unregister(rid: str) -> Response | tuple[str, int]:
        current = session()
        service = current.candidate.service
        if service is None or rid not in current.registrations:
            raise LookupError(f"no registration {rid!r}")
        channel, token = current.registrations[rid]
        result = service.unregister(request.headers.get(TOKEN_HEADER, ""), channel, token)
        if not result.ok:
            return _error(result.status, result.code, result.message)
        current.registrations.pop(rid, None)
        return "", 204

    return app


# Credentials only used to ask the factory which roles it has.
_PROBE = {
    "account_sid": "AC" + "0" * 32,
    "api_key_sid": "SK" + "0" * 32,
    "api_key_secret": "probe",
    "push_credential_sid": "CR" + "0" * 32,
    "application_sid": "AP" + "0" * 32,
    "fcm_project_id": "probe",
    "fcm_bearer_token": "probe",
}


def main(argv: list[str] | None = None) -> int:
    """Command line: serve the reference (or a mutant) over HTTP for the HTTP binding."""
    parser = argparse.ArgumentParser(description="Serve the reference implementation over the harness protocol.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port (printed on start)")
    parser.add_argument("--mutant", default=None, help="serve a deliberately broken variant instead")
    parser.add_argument("--log-requests", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    factory: CandidateFactory = reference.build
    if args.mutant:
        from voice_push_conformance import mutants  # noqa: PLC0415

        if args.mutant not in mutants.CATALOGUE:
            parser.error(f"no mutant named {args.mutant!r}")
        factory = mutants.get(args.mutant).build
    if not args.log_requests:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server(args.host, args.port, create_app(factory), threaded=True)
    print(f"listening on http://{args.host}:{server.server_port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
