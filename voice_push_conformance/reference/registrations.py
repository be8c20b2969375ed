"""The reference service's registrations: one thread-safe store, the only home of bindings and their lock."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

Key = tuple[str, str, str]  # (identity, push credential SID, device token)


@dataclass(frozen=True)
class Binding:
    """One registration: the unique address is (identity, push credential, device token)."""

    identity: str
    push_credential_sid: str
    device_token: str
    registered_at_ms: int
    last_push_ms: int | None
    sequence: int

    @property
    def key(self) -> Key:
        """The registration's unique address."""
        return (self.identity, self.push_credential_sid, self.device_token)


class RegistrationStore:
    """Bindings by key, indexed by identity so a call looks only at the callee's registrations.

    Every method takes the store's re-entrant ``lock`` itself, so callers never see it.
    ``put`` and ``remove`` are the two writes every other method goes through: a store
    that behaves differently (a mutant's tombstones, a variant's list) overrides those,
    holding ``lock`` too, or replaces the whole store through
    ``ReferenceVoiceService.new_registrations``.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._bindings: dict[Key, Binding] = {}
        self._keys_by_identity: dict[str, set[Key]] = {}
        self._sequence = 0

    def next_sequence(self) -> int:
        """The next arrival number: a higher one is a more recent registration (LIMIT-REFRESH)."""
        with self.lock:
            self._sequence += 1
            return self._sequence

    def get(self, key: Key) -> Binding | None:
        """The binding at ``key``, if any."""
        with self.lock:
            return self._bindings.get(key)

    def put(self, key: Key, binding: Binding) -> None:
        """Record ``binding`` at ``key``, replacing any binding there."""
        with self.lock:
            self._bindings[key] = binding
            self._keys_by_identity.setdefault(key[0], set()).add(key)

    def remove(self, key: Key) -> Binding | None:
        """Forget the binding at ``key``; the removed binding, or None if there was none."""
        with self.lock:
            removed = self._bindings.pop(key, None)
            keys = self._keys_by_identity.get(key[0])
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._keys_by_identity[key[0]]
            return removed

    def upsert(self, key: Key, make: Callable[[Binding | None], Binding]) -> Binding:
        """Atomically replace the binding at ``key`` by ``make(existing)``; the new binding."""
        with self.lock:
            binding = make(self.get(key))
            self.put(key, binding)
            return binding

    def update(self, key: Key, change: Callable[[Binding], Binding]) -> None:
        """Atomically replace the binding at ``key`` by ``change(it)``, if there is one."""
        with self.lock:
            existing = self.get(key)
            if existing is not None:
                self.put(key, change(existing))

    def of_identity(self, identity: str) -> list[Binding]:
        """The bindings of one identity."""
        with self.lock:
            return [self._bindings[key] for key in self._keys_by_identity.get(identity, ())]

    def all(self) -> list[Binding]:
        """Every binding of every identity, oldest insertion first."""
        with self.lock:
            return list(self._bindings.values())

    def prune(self, identity: str, expired: Callable[[Binding], bool]) -> list[Binding]:
        """Remove the identity's ``expired`` bindings; the ones left."""
        with self.lock:
            for key in list(self._keys_by_identity.get(identity, ())):
                if expired(self._bindings[key]):
                    self.remove(key)
            return self.of_identity(identity)
