"""junit.xml: the verdicts in the shape CI servers read."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # writing only; the suite never parses XML with it
from collections import Counter
from collections.abc import Mapping
from typing import Any

# How each verdict shows in JUnit, which knows only failure, error and skipped.
JUNIT = {
    "fail": "failure",
    "unexpected pass": "failure",
    "error": "error",
    "warn": "skipped",
    "informative": "skipped",
    "expected failure": "skipped",
    "not applicable": "skipped",
}


# Characters XML 1.0 cannot hold at all (control characters, lone surrogates); a candidate's
# answer can contain them, so they are written as visible escapes instead.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    """Text made safe for XML 1.0, so a candidate's odd answer cannot break junit.xml."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def render_junit(document: Mapping[str, Any]) -> str:
    """JUnit XML valid against the Jenkins xUnit junit-10.xsd: run facts as suite properties,
    one testcase per scenario named by its requirement ids and scenario name."""
    scenarios = document["scenarios"]
    kinds = Counter(JUNIT.get(s["verdict"]) for s in scenarios)
    suite = ET.Element(
        "testsuite",
        {
            "name": "voice-push-conformance",
            "tests": str(len(scenarios)),
            "failures": str(kinds["failure"]),
            "errors": str(kinds["error"]),
            "skipped": str(kinds["skipped"]),
            "time": f"{sum(s['duration_s'] for s in scenarios):.3f}",
            "timestamp": document["started"],
        },
    )
    properties = ET.SubElement(suite, "properties")
    facts = {
        "suite_version": document["suite"]["version"],
        "target": document["target"]["spec"],
        "target_description": document["target"]["description"],
        "roles": ",".join(document["target"]["roles"]),
        "seed": str(document["seed"]),
        "certification": str(document["certification"]).lower(),
        "claim": document["claim"],
        "claim_detail": document["claim_detail"]["text"],
        "covers": ",".join(document["claim_detail"]["covers"]),
        "exit_status": str(document["exit_status"]),
        "expectations_sha256": (document["expectations"] or {}).get("sha256", ""),
    }
    for name, value in facts.items():
        ET.SubElement(properties, "property", {"name": name, "value": _xml(value)})
    for scenario in scenarios:
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": f"voice_push_conformance.{scenario['feature']}",
                "name": _xml(f"{','.join(scenario['requirements'])}: {scenario['name']}"),
                "time": f"{scenario['duration_s']:.3f}",
            },
        )
        kind = JUNIT.get(scenario["verdict"])
        if kind is not None:
            detail = ET.SubElement(
                case,
                kind,
                {"type": scenario["verdict"], "message": _xml(f"{scenario['verdict']}: {scenario['message']}")},
            )
            if kind != "skipped":
                detail.text = _xml(f"{scenario['message']}\nreproduce: {scenario['reproduce']}")
    root = ET.Element("testsuites", {"name": "voice-push-conformance"})
    root.append(suite)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
