"""``python -m voice_push_conformance.report``: the coverage view, as it was before the split."""

from __future__ import annotations

from voice_push_conformance.report import main

raise SystemExit(main())
