"""Where the suite's data lives (the checkout this package is installed from, editable)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
FIXTURES = ROOT / "fixtures"
FEATURES = ROOT / "features"
REQUIREMENTS = ROOT / "requirements.toml"
CLAUSES = ROOT / "clauses.toml"
