#!/usr/bin/env bash
# Signs every sample of samples/unsigned/ (messages customs wants signed, as merchants hand them to
# Clearance) into samples/valid/ with the public sample key (samples/keys/README.md), using the
# eport profile: deterministic RSA signatures, so `SignedSampleTests` can tell a stale one.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product clearance >/dev/null
bin="$(swift build --show-bin-path 2>/dev/null)/clearance"
"$bin" sign --key samples/keys/sample-signer.key.pem --cert samples/keys/sample-signer.cert.pem \
    --profile eport --out-dir samples/valid samples/unsigned/*.xml
