"""Where the suite's data lives: inside the installed package, or in the checkout.

A wheel carries features, steps, schemas, fixtures and the catalogue under
``voice_push_conformance/_suite`` (copied there at build time by ``setup.py``); a checkout or
an editable install reads them from the repository's top level, where they are edited.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _root() -> Path:
    bundled = files("voice_push_conformance").joinpath("_suite")
    if bundled.joinpath("requirements.toml").is_file():
        # Wheels are installed unpacked, so the traversable is a real directory pytest can collect.
        return Path(str(bundled))
    return Path(__file__).resolve().parent.parent


ROOT = _root()
SCHEMAS = ROOT / "schemas"
FIXTURES = ROOT / "fixtures"
FEATURES = ROOT / "features"
STEPS = ROOT / "steps"
REQUIREMENTS = ROOT / "requirements.toml"
CLAUSES = ROOT / "clauses.toml"
# The [tool.pytest] configuration the suite runs under (rootdir, markers, features base dir).
CONFIG = ROOT / "pyproject.toml"
