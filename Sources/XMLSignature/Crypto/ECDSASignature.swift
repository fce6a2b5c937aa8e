import COpenSSL

/// Converts ECDSA/SM2 signatures between XML-DSig's raw `r || s` and the DER `ECDSA-Sig-Value`
/// (`SEQUENCE { r INTEGER, s INTEGER }`) that libcrypto produces and expects.
enum ECDSASignature {
    /// `r || s`, each left-padded to `fieldSize` bytes, from a DER `ECDSA-Sig-Value`.
    static func rawFromDER(_ der: [UInt8], fieldSize: Int) throws(CryptoError) -> [UInt8] {
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return d2i_ECDSA_SIG(nil, &cursor, buffer.count)
        }
        guard let parsed else { throw OpenSSL.failure("d2i_ECDSA_SIG") }
        defer { ECDSA_SIG_free(parsed) }
        var raw = [UInt8](repeating: 0, count: 2 * fieldSize)
        let ok = raw.withUnsafeMutableBufferPointer { buffer in
            BN_bn2binpad(ECDSA_SIG_get0_r(parsed), buffer.baseAddress, Int32(fieldSize)) == fieldSize
                && BN_bn2binpad(ECDSA_SIG_get0_s(parsed), buffer.baseAddress! + fieldSize, Int32(fieldSize)) == fieldSize
        }
        guard ok else { throw OpenSSL.failure("BN_bn2binpad") }
        return raw
    }

    /// A DER `ECDSA-Sig-Value` from raw `r || s`; the raw value must be exactly `2 * fieldSize` bytes.
    static func derFromRaw(_ raw: [UInt8], fieldSize: Int) throws(CryptoError) -> [UInt8] {
        guard raw.count == 2 * fieldSize else {
            throw .malformedSignature(reason: "expected raw r||s of \(2 * fieldSize) bytes, got \(raw.count) bytes")
        }
        guard let value = ECDSA_SIG_new() else { fatalError("ECDSA_SIG_new failed: out of memory") }
        defer { ECDSA_SIG_free(value) }
        let (r, s) = raw.withUnsafeBufferPointer { buffer in
            (BN_bin2bn(buffer.baseAddress, Int32(fieldSize), nil),
             BN_bin2bn(buffer.baseAddress! + fieldSize, Int32(fieldSize), nil))
        }
        guard let r, let s, ECDSA_SIG_set0(value, r, s) == 1 else {
            BN_free(r)
            BN_free(s)
            throw OpenSSL.failure("ECDSA_SIG_set0")
        }
        guard let der = DER.encode({ i2d_ECDSA_SIG(value, $0) }) else { throw OpenSSL.failure("i2d_ECDSA_SIG") }
        return der
    }
}

/// The usual two-call `i2d_*` dance: ask for the length, then encode into a buffer.
enum DER {
    static func encode(_ i2d: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?) -> Int32) -> [UInt8]? {
        let length = i2d(nil)
        guard length > 0 else { return nil }
        var out = [UInt8](repeating: 0, count: Int(length))
        let written = out.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return i2d(&cursor)
        }
        return written == length ? out : nil
    }
}
