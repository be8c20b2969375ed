"""A token server as Twilio's quickstarts write one: Flask plus the ``twilio`` package's AccessToken.

It has no test-control endpoints at all; the suite tests it unmodified through the
``token-url:`` target. Configuration comes from the environment, as in the quickstarts:
``TWILIO_ACCOUNT_SID``, ``API_KEY``, ``API_KEY_SECRET``, ``PUSH_CREDENTIAL_SID``, ``APP_SID``.

    python server.py --port 5000 [--answer jwt|token|identity-token]

``--answer`` picks the body shape: the bare JWT (the Python quickstart), ``{"token": ...}``
or ``{"identity": ..., "token": ...}`` (the Node quickstarts).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys

from flask import Flask, Response, jsonify, request
from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant
from werkzeug.serving import make_server

ANSWERS = ("jwt", "token", "identity-token")


def create_app(env: dict[str, str], answer: str = "jwt") -> Flask:
    app = Flask(__name__)

    @app.get("/accessToken")
    def access_token() -> Response | str:
        identity = request.args.get("identity", "alice")
        token = AccessToken(env["TWILIO_ACCOUNT_SID"], env["API_KEY"], env["API_KEY_SECRET"], identity=identity)
        token.add_grant(
            VoiceGrant(
                push_credential_sid=env["PUSH_CREDENTIAL_SID"],
                outgoing_application_sid=env["APP_SID"],
                incoming_allow=True,
            )
        )
        jwt = token.to_jwt()
        if answer == "token":
            return jsonify(token=jwt)
        if answer == "identity-token":
            return jsonify(identity=identity, token=jwt)
        return jwt

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--port", type=int, default=5000, help="0 picks a free port (printed on start)")
    parser.add_argument("--answer", choices=ANSWERS, default="jwt")
    args = parser.parse_args(argv)
    names = ("TWILIO_ACCOUNT_SID", "API_KEY", "API_KEY_SECRET", "PUSH_CREDENTIAL_SID", "APP_SID")
    missing = [name for name in names if not os.environ.get(name)]
    if missing:
        print(f"server.py: set {', '.join(missing)}", file=sys.stderr)
        return 2
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", args.port, create_app({n: os.environ[n] for n in names}, args.answer))
    print(f"listening on http://127.0.0.1:{server.server_port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
