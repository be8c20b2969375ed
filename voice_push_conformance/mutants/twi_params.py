"""Mutants that break how twi_params is encoded by the service or decoded by the client."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from voice_push_conformance.codecs import twiml
from voice_push_conformance.mutants import mutant
from voice_push_conformance.reference import ReferenceClient, ReferenceVoiceService
from voice_push_conformance.target import PushHandling


@mutant("params-plus-kept", "PARAMS-DECODE", "does not turn '+' into a space when decoding")
class _PlusKeptClient(ReferenceClient):
    def custom_parameters(self, raw: str | None) -> dict[str, str | None]:
        from urllib.parse import unquote  # noqa: PLC0415

        if raw is None:
            return {}
        return {k: (unquote(v) if v else None) for k, _, v in (p.partition("=") for p in raw.split("&"))}


@mutant(
    "params-split-every-equals",
    "PARAMS-FIRST-EQUALS",
    "splits each pair on every '=' and keeps the second piece",
)
class _SplitEqualsClient(ReferenceClient):
    def custom_parameters(self, raw: str | None) -> dict[str, str | None]:
        from urllib.parse import unquote_plus  # noqa: PLC0415

        if raw is None:
            return {}
        result: dict[str, str | None] = {}
        for pair in raw.split("&"):
            pieces = pair.split("=")
            result[pieces[0]] = unquote_plus(pieces[1]) if len(pieces) > 1 and pieces[1] else None
        return result


@mutant("params-not-encoded", "PARAMS-ENCODE", "joins parameters without URL-encoding them")
class _RawParamsService(ReferenceVoiceService):
    def encode_parameters(self, leg: twiml.ClientLeg) -> str | None:
        return "&".join(f"{k}={v}" for k, v in leg.parameters) if leg.parameters else None


@mutant("params-dropped", "PARAMS-ENCODE", "drops the TwiML parameters from the push")
class _DroppedParamsService(ReferenceVoiceService):
    def encode_parameters(self, leg: twiml.ClientLeg) -> str | None:
        return None


@mutant("params-json", "PARAMS-ENCODE", "sends parameters as a JSON object string")
class _JsonParamsService(ReferenceVoiceService):
    def encode_parameters(self, leg: twiml.ClientLeg) -> str | None:
        import json  # noqa: PLC0415

        return json.dumps(dict(leg.parameters)) if leg.parameters else None


@mutant(
    "params-empty-key",
    "PARAMS-ABSENT-MAP",
    "decodes a missing twi_params as the empty string: one empty-named parameter",
)
class _EmptyKeyClient(ReferenceClient):
    def custom_parameters(self, raw: str | None) -> dict[str, str | None]:
        from voice_push_conformance.codecs import twi_params  # noqa: PLC0415

        return twi_params.decode(raw or "")


@mutant("params-raw-rebuilt", "PARAMS-VIEWS-AGREE", "rebuilds the 2.x string from the map with %20 for spaces")
class _RebuiltRawClient(ReferenceClient):
    def handle_push(self, data: Mapping[str, str]) -> PushHandling:
        from urllib.parse import quote, urlencode  # noqa: PLC0415

        handled = super().handle_push(data)
        if not handled.custom_parameters:
            return handled
        rebuilt = urlencode({k: v or "" for k, v in handled.custom_parameters.items()}, quote_via=quote)
        return replace(handled, raw_params=rebuilt)


@mutant(
    "params-percent-unescaped",
    "PARAMS-ENCODE",
    "leaves a '%' unescaped unless it looks like an escape ('discount=50%+off'); lenient decoders still read it",
)
class _RawPercentService(ReferenceVoiceService):
    def encode_parameters(self, leg: twiml.ClientLeg) -> str | None:
        import re  # noqa: PLC0415

        encoded = super().encode_parameters(leg)
        return re.sub(r"%25(?![0-9A-Fa-f]{2})", "%", encoded) if encoded is not None else None


@mutant(
    "params-absent-as-null", "PARAMS-ABSENT", "writes twi_params as the string 'null' when the Dial has no parameters"
)
class _NullParamsService(ReferenceVoiceService):
    def encode_parameters(self, leg: twiml.ClientLeg) -> str | None:
        return super().encode_parameters(leg) or "null"


@mutant(
    "params-lenient-escapes", "PARAMS-MALFORMED-ESCAPES", "keeps a malformed percent escape as text instead of failing"
)
class _LenientEscapeClient(ReferenceClient):
    def custom_parameters(self, raw: str | None) -> dict[str, str | None]:
        from urllib.parse import unquote_plus  # noqa: PLC0415

        if raw is None:
            return {}
        result: dict[str, str | None] = {}
        for pair in raw.split("&"):
            key, sep, value = pair.partition("=")
            if key:
                result[key] = unquote_plus(value, errors="replace") if sep and value else None
        return result


@mutant(
    "params-parse-qsl",
    "PARAMS-EDGE-CASES",
    "decodes with a form parser: names decoded, empty values as '', empty pairs skipped",
)
class _ParseQslClient(ReferenceClient):
    def custom_parameters(self, raw: str | None) -> dict[str, str | None]:
        from urllib.parse import parse_qsl  # noqa: PLC0415

        return dict(parse_qsl(raw, keep_blank_values=True)) if raw else {}
