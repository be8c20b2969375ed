"""Mutants of the reference voice service that read TwiML wrongly or unsafely."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace

from voice_push_conformance.codecs import twiml
from voice_push_conformance.mutants import mutant
from voice_push_conformance.reference import ReferenceVoiceService
from voice_push_conformance.target import CallResult


@mutant(
    "twiml-stdlib-parser", "TWIML-XML-ATTACKS", "parses TwiML with the stdlib parser, which expands internal entities"
)
class _StdlibParserService(ReferenceVoiceService):
    def parse_twiml(self, document: str) -> twiml.Dial:
        try:
            root = ET.fromstring(document)  # noqa: S314
        except ET.ParseError as exc:
            raise twiml.TwimlError(str(exc)) from exc
        return twiml.dial_from_root(root)


@mutant("twiml-first-client-only", "TWIML-DIAL-CLIENT", "rings only the first <Client> of a <Dial>")
class _FirstClientService(ReferenceVoiceService):
    def parse_twiml(self, document: str) -> twiml.Dial:
        dial = super().parse_twiml(document)
        return replace(dial, clients=dial.clients[:1])


@mutant("twiml-ignores-parameters", "TWIML-DIAL-CLIENT", "drops the <Parameter>s of each <Client>")
class _NoParametersService(ReferenceVoiceService):
    def parse_twiml(self, document: str) -> twiml.Dial:
        dial = super().parse_twiml(document)
        return replace(dial, clients=tuple(replace(c, parameters=()) for c in dial.clients))


@mutant(
    "twiml-lax-answer-on-bridge", "TWIML-ATTRIBUTE-VALUES", "treats any answerOnBridge value other than 'true' as false"
)
class _LaxAttributeService(ReferenceVoiceService):
    def parse_twiml(self, document: str) -> twiml.Dial:
        return super().parse_twiml(document.replace('answerOnBridge="yes"', 'answerOnBridge="false"'))


@mutant(
    "twiml-identity-only", "TWIML-LEGACY-CLIENT", "requires <Identity> and rejects the <Client>bob</Client> shorthand"
)
class _IdentityOnlyService(ReferenceVoiceService):
    def parse_twiml(self, document: str) -> twiml.Dial:
        if "<Identity>" not in document:
            raise twiml.TwimlError("<Client> needs an <Identity>")
        return super().parse_twiml(document)


@mutant("twiml-trims-parameter-values", "TWIML-DIAL-CLIENT", "trims the spaces around each <Parameter> value")
class _TrimmingService(ReferenceVoiceService):
    def parse_twiml(self, document: str) -> twiml.Dial:
        dial = super().parse_twiml(document)
        return replace(
            dial,
            clients=tuple(replace(c, parameters=tuple((n, v.strip()) for n, v in c.parameters)) for c in dial.clients),
        )


@mutant(
    "twiml-doctype-silently-dropped",
    "TWIML-XML-ATTACKS",
    "refuses DTDs with entities, but answers a bare DOCTYPE as accepted while ringing nobody",
)
class _SilentDropService(ReferenceVoiceService):
    def place_call(self, twiml_document: str) -> CallResult:
        if "<!DOCTYPE" in twiml_document and "[" not in twiml_document:
            return CallResult(
                accepted=True, call_sid=self.derived_sid("CA", "dropped", twiml_document), message="dialled"
            )
        return super().place_call(twiml_document)


@mutant("twiml-any-root", "TWIML-MALFORMED", "finds the <Dial> wherever it is, accepting a root other than <Response>")
class _AnyRootService(ReferenceVoiceService):
    def parse_twiml(self, document: str) -> twiml.Dial:
        if "<Response" not in document:
            head, sep, body = document.partition("?>")
            document = f"{head}{sep}<Response>{body}</Response>" if sep else f"<Response>{document}</Response>"
        return super().parse_twiml(document)
