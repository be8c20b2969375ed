"""The TwiML vectors: schema-valid, unique, all used, and classified by the codec as the feature expects."""

from __future__ import annotations

import json
import re

import pytest

from voice_push_conformance import schemas, vectors
from voice_push_conformance.codecs import twiml
from voice_push_conformance.judging import features
from voice_push_conformance.paths import FIXTURES

VECTORS = vectors.twiml_dial_vectors()


def test_the_file_matches_its_schema_and_ids_are_unique() -> None:
    document = json.loads((FIXTURES / "twiml_dial" / "vectors.json").read_text(encoding="utf-8"))
    assert not schemas.errors("twiml-dial-vectors", document)
    ids = [v["id"] for v in document["vectors"]]
    assert len(ids) == len(set(ids))


def test_every_vector_is_used_by_the_feature() -> None:
    unused = features.unused_ids("twiml_dial", VECTORS)
    assert not unused, f"vectors no scenario uses: {unused}"


@pytest.mark.parametrize("vector", VECTORS.values(), ids=list(VECTORS))
def test_the_codec_agrees_with_the_expected_outcome(vector: vectors.TwimlDialVector) -> None:
    document = re.sub(r"\{([a-z]+)\}", r"\1_x", vector.document)
    if vector.expected == "accept":
        dial = twiml.parse_dial(document)
        assert [c.identity.removesuffix("_x") for c in dial.clients] == list(vector.rings)
    else:
        with pytest.raises(twiml.TwimlError):
            twiml.parse_dial(document)


def test_the_typed_vectors_mirror_the_file() -> None:
    raw = vectors.load("twiml_dial", "twiml-dial-vectors")
    assert list(VECTORS) == list(raw)
    for vid, vector in VECTORS.items():
        assert (vector.id, vector.document, vector.expected, list(vector.rings)) == (
            vid,
            raw[vid]["document"],
            raw[vid]["expected"],
            raw[vid]["rings"],
        )
