"""ACME's push sender: FCM HTTP v1 over the standard library's urllib, not requests.

The suite intercepts only the requests library in-process, so the adapter declares the
``loopback_fcm`` capability and the suite hands it a real loopback FCM endpoint.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from voice_push_conformance.reference import ReferenceVoiceService
from voice_push_conformance.reference.service import Binding
from voice_push_conformance.target import Delivery

FCM_TIMEOUT_S = 5.0


def send(url: str, bearer_token: str, message: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """POST one FCM HTTP v1 message; the status and the JSON answer (empty if none)."""
    request = urllib.request.Request(  # noqa: S310 - the URL is the configured FCM endpoint
        url,
        data=json.dumps(message).encode(),
        headers={"Authorization": f"Bearer {bearer_token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=FCM_TIMEOUT_S) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error:
        try:
            return error.code, json.loads(error.read() or b"{}")
        except ValueError:
            return error.code, {}


def error_code(body: dict[str, Any]) -> str | None:
    details = body.get("error", {}).get("details", []) if isinstance(body.get("error"), dict) else []
    for detail in details if isinstance(details, list) else []:
        if isinstance(detail, dict) and str(detail.get("@type", "")).endswith("FcmError"):
            code = detail.get("errorCode")
            return code if isinstance(code, str) else None
    return None


class AcmeVoiceService(ReferenceVoiceService):
    """The reference's rules, with ACME's own urllib push sender."""

    def send_push(self, binding: Binding, data: dict[str, str]) -> Delivery:
        credential = self.push_credentials[binding.push_credential_sid]
        message = {"message": {"token": binding.device_token, "data": data, "android": self.android_config()}}
        try:
            status, body = send(self.context.fcm.send_url(credential.project_id), credential.bearer_token, message)
        except (urllib.error.URLError, TimeoutError) as exc:
            return Delivery(binding.device_token, False, f"FCM unreachable: {type(exc).__name__}")
        if status == 200:
            self.mark_pushed(binding)
            return Delivery(binding.device_token, True)
        code = error_code(body)
        if self.forget_on_failure(status, code):
            self.forget(binding)
        return Delivery(binding.device_token, False, f"FCM answered {status} {code or ''}".strip())
