"""cucumber.json: the verdicts in the shape Cucumber report tools read."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from voice_push_conformance.judging import features


def render_cucumber(document: Mapping[str, Any]) -> str:
    """Cucumber JSON (the shape Cucumber report tools read), with each scenario's step
    statuses derived from its verdict (see document.CUCUMBER_STATUS; README explains the mapping)."""
    known = {f.area: f for f in features.load_all()}
    by_feature: dict[str, list[dict[str, Any]]] = {}
    for scenario in document["scenarios"]:
        by_feature.setdefault(scenario["feature"], []).append(scenario)
    out = []
    for area, scenarios in sorted(by_feature.items()):
        feature = known.get(area)
        elements = []
        for scenario in scenarios:
            steps = [
                {
                    "keyword": step["keyword"],
                    "name": step["text"],
                    "line": step["line"],
                    "match": {"location": scenario["nodeid"]},
                    "result": {
                        "status": step["status"],
                        "duration": 0,
                        **(
                            {"error_message": f"{scenario['verdict']}: {scenario['message']}"}
                            if step["status"] in {"failed", "pending"}
                            else {}
                        ),
                    },
                }
                for step in scenario["steps"]
            ]
            element: dict[str, Any] = {
                "id": scenario["nodeid"],
                "keyword": "Scenario",
                "name": scenario["name"],
                "description": "",
                "line": scenario["line"],
                "type": "scenario",
                "tags": [{"name": f"@{t}", "line": 0} for t in [*scenario["requirements"], scenario["level"]]],
                "steps": steps,
            }
            if scenario["verdict"] == "unexpected pass":
                # Every step passed; the expectations check after the scenario is what failed.
                element["after"] = [
                    {
                        "match": {"location": "expectations file"},
                        "result": {"status": "failed", "duration": 0, "error_message": scenario["message"]},
                    }
                ]
            elements.append(element)
        out.append(
            {
                "uri": f"features/{area}.feature",
                "id": area,
                "keyword": "Feature",
                "name": feature.name if feature else area,
                "description": feature.description if feature else "",
                "line": 1,
                "tags": [{"name": f"@{t}", "line": 1} for t in (feature.tags if feature else ())],
                "elements": elements,
            }
        )
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"
