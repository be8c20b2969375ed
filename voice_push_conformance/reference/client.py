"""Reference SDK-side client: push handling, custom parameters, registration cadence."""

from __future__ import annotations

from collections.abc import Mapping

from voice_push_conformance.clock import MS_PER_DAY
from voice_push_conformance.codecs import twi_params
from voice_push_conformance.target import FCM, ClientEnvironment, Decision, PushHandling

CALL = "twilio.voice.call"
CANCEL = "twilio.voice.cancel"


class ReferenceClient:
    """One app install: what the FAQ's recommended logic does, rule by rule.

    Extension points: ``should_register``, ``remember_registration``,
    ``registration_channel``, ``registration_access_token``, ``custom_parameters``,
    ``is_late``, ``unstamped``, ``malformed_stamp``, ``lateness``, the constants
    ``REREGISTER_AFTER_MS`` and ``LATE_AFTER_MS``; the role methods ``on_app_start``,
    ``on_new_token`` (both run ``on_device_token``) and ``handle_push``.
    """

    # The FAQ recommends registering again when the last registration is over six months
    # old, well inside the one-year expiry.
    REREGISTER_AFTER_MS = 182 * MS_PER_DAY
    LATE_AFTER_MS = 60_000

    def __init__(self, env: ClientEnvironment) -> None:
        self.env = env
        self.stored_token: str | None = None
        self.last_registered_ms: int | None = None

    # --- rules ---------------------------------------------------------------------------

    def should_register(self, device_token: str) -> bool:
        """CADENCE-NEW-TOKEN, CADENCE-SAME-TOKEN, CADENCE-SIX-MONTHS: a new token, or a registration six months old."""
        if device_token != self.stored_token or self.last_registered_ms is None:
            return True
        return self.env.clock.now_ms() - self.last_registered_ms >= self.REREGISTER_AFTER_MS

    def remember_registration(self, device_token: str) -> None:
        """CADENCE-RETRY, CADENCE-SAME-TOKEN: after a successful registration, remember the token and when."""
        self.stored_token = device_token
        self.last_registered_ms = self.env.clock.now_ms()

    def registration_channel(self) -> str:
        """CADENCE-NEW-TOKEN: devices register over FCM, never the retired GCM."""
        return FCM

    def registration_access_token(self) -> str:
        """CADENCE-YEARLY: a fresh access token for every registration, so a renewal is never refused."""
        return self.env.fetch_access_token()

    def custom_parameters(self, raw: str | None) -> dict[str, str | None]:
        """PARAMS-DECODE, PARAMS-ABSENT-MAP: the FAQ's decoder over twi_params; nothing when it is absent."""
        if raw is None:
            return {}
        try:
            return twi_params.decode(raw)
        except twi_params.DocumentedDecoderThrows:
            # The documented decoder loses the whole map here; the call itself still rings.
            return {}

    def is_late(self, timestamp_ms: int) -> bool:
        """LATE-DISCARD, LATE-DISCARD-BOUNDARY: more than 60 000 ms past the stamp, by the device clock."""
        return self.env.clock.now_ms() > timestamp_ms + self.LATE_AFTER_MS

    def unstamped(self) -> tuple[Decision, str]:
        """LATE-NO-STAMP: a call push without a timestamp parameter is shown."""
        return "display", "no timestamp parameter"

    def malformed_stamp(self, stamp: str) -> tuple[Decision, str]:
        """LATE-MALFORMED: a timestamp that is not an integer is shown rather than lost (and never crashes)."""
        return "display", f"timestamp {stamp!r} is not an integer; shown rather than lost"

    def lateness(self, params: Mapping[str, str | None]) -> tuple[Decision, str]:
        """LATE-DISCARD: display or discard a call push by its timestamp parameter."""
        stamp = params.get("timestamp")
        if stamp is None:
            return self.unstamped()
        try:
            value = int(stamp.strip())
        except ValueError:
            return self.malformed_stamp(stamp)
        if self.is_late(value):
            return "discard", f"device time is more than {self.LATE_AFTER_MS} ms past timestamp {value}"
        return "display", "on time"

    # --- the role ------------------------------------------------------------------------

    def on_app_start(self, device_token: str) -> None:
        """App start: the same comparison as ``onNewToken``, plus the age rule in ``should_register``."""
        self.on_device_token(device_token)

    def on_new_token(self, device_token: str) -> None:
        """FCM's ``onNewToken``: register only a token that differs from the stored one (or is old)."""
        self.on_device_token(device_token)

    def on_device_token(self, device_token: str) -> None:
        """Both events share one rule here, so a mutant overriding this breaks both."""
        if not self.should_register(device_token):
            return
        result = self.env.registrar.register(
            self.registration_access_token(), self.registration_channel(), device_token
        )
        if result.ok:
            self.remember_registration(device_token)

    def handle_push(self, data: Mapping[str, str]) -> PushHandling:
        """A push as the SDK sees it: a call (with its parameters and lateness), a cancel, or not ours."""
        kind = data.get("twi_message_type")
        if kind == CANCEL:
            return PushHandling(kind="cancel", decision="ignore", call_sid=data.get("twi_call_sid"))
        if kind != CALL:
            return PushHandling(kind="not_voice", decision="ignore", reason="not a Twilio Voice push")
        raw = data.get("twi_params")
        params = self.custom_parameters(raw)
        decision, reason = self.lateness(params)
        return PushHandling(
            kind="call",
            decision=decision,
            call_sid=data.get("twi_call_sid"),
            raw_params=raw,
            custom_parameters=params,
            reason=reason,
        )
