"""The strict twi_params decoder the service is judged by, and the variety of generated data."""

from __future__ import annotations

import re

import pytest

from voice_push_conformance.codecs import twi_params
from voice_push_conformance.data import DataFactory


@pytest.mark.parametrize(
    "raw", ["discount=50%+off", "a=%zz", "a=%C3", "a=100%", "bad%key=1"], ids=lambda r: r.replace("%", "pct")
)
def test_the_strict_decoder_refuses_malformed_escapes(raw: str) -> None:
    with pytest.raises(twi_params.MalformedTwiParams):
        twi_params.decode_strict(raw)


@pytest.mark.parametrize("raw", ["discount=50%25+off", "city=Z%c3%bcrich", "name=Alice%20Smith", "flag", "note="])
def test_the_strict_decoder_agrees_with_the_documented_one_on_valid_input(raw: str) -> None:
    assert twi_params.decode_strict(raw) == twi_params.decode(raw)


def test_identities_vary_in_case_and_stay_legal() -> None:
    data = DataFactory(20261125)
    identities = [data.identity("bob") for _ in range(40)]
    assert all(re.fullmatch(r"[A-Za-z0-9_]+", i) for i in identities)
    assert any(i != i.lower() for i in identities) and any(i[:3] == "bob" for i in identities)


def test_parameter_values_carry_spaces_as_typed_and_replay_under_the_seed() -> None:
    values = [DataFactory(7).parameter_value() for _ in range(1)] + [DataFactory(7).parameter_value()]
    assert values[0] == values[1]
    many = DataFactory(8)
    sample = [many.parameter_value() for _ in range(40)]
    assert any(v != v.strip() for v in sample) and any("  " in v.strip() for v in sample)
