"""What the reference service knows of FCM HTTP v1: push credentials, limits and the error body."""

from __future__ import annotations

from dataclasses import dataclass

import requests

FCM_TIMEOUT_S = 10.0
MAX_PUSH_DATA_BYTES = 4_096


@dataclass(frozen=True)
class PushCredential:
    """The FCM project and bearer token a push credential SID stands for."""

    project_id: str
    bearer_token: str


def error_code(response: requests.Response) -> str | None:
    """The ``errorCode`` of the FcmError detail of an FCM HTTP v1 error body, if there is one."""
    try:
        details = response.json()["error"]["details"]
    except (ValueError, KeyError, TypeError):
        return None
    for detail in details if isinstance(details, list) else []:
        if isinstance(detail, dict) and str(detail.get("@type", "")).endswith("FcmError"):
            code = detail.get("errorCode")
            return code if isinstance(code, str) else None
    return None
