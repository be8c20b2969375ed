"""Secret values that cannot leak by accident into reports, logs or assertion output."""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
from collections.abc import Iterable
from typing import Final

REDACTED: Final = "[redacted]"
SIGNATURE_REDACTED: Final = "[signature redacted]"

# Three base64url segments with a non-empty third: a JWS in compact form (header.payload.signature).
_THREE_SEGMENTS = re.compile(r"(?<![A-Za-z0-9_-])([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]*\.)([A-Za-z0-9_-]+)")
# What is left of a token whose repr pytest shortened ("<start>...<end>"): payload tail, a dot, the signature.
_TRUNCATED_TOKEN_TAIL = re.compile(r"(\.\.\.[A-Za-z0-9_-]{8,}\.)[A-Za-z0-9_-]{16,}")


class Secret:
    """Wraps a secret so that ``str``/``repr``/f-strings show ``[redacted]``.

    The value is reachable only through :meth:`reveal`, which makes every place that
    handles the real secret easy to find.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str) or not value:
            raise ValueError("a secret must be a non-empty string")
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({REDACTED!r})"

    def __str__(self) -> str:
        return REDACTED

    def __format__(self, spec: str) -> str:
        return REDACTED

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def redact(text: str, secrets: Iterable[Secret]) -> str:
    """Remove every revealed secret value from ``text``, also as JSON, XML or HTML would escape it."""
    for secret in secrets:
        value = secret.reveal()
        for form in sorted({value, json.dumps(value)[1:-1], html.escape(value)}, key=len, reverse=True):
            text = text.replace(form, REDACTED)
    return text


def _is_jose_header(segment: str) -> bool:
    """True when ``segment`` is base64url of a JSON object, as every JWT header is."""
    try:
        decoded = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (binascii.Error, ValueError):
        return False
    return isinstance(decoded, dict)


def cut_signatures(text: str) -> str:
    """Drop the signature of every JWT in ``text``: header and payload stay as evidence.

    An access token is a bearer credential; without its signature it is only a description.
    """

    def cut(match: re.Match[str]) -> str:
        first = match.group(1)
        # The header may be glued to what precedes it, as in a repr's "\\neyJ...": try each "e" (base64 of "{").
        starts = [0, *(i for i, char in enumerate(first) if char == "e" and i > 0)]
        if not any(_is_jose_header(first[i:]) for i in starts):
            return match.group(0)
        return f"{first}.{match.group(2)}{SIGNATURE_REDACTED}"

    text = _THREE_SEGMENTS.sub(cut, text)
    return _TRUNCATED_TOKEN_TAIL.sub(lambda m: m.group(1) + SIGNATURE_REDACTED, text)


def scrub(text: str, secrets: Iterable[Secret]) -> str:
    """The suite's one redaction: configured secrets out, JWT signatures cut. Applied to all it shows."""
    return cut_signatures(redact(text, secrets))
