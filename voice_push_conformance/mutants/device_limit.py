"""Mutants of the reference voice service that choose the wrong devices to notify."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from voice_push_conformance.mutants import mutant
from voice_push_conformance.reference import ReferenceVoiceService
from voice_push_conformance.reference.registrations import Key, RegistrationStore
from voice_push_conformance.reference.service import DEVICE_LIMIT, Binding, Grant
from voice_push_conformance.target import RegistrationResult


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
        newest = sorted(self.registrations.all(), key=lambda b: b.sequence, reverse=True)[:10]
        allowed = {id(b) for b in newest}
        return [b for b in bindings if id(b) in allowed]


class _SoftDeleteService(ReferenceVoiceService):
    """Marks registrations inactive instead of deleting them, and skips them only after choosing the ten."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inactive: set[Key] = set()

    def recipients(self, bindings: list[Binding]) -> list[Binding]:
        chosen = super().recipients(bindings)  # the ten most recent, inactive ones included
        return [b for b in chosen if b.key not in self.inactive]

    def register(self, access_token: str, channel: str, device_token: str) -> RegistrationResult:
        result = super().register(access_token, channel, device_token)
        if result.ok:
            grant = self.validate_token(access_token)
            self.inactive.discard((grant.identity, grant.push_credential_sid, device_token))
        return result


@mutant("limit-counts-unregistered", "LIMIT-ACTIVE", "an unregistered device still takes one of the ten places")
class _CountsUnregisteredService(_SoftDeleteService):
    def unregister(self, access_token: str, channel: str, device_token: str) -> RegistrationResult:
        outcome = self.authenticate(access_token, channel, device_token)
        if isinstance(outcome, RegistrationResult):
            return outcome
        key = (outcome.identity, outcome.push_credential_sid, device_token)
        if self.registrations.get(key) is None or key in self.inactive:
            return RegistrationResult(404, 31404, "no such registration")
        self.inactive.add(key)
        return RegistrationResult(204, None, "unregistered")


@mutant(
    "limit-counts-uninstalled",
    "PUSH-UNREGISTERED",
    "a device FCM reported UNREGISTERED still takes one of the ten places",
)
class _CountsUninstalledService(_SoftDeleteService):
    def forget(self, binding: Binding) -> None:
        self.inactive.add(binding.key)


@mutant("limit-evicts-beyond-ten", "LIMIT-ACTIVE", "stores at most ten registrations per identity, dropping the oldest")
class _CappedStoreService(ReferenceVoiceService):
    def register(self, access_token: str, channel: str, device_token: str) -> RegistrationResult:
        result = super().register(access_token, channel, device_token)
        if result.ok:
            identity = self.validate_token(access_token).identity
            oldest_first = sorted(self.registrations.of_identity(identity), key=lambda b: b.sequence)
            for binding in oldest_first[:-10]:
                self.registrations.remove(binding.key)
        return result


@mutant(
    "limit-revives-old-position",
    "LIMIT-REFRESH",
    "a device registered again after an unregister gets back its first place in the order",
)
class _RevivingService(ReferenceVoiceService):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.first_sequence: dict[str, int] = {}

    def refreshed(self, existing: Binding | None, grant: Grant, device_token: str) -> Binding:
        fresh = super().refreshed(existing, grant, device_token)
        if existing is not None:
            return fresh  # a refresh of a live registration moves it up, as it should
        first = self.first_sequence.setdefault(device_token, fresh.sequence)
        return replace(fresh, sequence=first)


class _TombstoneStore(RegistrationStore):
    """Remembers every binding it removes."""

    def __init__(self) -> None:
        super().__init__()
        self.removed: list[Binding] = []

    def remove(self, key: Key) -> Binding | None:
        removed = super().remove(key)
        if removed is not None:
            self.removed.append(removed)
        return removed


@mutant("limit-counts-removed", "LIMIT-ACTIVE", "keeps an unregistered device's place among the ten most recent")
class _TombstoneService(ReferenceVoiceService):
    def new_registrations(self) -> RegistrationStore:
        return _TombstoneStore()

    def recipients(self, bindings: list[Binding]) -> list[Binding]:
        store = self.registrations
        assert isinstance(store, _TombstoneStore)
        identities = {b.identity for b in bindings}
        removed = [b for b in store.removed if b.identity in identities]
        ranked = sorted([*bindings, *removed], key=lambda b: b.sequence, reverse=True)[:DEVICE_LIMIT]
        return [b for b in ranked if b in bindings]


@mutant(
    "limit-same-instant-overwrites",
    "LIMIT-TEN",
    "keys registrations by registration time: those made at the same instant overwrite each other",
)
class _SameInstantService(ReferenceVoiceService):
    def new_registrations(self) -> RegistrationStore:
        return _SameInstantStore()


class _SameInstantStore(RegistrationStore):
    """Keeps one binding per identity and registration instant."""

    def put(self, key: Key, binding: Binding) -> None:
        for other in self.of_identity(key[0]):
            if other.key != key and other.registered_at_ms == binding.registered_at_ms:
                self.remove(other.key)
        super().put(key, binding)
