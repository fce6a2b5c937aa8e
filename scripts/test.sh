#!/usr/bin/env bash
# The whole test suite, on a fresh machine of this kind: installs what the tests need
# (xmlsec1 for signature interop, softhsm2 and libengine-pkcs11-openssl for token signing, xmllint for XSD checks, a PostgreSQL server for the
# store tests, chromium and a CJK font for the ops-page check), then builds and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v xmlsec1 >/dev/null 2>&1 || missing+=(xmlsec1)
command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v curl >/dev/null 2>&1 || missing+=(curl)
{ command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } || missing+=(postgresql)
pkg-config --exists libxml-2.0 libcrypto libpq sqlite3 2>/dev/null || missing+=(libxml2-dev libssl-dev libpq-dev libsqlite3-dev)
pkg-config --exists zlib 2>/dev/null || missing+=(zlib1g-dev)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# PKCS#11 signing (PKCS11SigningTests, PKCS11CLITests): a SoftHSM2 token, and libp11's OpenSSL engine through
# which Clearance reaches it (Debian 12 has no pkcs11-provider).
command -v softhsm2-util >/dev/null 2>&1 || missing+=(softhsm2)
ls /usr/lib/*/engines-3/pkcs11.so >/dev/null 2>&1 || missing+=(libengine-pkcs11-openssl)
# A CJK font, or Chinese text in the ops-page screenshot renders as boxes. WenQuanYi Micro Hei is the
# smallest Debian package covering simplified and traditional Chinese (1.6 MB; fonts-wqy-zenhei 7.5 MB,
# fonts-noto-cjk 57 MB).
{ command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh family)" ]; } || missing+=(fonts-wqy-microhei)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# schemathesis (PyPI) probes the running service against its own openapi.yaml (APIConformanceTests);
# it lives in a venv under .build, so nothing is installed system-wide.
if [ ! -x .build/schemathesis-venv/bin/schemathesis ]; then
    python3 -c 'import ensurepip' >/dev/null 2>&1 || {
        if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
        $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
    }
    python3 -m venv .build/schemathesis-venv
    .build/schemathesis-venv/bin/pip install -q schemathesis
fi

# The files compiled into the binary (routing defaults, demo samples) match their sources.
python3 scripts/embed-defaults.py --check
# Package.swift declares exactly the modules each target imports.
python3 scripts/check-imports.py
swift build --build-tests
swift test --skip-build "$@"
