"""Property tests for the reference codecs: twi_params round-trips and access-token tamper detection."""

from __future__ import annotations

import base64
import json
import re
import string

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from voice_push_conformance.codecs import tokens, twi_params

# Deterministic and bounded: the same examples on every run, nothing written to a
# Hypothesis database, and no per-example deadline (token signing timing varies on CI).
DETERMINISTIC = settings(max_examples=200, deadline=None, derandomize=True, database=None)
SMALL = settings(max_examples=50, deadline=None, derandomize=True, database=None)

HEX = "0123456789abcdef"
BASE64URL = string.ascii_letters + string.digits + "-_"
FORM_SAFE = re.compile(r"[A-Za-z0-9._~%+=&-]*")
PERCENT_ESCAPE = re.compile(r"%[0-9A-F]{2}")

# Names the SDK receives unchanged: the form encoder leaves them alone and the documented
# decoder never decodes names.
simple_names = st.text(alphabet=string.ascii_letters + string.digits + "_", min_size=1, max_size=20)
# Any unicode except lone surrogates ("Cs"), which cannot be encoded as UTF-8.
# exclude_categories is the current name of the deprecated blacklist_categories alias.
any_values = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40)
# At least one pair: with no <Parameter> a service omits twi_params altogether, and the
# documented decoder maps an empty string to {"": None} rather than {}.
param_lists = st.lists(st.tuples(simple_names, any_values), min_size=1, max_size=8)


def _hex(length: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=HEX, min_size=length, max_size=length)


def _b64url_bytes(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


# ---------------------------------------------------------------------------- twi_params


@DETERMINISTIC
@given(param_lists)
def test_twi_params_round_trip(pairs: list[tuple[str, str]]) -> None:
    assert twi_params.decode(twi_params.encode(pairs)) == twi_params.expected_map(pairs)


@DETERMINISTIC
@given(param_lists)
def test_twi_params_encoding_is_url_safe_ascii(pairs: list[tuple[str, str]]) -> None:
    encoded = twi_params.encode(pairs)
    assert FORM_SAFE.fullmatch(encoded), encoded
    assert encoded.count("&") == len(pairs) - 1


@DETERMINISTIC
@given(param_lists)
def test_twi_params_decoder_accepts_percent_20_and_lowercase_escapes(pairs: list[tuple[str, str]]) -> None:
    """A service that writes %20 for spaces or lowercase hex escapes is understood the same way."""
    encoded = twi_params.encode(pairs)
    # In form encoding a "+" always stands for a space (a literal plus is %2B).
    variant = PERCENT_ESCAPE.sub(lambda m: m.group(0).lower(), encoded).replace("+", "%20")
    assert twi_params.decode(variant) == twi_params.expected_map(pairs)


@DETERMINISTIC
@given(st.text())
def test_twi_params_decode_raises_only_where_the_documented_decoder_throws(raw: str) -> None:
    try:
        decoded = twi_params.decode(raw)
    except twi_params.DocumentedDecoderThrows:
        assert "%" in raw, f"{raw!r} has no percent sign, yet the decoder claims URLDecoder would throw"
        return
    assert isinstance(decoded, dict)
    assert all(isinstance(key, str) for key in decoded)
    assert all(value is None or isinstance(value, str) for value in decoded.values())


def test_twi_params_empty_string_follows_documented_decoder() -> None:
    """Pins why the round-trip property needs at least one pair (see param_lists)."""
    assert twi_params.encode([]) == ""
    assert twi_params.decode("") == {"": None}
    assert twi_params.expected_map([]) == {}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("&", {}, id="lone-ampersand"),
        pytest.param("&&", {}, id="two-ampersands"),
        pytest.param("=v", {"=v": None}, id="equals-first"),
        pytest.param("a=b&&c=d", {"a": "b", "": None, "c": "d"}, id="empty-pair"),
        pytest.param("a=b&", {"a": "b"}, id="trailing-ampersand"),
        pytest.param("a=%C3", {"a": "\ufffd"}, id="bad-utf8-replaced"),
    ],
)
def test_twi_params_decode_splits_like_java(raw: str, expected: dict[str, str | None]) -> None:
    """Java's String.split drops every trailing empty piece (review of the FAQ's snippet, run in a JDK)."""
    assert twi_params.decode(raw) == expected


@pytest.mark.parametrize("raw", ["a=%ZZ", "a=1&b=%", "a=%2", "a=%-1", "a=%+1"])
def test_twi_params_decode_reports_where_the_documented_decoder_throws(raw: str) -> None:
    with pytest.raises(twi_params.DocumentedDecoderThrows, match="the documented decoder throws here"):
        twi_params.decode(raw)


# ---------------------------------------------------------------------------- tokens


@st.composite
def minted_tokens(draw: st.DrawFn) -> tuple[str, str]:
    """A token signed the way the reference issuer signs, and its secret."""
    secret = draw(_hex(32))
    token = tokens.mint(
        api_key_sid="SK" + draw(_hex(32)),
        account_sid="AC" + draw(_hex(32)),
        secret=secret,
        now_s=draw(st.integers(min_value=1_500_000_000, max_value=2_500_000_000)),
        identity="alice",
    )
    return token, secret


