#!/usr/bin/env python3
"""CEB XML → the JSON documents Clearance's JSON face takes (`POST /v1/orders`…, `clearance render`).

    python3 scripts/xml2json.py MESSAGE.xml        # JSON Lines: one document per line

A starting point for a merchant moving to JSON, and the tests' independent half of the round trip
(XML → JSON here, JSON → XML in Swift, then both XML decoded and compared). Written with the standard
library's ElementTree only; it knows nothing of the message specs: every CEB element with children
becomes an object, repeated line elements (`…List`) and `BaseSubscribe` arrays, leaves strings —
except plain decimals (`742.00`), written as JSON numbers exactly as they stand, to exercise number
handling. `ExtendMessage` and `ds:Signature` are dropped (the JSON face does not carry them).
"""
from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET

CEB = "{http://www.chinaport.gov.cn/ceb}"
DECIMAL = re.compile(r"^-?(0|[1-9][0-9]*)\.[0-9]+$")


def local(tag: str) -> str:
    return tag.split("}", 1)[1] if "}" in tag else tag


def leaf(text: str | None) -> str:
    value = text or ""
    return value if DECIMAL.match(value) else json.dumps(value, ensure_ascii=False)


def record(element) -> str:
    return "{" + ", ".join(f"{json.dumps(local(c.tag))}: {leaf(c.text)}" for c in element) + "}"


def documents(root):
    envelope = {}
    for child in root:
        name = local(child.tag)
        if name == "BaseTransfer":
            envelope[name] = record(child)
        elif name == "BaseSubscribe":
            envelope.setdefault(name, []).append(record(child))
    # CEB messages by number (CEB311), the others by their root element (InspOrderMessage).
    number = local(root.tag).replace("Message", "") if local(root.tag).startswith("CEB") else local(root.tag)
    for child in root:
        name = local(child.tag)
        if not child.tag.startswith(CEB) or name in ("BaseTransfer", "BaseSubscribe", "ExtendMessage"):
            continue
        members = [f'"messageType": {json.dumps(number)}', f'"guid": {json.dumps(root.get("guid"))}']
        records = list(child)
        if records and all(len(r) == 0 for r in records):  # a flat document: its fields directly
            members.append(f"{json.dumps(name)}: {record(child)}")
        else:
            lines = {}
            for position, r in enumerate(records):
                if position == 0:  # a document's head comes first (OrderHead, BodyMaster…), its lines after
                    members.append(f"{json.dumps(local(r.tag))}: {record(r)}")
                else:
                    lines.setdefault(local(r.tag), []).append(record(r))
            members += [f"{json.dumps(k)}: [{', '.join(v)}]" for k, v in lines.items()]
        if "BaseTransfer" in envelope:
            members.append(f'"BaseTransfer": {envelope["BaseTransfer"]}')
        if "BaseSubscribe" in envelope:
            members.append(f'"BaseSubscribe": [{", ".join(envelope["BaseSubscribe"])}]')
        yield "{" + ", ".join(members) + "}"


def main(argv: list) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    with open(argv[0], "rb") as f:
        data = f.read()
    # expat reads UTF-8 and UTF-16 only: a GBK message (older senders) is decoded here.
    declared = re.match(rb'^\s*<\?xml[^>]*encoding="([^"]+)"', data)
    if declared and declared.group(1).lower() in (b"gbk", b"gb2312", b"gb18030"):
        data = re.sub(rb'encoding="[^"]+"', b'encoding="UTF-8"', data, count=1).decode("latin-1").encode("latin-1")
        data = data.decode("gb18030").encode("utf-8")
    for line in documents(ET.fromstring(data)):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
