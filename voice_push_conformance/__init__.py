"""Conformance suite for the push-notification side of VoIP calling SDKs."""

from __future__ import annotations

__version__ = "0.1.0"
