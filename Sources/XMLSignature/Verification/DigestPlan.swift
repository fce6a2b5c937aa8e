/// Which canonical forms of the document to digest, and with which algorithms, while streaming.
///
/// The signature comes last in an enveloped document, so a one-pass verifier must digest before it
/// knows the reference's canonicalization and digest method. The plan lists the candidates: every
/// allowed one when nothing is known (the handler-wrapping mode), or those named near the end of the
/// input when the tail could be read first (files and byte arrays). A hint is never trusted: when the
/// signature turns out to need a form the plan missed, the verifier digests it in a second pass.
struct DigestPlan: Equatable {
    var methods: [CanonicalizationMethod]
    var digests: [DigestAlgorithm]

    func covers(_ method: CanonicalizationMethod, _ digest: DigestAlgorithm) -> Bool {
        methods.contains(method) && digests.contains(digest)
    }

    /// Every candidate the policy allows.
    static func full(_ policy: SignaturePolicy) -> DigestPlan {
        var methods: [CanonicalizationMethod] = [.inclusive]
        if policy.allowedCanonicalizations.contains(where: \.isExclusive) { methods.append(.exclusive) }
        return DigestPlan(methods: methods, digests: DigestAlgorithm.allCases.filter(policy.allowedDigestAlgorithms.contains))
    }

    /// The candidates named by `Algorithm` attributes in the input's last bytes (where the signature is).
    static func hinted(tail: some Collection<UInt8>, policy: SignaturePolicy) -> DigestPlan {
        let full = full(policy)
        var digests = Set<DigestAlgorithm>()
        var exclusive = false
        for uri in algorithmURIs(in: Array(tail)) {
            if let digest = DigestAlgorithm(uri: uri) { digests.insert(digest) }
            if CanonicalizationMethod(uri: uri)?.isExclusive == true { exclusive = true }
        }
        let hintedDigests = full.digests.filter(digests.contains)
        return DigestPlan(
            methods: full.methods.filter { $0 == .inclusive || exclusive },
            digests: hintedDigests.isEmpty ? full.digests : hintedDigests
        )
    }

    /// Values of `Algorithm="…"` / `Algorithm='…'` attributes found in `bytes`.
    static func algorithmURIs(in bytes: [UInt8]) -> [String] {
        let key = Array("Algorithm".utf8)
        var uris: [String] = []
        var index = 0
        while index + key.count < bytes.count {
            guard bytes[index] == key[0], bytes[index..<(index + key.count)].elementsEqual(key) else { index += 1; continue }
            var cursor = index + key.count
            while cursor < bytes.count, bytes[cursor] == 0x20 || bytes[cursor] == 0x3D || bytes[cursor] == 0x0A || bytes[cursor] == 0x09 { cursor += 1 }
            guard cursor < bytes.count, bytes[cursor] == 0x22 || bytes[cursor] == 0x27 else { index = cursor; continue }
            let quote = bytes[cursor]
            let start = cursor + 1
            guard let end = bytes[start...].firstIndex(of: quote) else { break }
            uris.append(String(decoding: bytes[start..<end], as: UTF8.self))
            index = end + 1
        }
        return uris
    }
}
