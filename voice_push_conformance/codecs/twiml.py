"""TwiML ``<Dial><Client>`` documents: built with ElementTree, parsed only with defusedxml."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

MAX_DOCUMENT_BYTES = 64 * 1024
MAX_CLIENTS_PER_DIAL = 10


class TwimlError(ValueError):
    """The document is not TwiML this service will act on; the message says why."""


@dataclass(frozen=True)
class ClientLeg:
    """One ``<Client>`` of a ``<Dial>``: the identity called and its ``<Parameter>`` pairs in order."""

    identity: str
    parameters: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Dial:
    """A parsed ``<Dial>`` verb, the part of TwiML that decides which clients get a call push."""

    caller_id: str | None
    answer_on_bridge: bool
    clients: tuple[ClientLeg, ...] = field(default_factory=tuple)


def build_dial(
    identity: str,
    parameters: Sequence[tuple[str, str]] = (),
    *,
    caller_id: str | None = None,
    answer_on_bridge: bool = False,
) -> str:
    """A ``<Response><Dial><Client>`` document, as a TwiML application would answer."""
    response = ET.Element("Response")
    attrs = {"answerOnBridge": "true" if answer_on_bridge else "false"}
    if caller_id is not None:
        attrs["callerId"] = caller_id
    dial = ET.SubElement(response, "Dial", attrs)
    client = ET.SubElement(dial, "Client")
    ET.SubElement(client, "Identity").text = identity
    for name, value in parameters:
        ET.SubElement(client, "Parameter", {"name": name, "value": value})
    body = ET.tostring(response, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>' + body


def _client_leg(element: ET.Element) -> ClientLeg:
    identity_el = element.find("Identity")
    if identity_el is not None:
        identity = (identity_el.text or "").strip()
    else:  # the legacy shorthand <Client>bob</Client>
        identity = (element.text or "").strip()
    if not identity:
        raise TwimlError("<Client> names no identity")
    params: list[tuple[str, str]] = []
    for param in element.findall("Parameter"):
        name = param.get("name")
        value = param.get("value")
        if name is None or value is None:
            raise TwimlError("<Parameter> needs both a name and a value attribute")
        params.append((name, value))
    return ClientLeg(identity=identity, parameters=tuple(params))


def parse_dial(document: str | bytes) -> Dial:
    """Read the ``<Dial>`` of a TwiML response, refusing DTDs, entities and oversized input."""
    raw = document.encode("utf-8") if isinstance(document, str) else document
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise TwimlError(f"the TwiML document is {len(raw)} bytes; the limit is {MAX_DOCUMENT_BYTES}")
    try:
        root = SafeET.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise TwimlError(f"the TwiML document uses a forbidden XML construct ({type(exc).__name__})") from exc
    except ET.ParseError as exc:
        raise TwimlError(f"the TwiML document is not well-formed XML: {exc}") from exc
    return dial_from_root(root)


def dial_from_root(root: ET.Element) -> Dial:
    """Interpret an already parsed ``<Response>``: the TwiML rules, separate from XML safety."""
    if root.tag != "Response":
        raise TwimlError(f"the root element is <{root.tag}>, not <Response>")
    dials = root.findall("Dial")
    if len(dials) != 1:
        raise TwimlError(f"expected exactly one <Dial>, found {len(dials)}")
    dial = dials[0]
    answer_on_bridge = dial.get("answerOnBridge", "false")
    if answer_on_bridge not in {"true", "false"}:
        raise TwimlError(f'answerOnBridge must be "true" or "false", not {answer_on_bridge!r}')
    clients = dial.findall("Client")
    if not clients:
        raise TwimlError("the <Dial> has no <Client> to ring")
    if len(clients) > MAX_CLIENTS_PER_DIAL:
        raise TwimlError(f"a <Dial> may ring at most {MAX_CLIENTS_PER_DIAL} clients, not {len(clients)}")
    return Dial(
        caller_id=dial.get("callerId"),
        answer_on_bridge=answer_on_bridge == "true",
        clients=tuple(_client_leg(c) for c in clients),
    )
