"""ACME Voice: a pretend vendor product, to show how a vendor runs the suite from its own project."""

from __future__ import annotations
