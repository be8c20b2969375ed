"""The endpoints the suite itself serves on loopback for candidates out of process:
FCM HTTP v1 (the push sink), the voice service's registration endpoint (for the client
role) and a token vending endpoint (for the client role's access tokens).

One server per pytest process; each scenario attaches its own sink, registrar and token
function under a session id that is part of every URL, so scenarios never share state.
A scenario is wired in two steps: :meth:`LoopbackServer.reserve` names its id (and so its
URLs, which the candidate is built with), and :meth:`LoopbackServer.attach` plugs in what
answers there once the scenario's world exists. Until then, and after
:meth:`LoopbackServer.detach`, its URLs answer 404.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from flask import Flask, Response, request
from werkzeug.serving import BaseWSGIServer, make_server

from voice_push_conformance.codecs import harness
from voice_push_conformance.codecs.wsgi import respond
from voice_push_conformance.observers.fcm import LEGACY_PATH, FcmSink
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
        self._attachments: dict[str, Attachment | None] = {}  # None: reserved, not attached yet
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

    def reserve(self) -> str:
        """A new scenario id, whose URLs answer 404 until :meth:`attach` plugs the scenario in."""
        with self._lock:
            sid = f"L{next(self._ids):06d}"
            self._attachments[sid] = None
        return sid

    def attach(self, sid: str, attachment: Attachment) -> None:
        """Answer the reserved ``sid``'s URLs with the scenario's sink, registrar and token vendor."""
        with self._lock:
            if sid not in self._attachments:
                raise KeyError(f"scenario {sid!r} was never reserved, or has been detached")
            self._attachments[sid] = attachment

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
            return respond(harness.error_answer(404, None, f"no scenario {sid!r} is attached (it may have ended)"))

        def fcm(sid: str, path: str) -> Response:
            found = self._get(sid)
            if found is None:
                return missing(sid)
            status, headers, body = found.sink.handle(path, dict(request.headers), request.get_data())
            return Response(body, status=status, headers=headers)

        @app.post("/s/<sid>/fcm/v1/projects/<project>/messages:send")
        def fcm_send(sid: str, project: str) -> Response:
            return fcm(sid, f"/v1/projects/{project}/messages:send")

        @app.post("/s/<sid>/fcm" + LEGACY_PATH)
        def fcm_legacy_send(sid: str) -> Response:
            return fcm(sid, LEGACY_PATH)

        @app.post("/s/<sid>/ers" + harness.REGISTRATIONS)
        def register(sid: str) -> Response:
            found = self._get(sid)
            if found is None:
                return missing(sid)
            try:
                channel, device_token = harness.registration_from_body(request.get_json(silent=True))
            except harness.ProtocolError as exc:
                return respond(harness.error_answer(400, 31400, str(exc)))
            result = found.registrar.register(request.headers.get(harness.TOKEN_HEADER, ""), channel, device_token)
            location = f"/s/{sid}/ers{harness.REGISTRATIONS}/RG{len(found.registrar.requests):032d}"
            return respond(harness.registration_answer(result, location))

        @app.get("/s/<sid>/token")
        def token(sid: str) -> Response:
            found = self._get(sid)
            if found is None:
                return missing(sid)
            return Response(found.vend_token(request.args.get("identity", "")), mimetype="text/plain")

        return app
