"""SDK-side clients that differ from the reference in ways the FAQ allows."""

from __future__ import annotations

from voice_push_conformance.clock import MS_PER_DAY
from voice_push_conformance.reference import ReferenceClient
from voice_push_conformance.variants import variant


@variant(
    "client-params-reordered",
    "returns the custom parameters map in another order than twi_params lists them",
    allowed_by="CallInvite.getCustomParameters() is a Map: its order is not specified",
)
class _ReorderedClient(ReferenceClient):
    def custom_parameters(self, raw: str | None) -> dict[str, str | None]:
        return dict(reversed(list(super().custom_parameters(raw).items())))


@variant(
    "client-renew-184-days",
    "renews an unchanged registration after six calendar months, the longest reading (184 days)",
    allowed_by="Voice Android SDK FAQ: re-register when the last registration is more than six months old",
)
class _CalendarMonthsClient(ReferenceClient):
    REREGISTER_AFTER_MS = 184 * MS_PER_DAY
