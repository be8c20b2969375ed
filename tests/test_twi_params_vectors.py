"""Self-tests for the twi_params vectors: the file is well-formed and agrees with the reference codec."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from voice_push_conformance.codecs import twi_params

ROOT = Path(__file__).resolve().parent.parent
VECTORS_PATH = ROOT / "fixtures" / "twi_params" / "vectors.json"
SCHEMA_PATH = ROOT / "schemas" / "twi-params-vectors.json"

# Names made only of these characters are left untouched by the form encoder, so the
# documented decoder (which never decodes names) sees them exactly as written in TwiML.
SIMPLE_KEY = re.compile(r"[A-Za-z0-9_]+")


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


DOCUMENT: dict[str, Any] = _load(VECTORS_PATH)
SCHEMA: dict[str, Any] = _load(SCHEMA_PATH)
VECTORS: list[dict[str, Any]] = DOCUMENT["vectors"]


def _pairs(vector: dict[str, Any]) -> list[tuple[str, str]]:
    return [(name, value) for name, value in vector["parameters"]]


def _has_simple_keys(vector: dict[str, Any]) -> bool:
    return all(SIMPLE_KEY.fullmatch(name) for name, _ in vector["parameters"])


def _params(selected: list[dict[str, Any]]) -> list[Any]:
    return [pytest.param(vector, id=vector["id"]) for vector in selected]


ENCODED = [vector for vector in VECTORS if vector["encoded"] is not None]
MUST_SIMPLE = [vector for vector in VECTORS if vector["level"] == "must" and _has_simple_keys(vector)]
CANONICAL = [vector for vector in MUST_SIMPLE if "LENIENT_DECODE" not in vector.get("flags", [])]


def test_schema_is_valid_draft_2020_12() -> None:
    Draft202012Validator.check_schema(SCHEMA)


def test_vectors_file_validates_against_schema() -> None:
    validator = Draft202012Validator(SCHEMA)
    errors = sorted(validator.iter_errors(DOCUMENT), key=lambda error: list(error.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


@pytest.mark.parametrize(
    ("mutation", "expected_fragment"),
    [
        pytest.param({"unexpected_field": 1}, "unexpected_field", id="unknown-field"),
        pytest.param({"description": "The client should decode it."}, "description", id="should-in-description"),
        pytest.param({"level": "may"}, "level", id="unknown-level"),
        pytest.param({"level": "informative"}, "note", id="informative-without-note"),
        pytest.param({"encoded": None}, "parameters", id="null-encoded-with-parameters"),
        pytest.param({"encoded": "a=b c"}, "encoded", id="unencoded-space"),
    ],
)
def test_schema_rejects_malformed_vector(mutation: dict[str, Any], expected_fragment: str) -> None:
    """The schema is not vacuous: each mutation of a known-good vector is caught."""
    document = copy.deepcopy(DOCUMENT)
    vector = next(v for v in document["vectors"] if v["id"] == "plain-ascii")
    vector.pop("note", None)
    vector.update(mutation)
    messages = [
        f"{list(error.absolute_path)} {error.message}" for error in Draft202012Validator(SCHEMA).iter_errors(document)
    ]
    assert messages, f"mutation {mutation} was accepted"
    assert any(expected_fragment in message for message in messages), messages


def test_minimum_vector_count() -> None:
    assert len(VECTORS) >= 14


def test_ids_are_unique() -> None:
    ids = [vector["id"] for vector in VECTORS]
    duplicates = sorted({vector_id for vector_id in ids if ids.count(vector_id) > 1})
    assert not duplicates, f"duplicate vector ids: {duplicates}"


@pytest.mark.parametrize("vector", _params(VECTORS))
def test_description_has_no_should(vector: dict[str, Any]) -> None:
    assert "should" not in vector["description"].lower()


@pytest.mark.parametrize("vector", _params(ENCODED))
def test_decode_of_encoded_matches_decoded(vector: dict[str, Any]) -> None:
    if "decoder_throws" in vector:
        with pytest.raises(twi_params.DocumentedDecoderThrows):
            twi_params.decode(vector["encoded"])
        return
    assert twi_params.decode(vector["encoded"]) == vector["decoded"]


@pytest.mark.parametrize("vector", _params(MUST_SIMPLE))
def test_must_vectors_round_trip_through_codec(vector: dict[str, Any]) -> None:
    pairs = _pairs(vector)
    expected = twi_params.expected_map(pairs)
    assert expected == vector["decoded"]
    if not pairs:
        # With no <Parameter> a conforming service omits twi_params (encoded is null);
        # an empty string would decode to {"": None} under the documented decoder.
        assert vector["encoded"] is None
        return
    assert twi_params.decode(twi_params.encode(pairs)) == expected


@pytest.mark.parametrize("vector", _params(CANONICAL))
def test_canonical_vectors_match_form_encoder(vector: dict[str, Any]) -> None:
    """Vectors not marked LENIENT_DECODE spell the encoding exactly as a form encoder does."""
    if vector["encoded"] is None:
        assert vector["parameters"] == []
        return
    assert twi_params.encode(_pairs(vector)) == vector["encoded"]


def test_coverage_of_required_cases() -> None:
    """The cases the suite relies on are present (guards against accidental deletion)."""
    ids = {vector["id"] for vector in VECTORS}
    required = {
        "plain-ascii",
        "several-params-order",
        "space-as-plus",
        "space-as-percent-20",
        "literal-plus",
        "equals-in-value",
        "ampersand-in-value",
        "percent-in-value",
        "unicode-bmp",
        "unicode-astral",
        "empty-value",
        "repeated-key",
        "key-needing-encoding",
        "no-parameters",
        "timestamp-millis",
    }
    assert required <= ids, f"missing vectors: {sorted(required - ids)}"


def test_the_typed_vectors_mirror_the_file() -> None:
    from voice_push_conformance import vectors  # noqa: PLC0415

    typed = vectors.twi_params_vectors()
    assert list(typed) == [vector["id"] for vector in VECTORS]
    for vector in VECTORS:
        one = vectors.twi_params_vector(vector["id"])
        assert (one.pairs, one.encoded, one.decoded) == (_pairs(vector), vector["encoded"], vector["decoded"])
