/// A PKCS#11 URI (RFC 7512) naming a private key on a token: `pkcs11:token=Clearance;object=service-key`.
///
/// Only what names a key is kept: the path attributes (`token`, `object`, `id`, `serial`, `manufacturer`,
/// `model`, `library-*`, `slot-*`, `type`) are passed on to the PKCS#11 layer as written, and the query
/// attribute `module-path` chooses the vendor's PKCS#11 module. A PIN inside the URI (`pin-value`,
/// `pin-source`) is refused: URIs are given on command lines, where every user of the machine can read
/// them (`ps`); the PIN comes from a file or an environment variable instead.
public struct PKCS11URI: Sendable, Hashable, CustomStringConvertible {
    /// The URI's path attributes in their written (percent-encoded) form, in order.
    public let attributes: [(name: String, value: String)]
    /// The PKCS#11 module (shared library) to load, from the `module-path` query attribute.
    public let modulePath: String?

    /// The path attributes that select the key.
    static let pathAttributes: Set<String> = [
        "token", "object", "id", "serial", "manufacturer", "model", "type",
        "library-description", "library-manufacturer", "library-version", "slot-description", "slot-id", "slot-manufacturer",
    ]

    /// Parses `text`; `pkcs11:` followed by `name=value` pairs separated by `;`, an optional `?module-path=…`.
    ///
    /// - Throws: `invalidPKCS11URI` naming the problem (wrong scheme, unknown attribute, PIN in the URI,
    ///   neither `object` nor `id`, a type other than `private`).
    public init(_ text: String) throws(CryptoError) {
        guard text.hasPrefix("pkcs11:") else { throw .invalidPKCS11URI(reason: "it does not start with pkcs11:") }
        let body = text.dropFirst("pkcs11:".count)
        let parts = body.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var attributes: [(name: String, value: String)] = []
        for pair in parts[0].split(separator: ";") {
            guard let equals = pair.firstIndex(of: "=") else { throw .invalidPKCS11URI(reason: "\"\(pair)\" is not name=value") }
            let name = String(pair[..<equals]), value = String(pair[pair.index(after: equals)...])
            guard Self.pathAttributes.contains(name) else { throw .invalidPKCS11URI(reason: "unknown attribute \"\(name)\"") }
            guard !attributes.contains(where: { $0.name == name }) else { throw .invalidPKCS11URI(reason: "\"\(name)\" is given twice") }
            attributes.append((name, value))
        }
        var modulePath: String?
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let nameValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(nameValue[0])
                switch name {
                case "module-path" where nameValue.count == 2:
                    modulePath = try Self.percentDecoded(String(nameValue[1]))
                case "pin-value", "pin-source":
                    throw .invalidPKCS11URI(reason: "a PIN does not go in the URI (command lines are visible to every user): give it in a file or an environment variable")
                default:
                    throw .invalidPKCS11URI(reason: "unsupported query attribute \"\(name)\" (only module-path is)")
                }
            }
        }
        guard attributes.contains(where: { $0.name == "object" || $0.name == "id" }) else {
            throw .invalidPKCS11URI(reason: "name the key with object=LABEL or id=%HEX")
        }
        if let type = attributes.first(where: { $0.name == "type" })?.value, type != "private" {
            throw .invalidPKCS11URI(reason: "type=\(type): only private keys sign")
        }
        if !attributes.contains(where: { $0.name == "type" }) { attributes.append(("type", "private")) }
        self.attributes = attributes
        self.modulePath = modulePath
    }

    /// The URI as handed to the PKCS#11 layer: the path attributes only (always with `type=private`).
    public var keyReference: String {
        "pkcs11:" + attributes.map { "\($0.name)=\($0.value)" }.joined(separator: ";")
    }

    /// The key reference and, when given, the module.
    public var description: String {
        keyReference + (modulePath.map { "?module-path=\($0)" } ?? "")
    }

    public static func == (lhs: PKCS11URI, rhs: PKCS11URI) -> Bool {
        lhs.description == rhs.description
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(description)
    }

    /// RFC 3986 percent-decoding (module paths may hold `%2F`-style escapes).
    private static func percentDecoded(_ text: String) throws(CryptoError) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next(), let low = iterator.next(),
                  let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else {
                throw .invalidPKCS11URI(reason: "bad percent-escape in \"\(text)\"")
            }
            bytes.append(value)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
