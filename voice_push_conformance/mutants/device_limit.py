"""Mutants of the reference voice service that choose the wrong devices to notify."""

from __future__ import annotations

from voice_push_conformance.mutants import mutant
from voice_push_conformance.reference import ReferenceVoiceService
from voice_push_conformance.reference.service import DEVICE_LIMIT, Binding, Grant


@mutant("limit-none", "LIMIT-TEN", "notifies every registered device, however many")
class _NoLimitService(ReferenceVoiceService):
    def recipients(self, bindings: list[Binding]) -> list[Binding]:
        return sorted(bindings, key=lambda b: b.sequence)


@mutant("limit-eleven", "LIMIT-TEN", "notifies eleven devices (an off-by-one in the limit)")
class _ElevenService(ReferenceVoiceService):
    def recipients(self, bindings: list[Binding]) -> list[Binding]:
        return sorted(bindings, key=lambda b: b.sequence, reverse=True)[:11]


@mutant("limit-oldest", "LIMIT-TEN", "notifies the ten oldest registrations instead of the newest")
class _OldestService(ReferenceVoiceService):
    def recipients(self, bindings: list[Binding]) -> list[Binding]:
        return sorted(bindings, key=lambda b: b.sequence)[:10]


@mutant("limit-no-refresh", "LIMIT-REFRESH", "keeps a device's first registration time when it registers again")
class _StickyOrderService(ReferenceVoiceService):
    def refreshed(self, existing: Binding | None, grant: Grant, device_token: str) -> Binding:
        fresh = super().refreshed(existing, grant, device_token)
        if existing is None:
            return fresh
        return Binding(
            fresh.identity, fresh.push_credential_sid, device_token, fresh.registered_at_ms, None, existing.sequence
        )


@mutant("limit-global", "LIMIT-PER-IDENTITY", "applies the ten-device limit across all identities")
class _GlobalLimitService(ReferenceVoiceService):
    def recipients(self, bindings: list[Binding]) -> list[Binding]:
        newest = sorted(self._bindings.values(), key=lambda b: b.sequence, reverse=True)[:10]
        allowed = {id(b) for b in newest}
        return [b for b in bindings if id(b) in allowed]


@mutant("limit-counts-removed", "LIMIT-ACTIVE", "keeps an unregistered device's place among the ten most recent")
class _TombstoneService(ReferenceVoiceService):
    def _drop(self, key: tuple[str, str, str]) -> Binding | None:
        removed = super()._drop(key)
        if removed is not None:
            self.__dict__.setdefault("_removed", []).append(removed)
        return removed

    def recipients(self, bindings: list[Binding]) -> list[Binding]:
        identities = {b.identity for b in bindings}
        removed = [b for b in self.__dict__.get("_removed", []) if b.identity in identities]
        ranked = sorted([*bindings, *removed], key=lambda b: b.sequence, reverse=True)[:DEVICE_LIMIT]
        return [b for b in ranked if b in bindings]
