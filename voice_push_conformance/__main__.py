"""``python -m voice_push_conformance``: the same command as the ``voice-push-conformance`` script."""

from __future__ import annotations

from voice_push_conformance.cli import main

raise SystemExit(main())
