"""The token vectors: schema-valid, explained, all used, and classified by the reference as declared."""

from __future__ import annotations

import json
from typing import Any

import pytest

from voice_push_conformance import schemas, token_vectors
from voice_push_conformance.clock import ManualClock
from voice_push_conformance.credentials import generate_credentials
from voice_push_conformance.data import DataFactory
from voice_push_conformance.judging import features
from voice_push_conformance.paths import FIXTURES
from voice_push_conformance.reference import ReferenceVoiceService
from voice_push_conformance.reference.service import TokenRejected
from voice_push_conformance.target import HarnessContext

DOCUMENT: dict[str, Any] = json.loads((FIXTURES / "registration" / "vectors.json").read_text(encoding="utf-8"))
VECTORS = token_vectors.by_id()


def test_the_file_matches_its_schema_and_every_flag_is_explained() -> None:
    assert not schemas.errors("token-vectors", DOCUMENT)
    unexplained = {flag for v in DOCUMENT["vectors"] for flag in v["flags"]} - set(DOCUMENT["notes"])
    assert not unexplained, f"flags without a note: {sorted(unexplained)}"


def test_every_vector_is_used_by_the_registration_feature() -> None:
    unused = features.unused_ids("registration", VECTORS)
    assert not unused, f"token vectors no scenario uses: {unused}"


@pytest.mark.parametrize("vector", VECTORS.values(), ids=list(VECTORS))
def test_the_reference_classifies_the_vector_as_declared(vector: token_vectors.TokenVector) -> None:
    credentials = generate_credentials(11)
    clock = ManualClock(1_767_225_600_000)
    service = ReferenceVoiceService(HarnessContext(clock=clock, credentials=credentials))
    data = DataFactory(13)
    token = token_vectors.build(
        vector,
        credentials=credentials,
        identity="bob_1",
        now_s=clock.now_s(),
        fresh_sid=data.sid,
        other_secret=data.secret(),
    )
    try:
        service.validate_token(token)
        outcome: object = "valid"
    except TokenRejected as exc:
        outcome = exc.code
    if vector.result == "valid":
        assert outcome == "valid"
    elif vector.result == "invalid":
        assert outcome == vector.expected_code
    else:
        assert outcome == "valid" or outcome in {20101, 20102, 20103, 20104, 20105, 20106, 20107, 20157}


def test_the_typed_vectors_mirror_the_file() -> None:
    raw = token_vectors.load()
    assert list(VECTORS) == list(raw)
    for vid, vector in VECTORS.items():
        assert vector.id == vid and vector.flags == tuple(raw[vid]["flags"])
        assert vector.expected_code == raw[vid].get("expected_code")
        assert vector.size_refusal_statuses == tuple(raw[vid].get("size_refusal_statuses", ()))
        assert dict(vector.mutation) == raw[vid]["mutation"]


def test_an_unknown_token_vector_names_the_file() -> None:
    with pytest.raises(LookupError, match=r"fixtures/registration/vectors\.json"):
        token_vectors.get("no-such-vector")
