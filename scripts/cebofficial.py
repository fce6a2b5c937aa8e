"""Reads the customs authority's own XML schemas (schemas/official/<edition>/{import,export}.xsd).

The official schemas are the source of truth for every CEB message: which document a message
repeats and how often, its head and line records, each field's order, cardinality and facets,
and the envelope parts (BaseTransfer, BaseSubscribe, ExtendMessage, ds:Signature) with their
order and cardinality. This module turns them into plain data for scripts/cebspec.py; it knows
nothing about Swift or Clearance's own choices.

Every type in the official files is an anonymous `xs:simpleType` restriction of `xs:string`,
`xs:decimal` or `xs:int` (or a bare `xs:int`); anything else is a generator error, so that a new
edition that uses another construct is noticed instead of misread. An element's `fixed` value is
read (it is a constraint); its `default` is not (it only fills an empty element, and Clearance reads
an empty element as empty).
"""
from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Optional

XS = "{http://www.w3.org/2001/XMLSchema}"
EDITIONS = ("2018", "202205")
FAMILIES = ("import", "export")
ENVELOPE_PARTS = ("BaseTransfer", "BaseSubscribe", "ExtendMessage", "Signature")
UNBOUNDED = -1


@dataclass(frozen=True)
class OfficialField:
    name: str
    min_occurs: int
    base: str                   # string | decimal | int
    length: Optional[int]
    min_length: Optional[int]
    max_length: Optional[int]
    total_digits: Optional[int]
    fraction_digits: Optional[int]
    fixed: Optional[str]        # the element's `fixed` value (import currency 142, 202205 CEB603 fFlag/iFlag 3)
    doc: str


@dataclass(frozen=True)
class OfficialRecord:
    element: str
    fields: tuple               # OfficialField…

    def field(self, name: str) -> Optional[OfficialField]:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class Part:
    name: str                   # BaseTransfer | BaseSubscribe | ExtendMessage | Signature
    min_occurs: int
    max_occurs: int             # UNBOUNDED for unbounded


@dataclass(frozen=True)
class OfficialMessage:
    root: str
    family: str                 # import | export
    doc: str                    # the schema's own title of the message
    document: str               # document element (Order, OrderReturn…)
    max_documents: int
    flat: bool
    head: OfficialRecord        # the document itself when flat
    lines: Optional[OfficialRecord]
    min_lines: int
    max_lines: int
    parts: tuple                # Part…, in the schema's order after the documents

    def part(self, name: str) -> Optional[Part]:
        return next((p for p in self.parts if p.name == name), None)


def _occurs(element, attribute: str, default: int) -> int:
    value = element.get(attribute)
    if value is None:
        return default
    return UNBOUNDED if value == "unbounded" else int(value)


def _documentation(element) -> str:
    node = element.find(f"{XS}annotation/{XS}documentation")
    return " ".join((node.text or "").split()) if node is not None else ""


def _field(element, where: str) -> OfficialField:
    name = element.get("name")
    restriction = element.find(f"{XS}simpleType/{XS}restriction")
    facets = {}
    if restriction is None:
        if element.get("type") != "xs:int":
            raise SystemExit(f"cebofficial: {where}.{name} has no simple type the generator knows")
        base = "int"
    else:
        base = restriction.get("base").split(":")[1]
        if base not in ("string", "decimal", "int"):
            raise SystemExit(f"cebofficial: {where}.{name} restricts {base}")
        for facet in restriction:
            tag = facet.tag.replace(XS, "")
            if tag == "whiteSpace":
                continue
            if tag not in ("length", "minLength", "maxLength", "totalDigits", "fractionDigits"):
                raise SystemExit(f"cebofficial: {where}.{name} uses the facet {tag}")
            facets[tag] = int(facet.get("value"))
    return OfficialField(name, _occurs(element, "minOccurs", 1), base, facets.get("length"), facets.get("minLength"),
                         facets.get("maxLength"), facets.get("totalDigits"), facets.get("fractionDigits"),
                         element.get("fixed"), _documentation(element))


def _sequence(element):
    complex_type = element.find(f"{XS}complexType")
    if complex_type is None:
        return None
    sequence = complex_type.find(f"{XS}sequence")
    if sequence is None:
        raise SystemExit(f"cebofficial: {element.get('name')} is not a sequence")
    return list(sequence)


def _record(element, globals_: dict) -> OfficialRecord:
    name = element.get("name")
    fields = []
    for child in _sequence(element):
        if child.tag != f"{XS}element" or child.get("ref"):
            raise SystemExit(f"cebofficial: {name} mixes fields and records")
        fields.append(_field(child, name))
    return OfficialRecord(name, tuple(fields))


def _resolve(child, globals_: dict):
    ref = child.get("ref")
    return globals_[ref.split(":")[1]] if ref else child


def _is_record(element) -> bool:
    children = _sequence(element)
    return children is not None and all(c.tag == f"{XS}element" and not c.get("ref") and c.find(f"{XS}complexType") is None
                                        for c in children)


def parse(path: str, family: str) -> dict:
    """root name → OfficialMessage, for one official XSD file."""
    tree = ET.parse(path).getroot()
    globals_ = {e.get("name"): e for e in tree.findall(f"{XS}element")}
    messages = {}
    for root, element in globals_.items():
        if not (root.startswith("CEB") and root.endswith("Message")):
            continue
        children = _sequence(element)
        first, rest = children[0], children[1:]
        document = _resolve(first, globals_)
        if _is_record(document):
            flat, head, lines, min_lines, max_lines = True, _record(document, globals_), None, 0, 0
        else:
            inner = _sequence(document)
            head = _record(_resolve(inner[0], globals_), globals_)
            lines, min_lines, max_lines = None, 0, 0
            if len(inner) > 1:
                lines = _record(_resolve(inner[1], globals_), globals_)
                min_lines, max_lines = _occurs(inner[1], "minOccurs", 1), _occurs(inner[1], "maxOccurs", 1)
            if len(inner) > 2:
                raise SystemExit(f"cebofficial: {root} document has more than a head and lines")
            flat = False
        parts = []
        for child in rest:
            name = (child.get("ref") or "").split(":")[-1]
            if name not in ENVELOPE_PARTS:
                raise SystemExit(f"cebofficial: {root} has an unknown part {name}")
            parts.append(Part(name, _occurs(child, "minOccurs", 1), _occurs(child, "maxOccurs", 1)))
        messages[root] = OfficialMessage(root, family, _documentation(element), document.get("name"),
                                         _occurs(first, "maxOccurs", 1), flat, head, lines, min_lines, max_lines,
                                         tuple(parts))
    return messages


def envelope(path: str) -> dict:
    """BaseTransfer / BaseSubscribe / ExtendMessage records of one official XSD file."""
    tree = ET.parse(path).getroot()
    globals_ = {e.get("name"): e for e in tree.findall(f"{XS}element")}
    out = {}
    for name in ("BaseTransfer", "BaseSubscribe"):
        out[name] = _record(globals_[name], globals_)
    extend = [c for c in _sequence(globals_["ExtendMessage"]) if c.get("name") != "Message"]
    out["ExtendMessage"] = OfficialRecord("ExtendMessage", tuple(_field(c, "ExtendMessage") for c in extend))
    return out


def load(root_dir: str) -> dict:
    """edition → root name → OfficialMessage, both families."""
    out = {}
    for edition in EDITIONS:
        merged = {}
        for family in FAMILIES:
            merged.update(parse(os.path.join(root_dir, edition, f"{family}.xsd"), family))
        out[edition] = merged
    return out
