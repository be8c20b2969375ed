"""The endpoints the suite itself serves on loopback for candidates out of process:
FCM HTTP v1 (the push sink), the voice service's registration endpoint (for the client
role) and a token vending endpoint (for the client role's access tokens).

One server per pytest process; each scenario attaches its own sink, registrar and token
function under a session id that is part of every URL, so scenarios never share state.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from flask import Flask, Response, jsonify, request
from werkzeug.serving import BaseWSGIServer, make_server

from voice_push_conformance.bindings import harness
from voice_push_conformance.observers.fcm import FcmSink
from voice_push_conformance.observers.registrar import SuiteRegistrar


@dataclass
class Attachment:
    """What one scenario plugs into the loopback server: its FCM sink, registrar and token vendor."""

    sink: FcmSink
    registrar: SuiteRegistrar
    vend_token: Callable[[str], str]  # identity -> access token


class LoopbackServer:
    """The suite's own HTTP server for out-of-process candidates: FCM, registration and tokens."""

    _instance: ClassVar[LoopbackServer | None] = None
    _instance_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self) -> None:
        self._attachments: dict[str, Attachment] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._server: BaseWSGIServer = make_server("127.0.0.1", 0, self._app(), threaded=True)
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="vpc-loopback", daemon=True)
        self._thread.start()

    @classmethod
    def instance(cls) -> LoopbackServer:
        with cls._instance_lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    @classmethod
    def shutdown_instance(cls) -> None:
        with cls._instance_lock:
            if cls._instance is not None:
                cls._instance._server.shutdown()
                cls._instance._server.server_close()
                cls._instance = None

    def attach(self, attachment: Attachment) -> str:
        with self._lock:
            sid = f"L{next(self._ids):06d}"
            self._attachments[sid] = attachment
        return sid

    def detach(self, sid: str) -> None:
        with self._lock:
            self._attachments.pop(sid, None)

    def url(self, sid: str) -> str:
        return f"{self.base_url}/s/{sid}"

    def _get(self, sid: str) -> Attachment | None:
        with self._lock:
            return self._attachments.get(sid)

    def _app(self) -> Flask:
        app = Flask("voice_push_conformance.observers.loopback")

        def missing(sid: str) -> Response:
            response = jsonify(harness.error_body(None, f"no scenario {sid!r} is attached (it may have ended)"))
            response.status_code = 404
            return response

        @app.post("/s/<sid>/fcm/v1/projects/<project>/messages:send")
        def fcm_send(sid: str, project: str) -> Response:
            found = self._get(sid)
            if found is None:
                return missing(sid)
            status, headers, body = found.sink.handle(
                f"/v1/projects/{project}/messages:send", dict(request.headers), request.get_data()
            )
            return Response(body, status=status, headers=headers)

        @app.post("/s/<sid>/fcm/fcm/send")
        def fcm_legacy_send(sid: str) -> Response:
            found = self._get(sid)
            if found is None:
                return missing(sid)
            status, headers, body = found.sink.handle("/fcm/send", dict(request.headers), request.get_data())
            return Response(body, status=status, headers=headers)

        @app.post("/s/<sid>/ers" + harness.REGISTRATIONS)
        def register(sid: str) -> Response:
            found = self._get(sid)
            if found is None:
                return missing(sid)
            try:
                channel, device_token = harness.registration_from_body(request.get_json(silent=True))
            except harness.ProtocolError as exc:
                response = jsonify(harness.error_body(31400, str(exc)))
                response.status_code = 400
                return response
            result = found.registrar.register(request.headers.get(harness.TOKEN_HEADER, ""), channel, device_token)
            if not result.ok:
                response = jsonify(harness.error_body(result.code, result.message))
                response.status_code = result.status
                return response
            response = jsonify({"status": "registered"})
            response.status_code = 201
            response.headers["Location"] = f"/s/{sid}/ers{harness.REGISTRATIONS}/RG{len(found.registrar.requests):032d}"
            return response

        @app.get("/s/<sid>/token")
        def token(sid: str) -> Response:
            found = self._get(sid)
            if found is None:
                return missing(sid)
            return Response(found.vend_token(request.args.get("identity", "")), mimetype="text/plain")

        return app
