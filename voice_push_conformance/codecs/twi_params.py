"""The ``twi_params`` field: TwiML ``<Parameter>`` pairs carried as a URL-encoded query string.

Decoding follows the 2.x snippet in the Voice Android FAQ ("How can I discard a late
notification?") exactly, including where that snippet is surprising, because the suite
reports a client's map against it:

* the string is split on ``&`` as Java's ``String.split`` does (trailing empty pieces are
  dropped, so ``"&"`` gives no pairs at all, while ``""`` gives one empty pair);
* each pair splits on its first ``=`` at index 1 or later; the key is kept as sent;
* a value is ``None`` when nothing follows the ``=`` (or there is no ``=``, or it comes first);
* ``+`` becomes ``%20`` and ``URLDecoder`` decodes ``%XX`` as UTF-8 (bad UTF-8 becomes U+FFFD);
* a malformed escape (``%ZZ``, a trailing ``%`` or ``%2``) makes ``URLDecoder`` throw an
  ``IllegalArgumentException`` the snippet does not catch: :func:`decode` raises
  :class:`DocumentedDecoderThrows` instead of guessing a value;
* a later pair with the same key wins (a ``HashMap``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote_plus, unquote, unquote_plus, urlencode

Decoded = dict[str, str | None]
_VALID_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")

# URLDecoder reads the two characters after every '%' as a hex byte and throws otherwise.
_MALFORMED_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


class DocumentedDecoderThrows(ValueError):
    """The FAQ's 2.x decoder throws on this input, so it yields no map at all."""


def encode(pairs: Iterable[tuple[str, str]]) -> str:
    """Form-encode the pairs in order (spaces as ``+``, everything else ``%XX`` in UTF-8)."""
    return urlencode(list(pairs), quote_via=quote_plus, encoding="utf-8")


def java_split(raw: str) -> list[str]:
    """``raw.split("&")`` in Java: no match keeps the input; otherwise trailing empties go."""
    if "&" not in raw:
        return [raw]
    pieces = raw.split("&")
    while pieces and pieces[-1] == "":
        pieces.pop()
    return pieces


def _decode_value(key: str, text: str) -> str:
    escaped = text.replace("+", "%20")
    bad = _MALFORMED_ESCAPE.search(escaped)
    if bad:
        escape = escaped[bad.start() : bad.start() + 3]
        raise DocumentedDecoderThrows(
            f"the documented decoder throws here: URLDecoder rejects the escape {escape!r} in the value "
            f"of {key!r} with an IllegalArgumentException the FAQ's snippet does not catch, so no map survives"
        )
    return unquote(escaped, encoding="utf-8", errors="replace")


def decode(raw: str) -> Decoded:
    """Decode ``twi_params`` the way the documented 2.x client code does.

    Raises :class:`DocumentedDecoderThrows` where that code throws (malformed escapes).
    """
    params: Decoded = {}
    for pair in java_split(raw):
        idx = pair.find("=")
        key = pair[:idx] if idx > 0 else pair
        value_text = pair[idx + 1 :] if idx > 0 else ""
        params[key] = _decode_value(key, value_text) if value_text else None
    return params


def expected_map(pairs: Iterable[tuple[str, str]]) -> Decoded:
    """What a receiver holds for the given TwiML pairs: last value per name, empty as None."""
    result: Decoded = {}
    for name, value in pairs:
        result[name] = value if value != "" else None
    return result


def decode_pushed(raw: str) -> Decoded:
    """:func:`decode` for a string a candidate produced: where the documented decoder throws, the check fails."""
    try:
        return decode(raw)
    except DocumentedDecoderThrows as exc:
        raise AssertionError(f"twi_params {raw!r} cannot be read by the documented decoder: {exc}") from None


class MalformedTwiParams(ValueError):
    """A ``twi_params`` string that a strict form decoder refuses; the message says where."""


def decode_strict(raw: str) -> Decoded:
    """Decode ``twi_params`` as the documented decoder does, but refuse malformed escapes.

    The 2.x snippet's ``URLDecoder.decode`` throws on a ``%`` that is not followed by two
    hex digits, so a service must escape every ``%`` itself: ``discount=50%+off`` is
    refused here, ``discount=50%25+off`` is not. Escapes that are not UTF-8 are refused too
    (``URLDecoder`` would turn them into U+FFFD): a service encoding TwiML's Unicode text
    never produces them. Used to judge what a voice service sends; clients are judged by
    :func:`decode`.
    """
    for pair in raw.split("&"):
        key, _, value = pair.partition("=")
        for text in (key, value):
            try:
                unquote_plus(text, encoding="utf-8", errors="strict")
            except UnicodeDecodeError as exc:
                raise MalformedTwiParams(f"{text!r} holds %-escapes that are not UTF-8") from exc
            stripped = _VALID_ESCAPE.sub("", text)
            if "%" in stripped:
                raise MalformedTwiParams(f"{text!r} holds a '%' that does not start a %XX escape")
    return decode(raw)
