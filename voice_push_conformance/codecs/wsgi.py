"""Harness-protocol answers as Flask responses, for the two servers that speak the protocol.

The reference HTTP server and the suite's loopback server both answer with the wire
format's :data:`~voice_push_conformance.codecs.harness.Answer`; this turns one into a response.
"""

from __future__ import annotations

from flask import Response, jsonify

from voice_push_conformance.codecs.harness import Answer


def respond(answer: Answer) -> Response:
    """The Flask response for one harness-protocol answer (a JSON body, or none)."""
    status, headers, body = answer
    response = jsonify(body) if body is not None else Response("")
    response.status_code = status
    response.headers.update(headers)
    return response
