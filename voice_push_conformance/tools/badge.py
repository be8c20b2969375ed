"""An SVG badge, minted only from a verified, complete, conformant results bundle.

    python -m voice_push_conformance.tools.badge BUNDLE -o badge.svg

The badge names the suite version and the profiles the run took part in (the roles when
no requirement has a profile yet). It is refused, with exit status 1, for a bundle that
fails verification, a partial run, or any claim but "conformant" (expected failures
included); 4 means bad input.
"""

from __future__ import annotations

import sys
from html import escape
from pathlib import Path
from typing import Any

from voice_push_conformance.paths import ROOT
from voice_push_conformance.report.reader import UNASSIGNED, OneLineParser
from voice_push_conformance.tools.bundle import BundleError, verify

EXIT_MINTED = 0
EXIT_REFUSED = 1
EXIT_USAGE = 4
CHAR_PX = 7  # a rough width for 11px Verdana-like text; the badge only needs to fit


class Refused(Exception):
    """The bundle does not earn a badge; the message says why."""


def scope(manifest: dict[str, Any]) -> str:
    """What the badge speaks for: the profiles, or the roles while requirements have no profile."""
    profiles = [p for p in manifest.get("profiles", []) if isinstance(p, str) and p != UNASSIGNED]
    if profiles:
        return "profiles " + ", ".join(profiles)
    target = manifest.get("target")
    roles = target.get("roles", []) if isinstance(target, dict) else []
    return "roles " + ", ".join(str(r) for r in roles)


def mint(bundle: Path, suite_root: Path = ROOT) -> str:
    """The badge's SVG text, or Refused. BundleError on bad input."""
    result = verify(bundle, suite_root)
    if not result.verified:
        raise Refused(f"the bundle does not verify: {result.problems[0]}")
    manifest = result.manifest
    if result.report is not None and result.report.partial:
        raise Refused("a partial run: report.json says so")
    if manifest["partial"]:
        reasons = manifest["partial_reasons"]
        more = f" and {len(reasons) - 3} more" if len(reasons) > 3 else ""
        raise Refused("a partial run: " + "; ".join(reasons[:3]) + more)
    if manifest["claim"] != "conformant":
        raise Refused(f"the claim is {manifest['claim']!r}, not 'conformant'")
    left = f"voice-push-conformance {manifest['suite']['version']}"
    right = f"conformant: {scope(manifest)}"
    return render(left, right)


def render(left: str, right: str) -> str:
    """A self-contained SVG badge, so publishing one needs no third-party badge service."""
    lw, rw = 10 + CHAR_PX * len(left), 10 + CHAR_PX * len(right)
    width = lw + rw
    label = escape(f"{left}: {right}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" aria-label="{label}">'
        f"<title>{label}</title>"
        f'<rect width="{lw}" height="20" fill="#555"/><rect x="{lw}" width="{rw}" height="20" fill="#1a7f37"/>'
        '<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="5" y="14">{escape(left)}</text><text x="{lw + 5}" y="14">{escape(right)}</text>'
        "</g></svg>\n"
    )


def main(argv: list[str] | None = None) -> int:
    """Command line: mint a badge from a verified, complete bundle, or say in one line why not."""
    parser = OneLineParser(
        prog="python -m voice_push_conformance.tools.badge", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("bundle", type=Path)
    parser.add_argument("-o", "--output", type=Path, default=Path("badge.svg"))
    parser.add_argument("--suite-root", type=Path, default=ROOT, help="the suite checkout to verify against")
    args = parser.parse_args(argv)
    if args.output.resolve().is_relative_to(args.bundle.resolve()):
        print("badge: write the badge outside the bundle (a file added to it would fail verification)", file=sys.stderr)
        return EXIT_USAGE
    try:
        svg = mint(args.bundle, args.suite_root)
    except Refused as exc:
        print(f"badge: refused: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except BundleError as exc:
        print(f"badge: {exc}", file=sys.stderr)
        return EXIT_USAGE
    args.output.write_text(svg, encoding="utf-8")
    print(f"wrote {args.output}")
    return EXIT_MINTED


if __name__ == "__main__":
    raise SystemExit(main())
