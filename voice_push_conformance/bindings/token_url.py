"""An issuer-only target: a real application server's token URL, tested unmodified.

``token-url:http://127.0.0.1:5000/accessToken?identity={identity}`` needs no test-control
endpoints: the suite GETs the URL with ``{identity}`` filled in (URL-encoded) and judges
the token that comes back. Bodies accepted are the shapes quickstart servers answer with:
the bare JWT as text, a JSON string, or a JSON object with a ``token`` member (any other
members, such as ``identity``, are ignored).
"""

from __future__ import annotations

import json
from urllib.parse import quote, urlsplit

import requests

from voice_push_conformance.bindings.connection import Connection, probe
from voice_push_conformance.bindings.sessions import PerThreadSession
from voice_push_conformance.target import Candidate, CandidateError, HarnessContext

PREFIX = "token-url:"
PLACEHOLDER = "{identity}"
_PROBE_IDENTITY = "vpc-probe"


class TokenUrlError(Exception):
    """The token URL cannot be used at all (malformed, unreachable, or not found)."""


def token_from_body(content_type: str, text: str) -> str:
    """The access token in a token endpoint's answer, or :class:`CandidateError` saying why not."""
    body = text.strip()
    if "json" in content_type.lower() or body.startswith(("{", '"')):
        try:
            parsed = json.loads(body)
        except ValueError as exc:
            raise CandidateError(
                f"the token endpoint answered {content_type or 'no content type'} that is not JSON: {exc}"
            ) from exc
        if isinstance(parsed, str):
            return parsed.strip()
        token = parsed.get("token") if isinstance(parsed, dict) else None
        if not isinstance(token, str):
            members = sorted(parsed) if isinstance(parsed, dict) else type(parsed).__name__
            raise CandidateError(
                f"the token endpoint's JSON has no string 'token' member (got {members}); "
                'accepted answers are the bare JWT, a JSON string, or {"token": ...}'
            )
        return token.strip()
    return body


class TokenUrlIssuer:
    """``TokenIssuer`` over HTTP: one GET of the template per token (an HTTP candidate's issuer too)."""

    def __init__(self, connection: Connection, template: str) -> None:
        self.connection = connection
        self.template = template

    def issue_token(self, identity: str) -> str:
        response = self.connection.request("GET", self.template.replace(PLACEHOLDER, quote(identity, safe="")))
        self.connection.expect(response, 200, "the token endpoint")
        return token_from_body(response.headers.get("Content-Type", ""), response.text)


class TokenUrlTarget:
    """Builds an issuer-only candidate per scenario; the server keeps no per-scenario state."""

    def __init__(self, spec: str, timeout_s: float) -> None:
        template = spec.removeprefix(PREFIX).strip()
        parts = urlsplit(template)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise TokenUrlError(f"expected {PREFIX}http://host:port/path?identity={PLACEHOLDER}, got {spec!r}")
        if PLACEHOLDER not in template:
            raise TokenUrlError(f"the URL has no {PLACEHOLDER} placeholder to carry the identity the token is for")
        self.template = template
        self.timeout_s = timeout_s
        self._sessions = PerThreadSession()
        self.preflight()

    def _http(self) -> requests.Session:
        return self._sessions.get()

    def preflight(self) -> None:
        """Only reachability and the path are checked here; what the answer holds is for the scenarios."""
        url = self.template.replace(PLACEHOLDER, _PROBE_IDENTITY)
        response = probe(self._http(), url, self.timeout_s, TokenUrlError, url)
        if response.status_code in {404, 405}:
            raise TokenUrlError(f"GET {url} answered {response.status_code}: is the path of the token URL right?")

    def build(self, context: HarnessContext) -> Candidate:
        connection = Connection("", self.timeout_s, self._http())
        return Candidate(
            description=f"token issuer at {self.template}",
            issuer=TokenUrlIssuer(connection, self.template),
        )