@SMALL
@given(minted_tokens())
def test_minted_token_verifies_with_its_secret(minted: tuple[str, str]) -> None:
    token, secret = minted
    assert tokens.signature_verifies(token, secret)
    decoded = tokens.decode_untrusted(token)
    assert decoded.header["alg"] == "HS256"
    assert decoded.payload["grants"]["identity"] == "alice"


@DETERMINISTIC
@given(minted_tokens(), st.data())
def test_any_single_character_change_is_detected(minted: tuple[str, str], data: st.DataObject) -> None:
    token, secret = minted
    index = data.draw(st.integers(min_value=0, max_value=len(token) - 1), label="index")
    replacement = data.draw(st.sampled_from(BASE64URL + "."), label="replacement")
    changed = token[:index] + replacement + token[index + 1 :]
    assume(changed != token)

    try:
        tampered = tokens.decode_untrusted(changed)
    except tokens.TokenFormatError:
        return
    if not tokens.signature_verifies(changed, secret):
        return

    # The only acceptable way for a changed string to verify: the change hit the unused
    # low bits of a final base64url character, so every part decodes to the same bytes
    # (HMAC covers the header and payload segments as text, so only the signature
    # segment can absorb such a change).  That is not a change at all; discard it.
    original = tokens.decode_untrusted(token)
    assert tampered.header == original.header, f"verified with a different header at {index}"
    assert tampered.payload == original.payload, f"verified with a different payload at {index}"
    assert _b64url_bytes(changed.rsplit(".", 1)[1]) == _b64url_bytes(token.rsplit(".", 1)[1]), (
        f"verified with different signature bytes at {index}"
    )
    assume(False)


def test_trailing_bit_change_in_signature_is_a_non_change() -> None:
    """The carve-out above is real: a final-character change can leave the signature bytes intact.

    PyJWT releases that check canonical base64url reject such a token (TokenFormatError);
    older ones accept it, and it then verifies because nothing was changed.
    """
    secret = "0123456789abcdef" * 2
    token = tokens.mint(
        api_key_sid="SK" + "a" * 32,
        account_sid="AC" + "b" * 32,
        secret=secret,
        now_s=1_700_000_000,
        identity="alice",
    )
    signature = token.rsplit(".", 1)[1]
    assert len(signature) % 4 == 3  # 32 bytes -> 43 characters, the last one carries 2 unused bits
    last = BASE64URL.index(signature[-1])
    changed = token[:-1] + BASE64URL[last ^ 0b01]
    assert changed != token
    assert _b64url_bytes(changed.rsplit(".", 1)[1]) == _b64url_bytes(signature)
    try:
        tokens.decode_untrusted(changed)
    except tokens.TokenFormatError:
        return
    assert tokens.signature_verifies(changed, secret)


@SMALL
@given(minted_tokens(), _hex(32))
def test_signature_fails_with_another_secret(minted: tuple[str, str], other_secret: str) -> None:
    token, secret = minted
    assume(other_secret != secret)
    assert not tokens.signature_verifies(token, other_secret)


def _segment(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children),
    max_leaves=8,
)
# Text shaped like a JWT (three dot-separated parts) so the decoder gets past the dot count:
# random base64url, base64url of arbitrary bytes, and base64url of arbitrary JSON.
jwt_segments = st.one_of(
    st.text(alphabet=BASE64URL + "=", max_size=24),
    st.binary(max_size=24).map(_segment),
    json_values.map(lambda value: _segment(json.dumps(value).encode("utf-8"))),
)
jwt_shaped_text = st.tuples(jwt_segments, jwt_segments, jwt_segments).map(".".join)


@DETERMINISTIC
@given(st.one_of(st.text(), jwt_shaped_text))
def test_decode_untrusted_fails_only_with_token_format_error(text: str) -> None:
    message: str | None = None
    try:
        decoded = tokens.decode_untrusted(text)
    except tokens.TokenFormatError as exc:
        message = str(exc)
    if message is not None:
        assert message.strip(), "TokenFormatError without a message"
        return
    # Some JWT-shaped text really is a decodable JWT (trust is not the point here).
    assert isinstance(decoded.header, dict)
    assert isinstance(decoded.payload, dict)


@pytest.mark.parametrize(
    "header",
    [
        pytest.param({"alg": "HS256", "kid": 1}, id="non-string-kid"),
        pytest.param({"alg": "HS256", "crit": ["exp"]}, id="unsupported-crit"),
    ],
)
def test_decode_untrusted_wraps_header_validation_errors(header: dict[str, object]) -> None:
    text = ".".join([_segment(json.dumps(header).encode("utf-8")), _segment(b"{}"), "c2ln"])
    with pytest.raises(tokens.TokenFormatError):
        tokens.decode_untrusted(text)
