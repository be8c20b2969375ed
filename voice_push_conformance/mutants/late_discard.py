"""Mutants that break the late-notification stamp or the 60 000 ms discard rule."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from voice_push_conformance.codecs import twiml
from voice_push_conformance.mutants import CATALOGUE, Mutant, mutant
from voice_push_conformance.reference import ReferenceClient, ReferenceIssuer, ReferenceVoiceService


@mutant("stamp-seconds", "LATE-STAMP-MS", "stamps calls in epoch seconds, like the FAQ's example value")
class _SecondsStampIssuer(ReferenceIssuer):
    def call_timestamp(self) -> str:
        return str(self.context.clock.now_ms() // 1_000)


@mutant("stamp-missing", "LATE-STAMP-MS", "forgets to add the timestamp parameter")
class _NoStampIssuer(ReferenceIssuer):
    def answer_call(self, caller: str, callee_identity: str, parameters: Mapping[str, str]) -> str:
        return twiml.build_dial(callee_identity, list(parameters.items()), caller_id=caller)


@mutant("discard-at-boundary", "LATE-DISCARD-BOUNDARY", "discards a push exactly 60 000 ms late (>= instead of >)")
class _BoundaryClient(ReferenceClient):
    def is_late(self, timestamp_ms: int) -> bool:
        return self.env.clock.now_ms() >= timestamp_ms + self.LATE_AFTER_MS


@mutant("discard-seconds-window", "LATE-DISCARD", "compares against a 60 000 second window")
class _SecondsWindowClient(ReferenceClient):
    def is_late(self, timestamp_ms: int) -> bool:
        return self.env.clock.now_ms() > timestamp_ms + 60_000_000


@mutant("discard-never", "LATE-DISCARD", "displays every call push, however late")
class _NeverDiscardClient(ReferenceClient):
    def is_late(self, timestamp_ms: int) -> bool:
        return False


@mutant("discard-crash-on-garbage", "LATE-MALFORMED", "crashes on a timestamp that is not a number")
class _CrashingClient(ReferenceClient):
    def malformed_stamp(self, stamp: str) -> tuple[Any, str]:
        int(stamp)  # raises ValueError on garbage: the mistake under test
        return super().malformed_stamp(stamp)


@mutant("discard-missing-stamp", "LATE-NO-STAMP", "discards calls that carry no timestamp")
class _DiscardUnstampedClient(ReferenceClient):
    def unstamped(self) -> tuple[Any, str]:
        return "discard", "no timestamp"


@mutant(
    "late-two-sided",
    "LATE-DISCARD",
    "also discards a push stamped more than 60 000 ms ahead of the device clock",
)
class _TwoSidedClient(ReferenceClient):
    def is_late(self, timestamp_ms: int) -> bool:
        return abs(self.env.clock.now_ms() - timestamp_ms) > self.LATE_AFTER_MS


class _FourWeekTtlService(ReferenceVoiceService):
    def android_config(self) -> dict[str, str]:
        return {"priority": "high", "ttl": "2419200s"}


# Two roles at once: a late push needs a service that keeps it and a client that shows it.
CATALOGUE["late-push-shown"] = Mutant(
    "late-push-shown",
    "LATE-PREMISE",
    "a service that keeps pushes for four weeks and a client that never discards",
    service=_FourWeekTtlService,
    client=_NeverDiscardClient,
)
