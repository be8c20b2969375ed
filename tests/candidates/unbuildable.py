"""A candidate whose factory works once (the run header's probe) and then fails.

Only the self-tests use it: the suite must call that 'could not run' (exit 3), not
an implementation failure.
"""

from __future__ import annotations

import itertools

from voice_push_conformance import reference
from voice_push_conformance.target import Candidate, HarnessContext

_CALLS = itertools.count()


def build(context: HarnessContext) -> Candidate:
    if next(_CALLS) > 0:
        raise ConnectionError("the implementation's test database is unreachable")
    return reference.build(context, description="unbuildable test candidate")
