"""Self-test collection: the candidates and helpers here are not test modules.

pyproject's ``steps/[!_]*.py`` pattern is matched against the whole path, so in a checkout
that itself lives under a folder named ``steps`` it would also match these files.
"""

from __future__ import annotations

collect_ignore = ["candidates", "helpers.py", "data"]
