/// The kind of an asymmetric key, as far as signing is concerned.
public enum KeyKind: Sendable, Hashable, CustomStringConvertible {
    /// RSA with a modulus of `bits` bits.
    case rsa(bits: Int)
    /// EC on NIST P-256 (prime256v1 / secp256r1).
    case ecP256
    /// SM2 (GM/T 0003) on the SM2 curve, OID 1.2.156.10197.1.301.
    case sm2
    /// Any other key (another curve, DSA, Ed25519, …), named as libcrypto names it. Never signs or verifies here.
    case other(String)

    /// `true` for RSA keys under 2048 bits (the older e-port profile uses 1024-bit keys).
    public var isWeak: Bool {
        if case .rsa(let bits) = self { return bits < 2048 }
        return false
    }

    /// The RSA modulus size, or `nil` for non-RSA keys.
    public var rsaBits: Int? {
        if case .rsa(let bits) = self { return bits }
        return nil
    }

    /// Field size in bytes of an EC/SM2 curve (one half of a raw `r || s` signature), `nil` for RSA.
    var fieldSize: Int? {
        switch self {
        case .ecP256, .sm2: return 32
        case .rsa, .other: return nil
        }
    }

    /// `RSA-2048`, `EC P-256`, `SM2`, or the libcrypto name.
    public var description: String {
        switch self {
        case .rsa(let bits): return "RSA-\(bits)"
        case .ecP256: return "EC P-256"
        case .sm2: return "SM2"
        case .other(let name): return name
        }
    }
}
