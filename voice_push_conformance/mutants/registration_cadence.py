"""Mutants of the reference client that register too often, too rarely, or wrongly."""

from __future__ import annotations

from voice_push_conformance.clock import MS_PER_DAY
from voice_push_conformance.mutants import mutant
from voice_push_conformance.reference import ReferenceClient
from voice_push_conformance.target import GCM


@mutant("cadence-first-token-only", "CADENCE-NEW-TOKEN", "registers the first token and ignores later changes")
class _FirstTokenOnlyClient(ReferenceClient):
    def should_register(self, device_token: str) -> bool:
        return self.stored_token is None


@mutant("cadence-gcm-channel", "CADENCE-NEW-TOKEN", "still registers over the retired GCM channel")
class _GcmClient(ReferenceClient):
    def registration_channel(self) -> str:
        return GCM


@mutant("cadence-every-launch", "CADENCE-SAME-TOKEN", "registers at every launch, token changed or not")
class _EveryLaunchClient(ReferenceClient):
    def should_register(self, device_token: str) -> bool:
        return True


@mutant("cadence-store-before-success", "CADENCE-RETRY", "stores the new token before the registration succeeds")
class _OptimisticClient(ReferenceClient):
    def on_device_token(self, device_token: str) -> None:
        if self.should_register(device_token):
            self.remember_registration(device_token)
            self.env.registrar.register(self.env.fetch_access_token(), "fcm", device_token)


@mutant("cadence-never-renew", "CADENCE-YEARLY", "registers only when the token changes, never because of age")
class _NeverRenewClient(ReferenceClient):
    def should_register(self, device_token: str) -> bool:
        return device_token != self.stored_token


@mutant("cadence-renew-after-two-years", "CADENCE-YEARLY", "renews a registration only after two years")
class _TwoYearClient(ReferenceClient):
    REREGISTER_AFTER_MS = 730 * MS_PER_DAY


@mutant(
    "cadence-renew-at-expiry",
    "CADENCE-SIX-MONTHS",
    "renews only at the one-year expiry, not after six months",
)
class _YearlyClient(ReferenceClient):
    REREGISTER_AFTER_MS = 365 * MS_PER_DAY


@mutant(
    "cadence-renewal-not-remembered",
    "CADENCE-SAME-TOKEN",
    "stamps the registration time only when the token changes, so after a renewal it registers at every start",
)
class _ForgetfulRenewalClient(ReferenceClient):
    def remember_registration(self, device_token: str) -> None:
        if device_token != self.stored_token:
            super().remember_registration(device_token)


@mutant(
    "cadence-stale-access-token",
    "CADENCE-YEARLY",
    "fetches one access token at first start and registers with it ever after, long past its expiry",
)
class _CachedTokenClient(ReferenceClient):
    cached_access_token: str | None = None

    def registration_access_token(self) -> str:
        if self.cached_access_token is None:
            self.cached_access_token = super().registration_access_token()
        return self.cached_access_token


@mutant(
    "cadence-ignores-on-new-token",
    "CADENCE-ON-NEW-TOKEN",
    "ignores onNewToken: a changed token is registered only at the next app start",
)
class _NextStartOnlyClient(ReferenceClient):
    def on_new_token(self, device_token: str) -> None:
        return None
