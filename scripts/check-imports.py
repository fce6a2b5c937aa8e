#!/usr/bin/env python3
"""Package.swift says what each module imports: fails when a target's dependencies differ from
the modules its Swift sources import.

SwiftPM lets a target import any module built before it (a transitive dependency, or one a
sibling target happens to pull in), so the manifest drifts from the code: the layering the README
draws is then not the one the compiler enforces, and deleting a dependency elsewhere breaks a
target that never declared it. This check keeps the two equal, both ways.

The manifest is read with `swift package dump-package` (the evaluated manifest, not its text).
Modules of the toolchain (Foundation, Glibc, Testing…) need no declaration and are ignored.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLCHAIN = {
    "Swift", "_Concurrency", "_StringProcessing", "Foundation", "FoundationEssentials", "FoundationNetworking",
    "FoundationXML", "CoreFoundation", "Dispatch", "Glibc", "Musl", "Darwin", "WinSDK", "Android", "Synchronization",
    "Observation", "RegexBuilder", "Testing", "XCTest", "os",
}
# `@testable import X`, `import struct X.Y`, `@_spi(S) import X`, `public import X`…, at the start of a
# line: top-level code here is never indented, and an indented `import` is text in a string literal.
IMPORT = re.compile(
    r"^(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|package|internal|fileprivate|private)\s+)?import\s+"
    r"(?:(?:typealias|struct|class|enum|protocol|let|var|func)\s+)?(\w+)", re.MULTILINE)


def dependency_name(dependency: dict) -> str:
    """The module a manifest dependency provides (a product of this package's packages is named as its module)."""
    for kind in ("byName", "target", "product"):
        if kind in dependency:
            return dependency[kind][0]
    raise ValueError(f"unknown dependency form: {dependency}")


def imports(directory: str) -> set[str]:
    found: set[str] = set()
    for folder, _, files in os.walk(directory):
        for name in files:
            if name.endswith(".swift"):
                with open(os.path.join(folder, name), encoding="utf-8") as f:
                    found.update(IMPORT.findall(f.read()))
    return found - TOOLCHAIN


def main() -> int:
    manifest = json.loads(subprocess.run(
        ["swift", "package", "dump-package"], cwd=ROOT, check=True, capture_output=True, text=True).stdout)
    problems = []
    for target in manifest["targets"]:
        if target["type"] in ("system", "binary", "plugin", "macro"):
            continue
        default = "Tests" if target["type"] == "test" else "Sources"
        path = target.get("path") or os.path.join(default, target["name"])
        declared = {dependency_name(d) for d in target["dependencies"]}
        used = imports(os.path.join(ROOT, path))
        if missing := sorted(used - declared):
            problems.append(f"{target['name']}: imports {', '.join(missing)} without declaring it")
        if unused := sorted(declared - used):
            problems.append(f"{target['name']}: declares {', '.join(unused)} but imports none of it")
    for problem in problems:
        print(f"Package.swift: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
