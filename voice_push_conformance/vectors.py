"""Data vectors from ``fixtures/<area>/``, validated against their schema when loaded.

:func:`load` gives the validated JSON objects by id; the steps read typed, frozen
vectors instead (one class per kind, each built by ``from_dict`` in the manner of the
JSON-Schema-Test-Suite loaders), so a misspelt field is a type error, not a KeyError.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, cast

from voice_push_conformance import schemas
from voice_push_conformance.paths import FIXTURES


class VectorError(LookupError):
    """A vector file is malformed or a scenario names a vector that does not exist."""


@cache
def load(area: str, schema: str) -> dict[str, dict[str, Any]]:
    """All vectors of ``fixtures/<area>/vectors.json`` by id, as the file's JSON objects."""
    path = FIXTURES / area / "vectors.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    schemas.check(schema, document, f"{path.relative_to(FIXTURES.parent)}")
    by_id: dict[str, dict[str, Any]] = {}
    for vector in document["vectors"]:
        if vector["id"] in by_id:
            raise VectorError(f"{path}: vector id {vector['id']!r} appears twice")
        by_id[vector["id"]] = vector
    return by_id


def get(area: str, schema: str, vector_id: str) -> dict[str, Any]:
    """One vector by id, failing with the file it was looked for in."""
    vector: dict[str, Any] = _one(load(area, schema), area, vector_id)
    return vector


def _one(by_id: Mapping[str, Any], area: str, vector_id: str) -> Any:
    if vector_id not in by_id:
        raise VectorError(f"no vector {vector_id!r} in fixtures/{area}/vectors.json")
    return by_id[vector_id]


@dataclass(frozen=True)
class TwiParamsVector:
    """A vector of ``fixtures/twi_params/``: TwiML parameters, their twi_params string and the decoded map."""

    id: str
    description: str
    level: Literal["must", "should", "informative"]
    parameters: tuple[tuple[str, str], ...]  # the <Parameter> name/value pairs, in TwiML order
    encoded: str | None  # the twi_params string a push carries (None: the push carries none)
    decoded: dict[str, str | None]  # the documented 2.x decoder's map
    flags: tuple[str, ...] = ()
    note: str | None = None
    decoder_throws: str | None = None

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> TwiParamsVector:
        return cls(
            id=raw["id"],
            description=raw["description"],
            level=raw["level"],
            parameters=tuple((name, value) for name, value in raw["parameters"]),
            encoded=raw["encoded"],
            decoded=dict(raw["decoded"]),
            flags=tuple(raw.get("flags", ())),
            note=raw.get("note"),
            decoder_throws=raw.get("decoder_throws"),
        )

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return list(self.parameters)


@dataclass(frozen=True)
class TwimlDialVector:
    """A vector of ``fixtures/twiml_dial/``: a TwiML document (``{alias}`` for identities) and what it rings."""

    id: str
    description: str
    document: str
    expected: Literal["accept", "refuse"]
    rings: tuple[str, ...]  # the aliases a conforming service pushes to, for an accepted document
    flags: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> TwimlDialVector:
        return cls(
            id=raw["id"],
            description=raw["description"],
            document=raw["document"],
            expected=raw["expected"],
            rings=tuple(raw["rings"]),
            flags=tuple(raw.get("flags", ())),
        )


@cache
def twi_params_vectors() -> dict[str, TwiParamsVector]:
    """Every twi_params vector by id, schema-checked and typed."""
    return {vid: TwiParamsVector.from_dict(raw) for vid, raw in load("twi_params", "twi-params-vectors").items()}


def twi_params_vector(vector_id: str) -> TwiParamsVector:
    """One twi_params vector by id, failing with the file it was looked for in."""
    return cast("TwiParamsVector", _one(twi_params_vectors(), "twi_params", vector_id))


@cache
def twiml_dial_vectors() -> dict[str, TwimlDialVector]:
    """Every TwiML <Dial> vector by id, schema-checked and typed."""
    return {vid: TwimlDialVector.from_dict(raw) for vid, raw in load("twiml_dial", "twiml-dial-vectors").items()}


def twiml_dial_vector(vector_id: str) -> TwimlDialVector:
    """One TwiML <Dial> vector by id, failing with the file it was looked for in."""
    return cast("TwimlDialVector", _one(twiml_dial_vectors(), "twiml_dial", vector_id))
