"""Mutants of the reference voice service that register wrongly or accept bad tokens."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from voice_push_conformance.codecs import tokens
from voice_push_conformance.mutants import mutant
from voice_push_conformance.reference import ReferenceIssuer, ReferenceVoiceService
from voice_push_conformance.reference.service import Binding, Grant, TokenRejected
from voice_push_conformance.target import RegistrationResult


@mutant("reg-refuses-reregistration", "REG-IDEMPOTENT", "answers 409 Conflict when a device registers again")
class _ConflictService(ReferenceVoiceService):
    def register(self, access_token: str, channel: str, device_token: str) -> RegistrationResult:
        if any(b.device_token == device_token for b in self.registrations.all()):
            return RegistrationResult(409, 31409, "Conflict")
        return super().register(access_token, channel, device_token)


@mutant("reg-duplicate-bindings", "REG-IDEMPOTENT", "stores a second registration each time a device registers")
class _DuplicatingService(ReferenceVoiceService):
    def register(self, access_token: str, channel: str, device_token: str) -> RegistrationResult:
        result = super().register(access_token, channel, device_token)
        if result.ok:
            grant = self.validate_token(access_token)
            original = self.registrations.get((grant.identity, grant.push_credential_sid, device_token))
            assert original is not None
            twin = (grant.identity, f"{grant.push_credential_sid}#{original.sequence}", device_token)
            self.registrations.put(twin, self.refreshed(None, grant, device_token))
            self.push_credentials.setdefault(twin[1], self.push_credentials[grant.push_credential_sid])
        return result


@mutant("reg-unregister-noop", "REG-UNREGISTER", "answers unregister with success but keeps the registration")
class _NoopUnregisterService(ReferenceVoiceService):
    def unregister(self, access_token: str, channel: str, device_token: str) -> RegistrationResult:
        return RegistrationResult(204, None, "unregistered")


@mutant("reg-accepts-gcm", "REG-GCM-REJECTED", "still accepts GCM registrations and pushes to them")
class _GcmService(ReferenceVoiceService):
    def channel_error(self, channel: object) -> RegistrationResult | None:
        if isinstance(channel, str) and channel.lower() == "gcm":
            return None
        return super().channel_error(channel)


@mutant("reg-gcm-vague-error", "REG-GCM-MESSAGE", "refuses GCM with a bare 'Bad Request'")
class _VagueGcmService(ReferenceVoiceService):
    def channel_error(self, channel: object) -> RegistrationResult | None:
        refusal = super().channel_error(channel)
        return RegistrationResult(400, 31400, "Bad Request") if refusal is not None else None


@mutant("reg-ignores-signature", "REG-BAD-TOKEN", "decodes tokens without verifying their signature")
class _UnverifiedService(ReferenceVoiceService):
    def check_signature(self, decoded: tokens.DecodedToken, secret: str) -> None:
        return None


@mutant("reg-accepts-expired", "REG-BAD-TOKEN", "accepts expired tokens")
class _ExpiredOkService(ReferenceVoiceService):
    def check_times(self, payload: Mapping[str, Any]) -> None:
        now_s = self.now_ms() // 1_000
        super().check_times({**payload, "exp": max(int(payload.get("exp", 0)), now_s + 1)})


@mutant("reg-accepts-alg-none", "REG-BAD-TOKEN", "trusts the token's own alg header, including 'none'")
class _AlgNoneService(ReferenceVoiceService):
    def check_algorithm(self, decoded: tokens.DecodedToken) -> None:
        return None

    def check_signature(self, decoded: tokens.DecodedToken, secret: str) -> None:
        alg = str(decoded.header.get("alg"))
        if alg != "none" and not tokens.signature_verifies(decoded.raw, secret, alg):
            raise TokenRejected(20107, "bad signature")


@mutant("reg-any-error-code", "REG-BAD-TOKEN-CODE", "answers every token problem with 20101")
class _GenericCodeService(ReferenceVoiceService):
    def validate_token(self, access_token: str) -> Grant:
        try:
            return super().validate_token(access_token)
        except TokenRejected as exc:
            raise TokenRejected(20101, exc.message) from exc


@mutant(
    "reg-no-credential-check", "REG-NO-PUSH-CREDENTIAL", "registers tokens whose VoiceGrant names no push credential"
)
class _NoCredentialService(ReferenceVoiceService):
    def push_credential_of(self, voice: Mapping[str, Any]) -> str:
        if voice.get("push_credential_sid"):
            return super().push_credential_of(voice)
        self.push_credentials.setdefault("default", next(iter(self.push_credentials.values())))
        return "default"


@mutant("reg-never-expires", "REG-EXPIRY", "keeps registrations forever")
class _ImmortalService(ReferenceVoiceService):
    def is_expired(self, binding: Binding, now_ms: int) -> bool:
        return False


@mutant(
    "reg-expires-after-180-days", "REG-EXPIRY-NOT-EARLY", "expires registrations after six months instead of a year"
)
class _ShortLivedService(ReferenceVoiceService):
    def is_expired(self, binding: Binding, now_ms: int) -> bool:
        return now_ms - max(binding.registered_at_ms, binding.last_push_ms or 0) > 180 * 86_400_000


@mutant("reg-push-does-not-renew", "REG-PUSH-KEEPS-ALIVE", "counts a registration's year from the registration only")
class _RegistrationOnlyClockService(ReferenceVoiceService):
    def is_expired(self, binding: Binding, now_ms: int) -> bool:
        return now_ms - binding.registered_at_ms > 365 * 86_400_000


@mutant(
    "reg-account-as-identity",
    "REG-VALID",
    "files registrations under the token's sub (the account) instead of its identity",
)
class _AccountIdentityService(ReferenceVoiceService):
    def grant_of(self, payload: Mapping[str, Any]) -> Grant:
        grant = super().grant_of(payload)
        return Grant(identity=str(payload.get("sub")), push_credential_sid=grant.push_credential_sid)


@mutant("reg-unregister-any-identity", "REG-ISOLATION", "unregisters a device token whoever asks")
class _UnregisterAnyService(ReferenceVoiceService):
    def unregister(self, access_token: str, channel: str, device_token: str) -> RegistrationResult:
        result = super().unregister(access_token, channel, device_token)
        if result.status == 404:
            for binding in self.registrations.all():
                if binding.device_token == device_token:
                    self.registrations.remove(binding.key)
            return RegistrationResult(204, None, "unregistered")
        return result


@mutant("reg-accepts-empty-token", "REG-BAD-INPUT", "stores registrations with an empty or oversized device token")
class _AnyTokenService(ReferenceVoiceService):
    def device_token_error(self, device_token: object) -> RegistrationResult | None:
        return None


@mutant("reg-accepts-any-channel", "REG-BAD-INPUT", "accepts every channel name except 'gcm'")
class _AnyChannelService(ReferenceVoiceService):
    def channel_error(self, channel: object) -> RegistrationResult | None:
        refusal = super().channel_error(channel)
        return refusal if isinstance(channel, str) and channel.lower() == "gcm" else None


@mutant("reg-any-hmac-algorithm", "REG-BAD-TOKEN", "verifies with whatever HMAC algorithm the token's header names")
class _AnyHmacService(ReferenceVoiceService):
    def check_algorithm(self, decoded: tokens.DecodedToken) -> None:
        if decoded.header.get("alg") not in {"HS384", "HS512"}:
            super().check_algorithm(decoded)

    def check_signature(self, decoded: tokens.DecodedToken, secret: str) -> None:
        if not tokens.signature_verifies(decoded.raw, secret, str(decoded.header.get("alg"))):
            raise TokenRejected(20107, "bad signature")


@mutant(
    "reg-no-identity-rules", "REG-BAD-TOKEN-BASELINE", "accepts identities of any length and with control characters"
)
class _AnyIdentityService(ReferenceVoiceService):
    def identity_error(self, identity: str) -> str | None:
        return None


@mutant(
    "reg-reregister-keeps-expiry",
    "REG-EXPIRY-NOT-EARLY",
    "registering a device again moves it up but does not restart its one-year expiry",
)
class _StickyExpiryService(ReferenceVoiceService):
    def refreshed(self, existing: Binding | None, grant: Grant, device_token: str) -> Binding:
        fresh = super().refreshed(existing, grant, device_token)
        if existing is None:
            return fresh
        return Binding(
            fresh.identity,
            fresh.push_credential_sid,
            device_token,
            existing.registered_at_ms,
            existing.last_push_ms,
            fresh.sequence,
        )


@mutant(
    "reg-exp-leeway-15min",
    "REG-BAD-TOKEN",
    "allows 15 minutes of clock leeway on exp, far beyond what RFC 7519's 'small leeway' means",
)
class _LongLeewayService(ReferenceVoiceService):
    def check_times(self, payload: Mapping[str, Any]) -> None:
        now_s = self.now_ms() // 1_000
        exp = payload.get("exp")
        if isinstance(exp, int) and not isinstance(exp, bool) and now_s - 900 < exp <= now_s:
            payload = {**payload, "exp": now_s + 1}
        super().check_times(payload)


@mutant(
    "e2e-issuer-clock-ahead",
    "REG-VALID",
    "the issuer writes its issue second one ahead (nbf, jti), so its tokens are not valid yet when used at once",
)
class _ClockAheadIssuer(ReferenceIssuer):
    def issued_at_s(self) -> int:
        return super().issued_at_s() + 1


@mutant(
    "reg-identity-lowercased",
    "REG-VALID",
    "stores registrations under the lowercased identity, so a mixed-case identity is never rung",
)
class _LowercaseIdentityService(ReferenceVoiceService):
    def grant_of(self, payload: Mapping[str, Any]) -> Grant:
        grant = super().grant_of(payload)
        return replace(grant, identity=grant.identity.lower())


@mutant("reg-no-token-size-limit", "REG-BAD-TOKEN-BASELINE", "processes access tokens of any size")
class _AnySizeTokenService(ReferenceVoiceService):
    def check_size(self, access_token: str) -> None:
        return None
