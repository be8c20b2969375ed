"""Data vectors from ``fixtures/<area>/``, validated against their schema when loaded."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from voice_push_conformance import schemas
from voice_push_conformance.paths import FIXTURES


class VectorError(LookupError):
    """A vector file is malformed or a scenario names a vector that does not exist."""


@cache
def load(area: str, schema: str) -> dict[str, dict[str, Any]]:
    """All vectors of ``fixtures/<area>/vectors.json`` by id."""
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
    vectors = load(area, schema)
    if vector_id not in vectors:
        raise VectorError(f"no vector {vector_id!r} in fixtures/{area}/vectors.json")
    return vectors[vector_id]
