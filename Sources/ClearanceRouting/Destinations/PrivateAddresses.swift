import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Keeps webhooks off the service's own network. A webhook URL is chosen by an enterprise, not by
/// ops: pointed at loopback, link-local (cloud metadata at 169.254.169.254), private or unspecified
/// addresses, it would let anyone with a webhook make the service post into places only the service
/// can reach. Such URLs are refused when registered and again at delivery, on the addresses the
/// host name resolves to then, unless ops allowed the webhook explicitly
/// (`clearance enterprise webhook … --allow-private`).
///
/// Routing-table destinations (customs endpoints) are written by ops and not checked.
public enum PrivateAddresses {
    /// Refuses a webhook URL that is not http(s) with a host, or whose host is written as a
    /// non-public address (in any numeric form `getaddrinfo` accepts, e.g. `2130706433`) or is
    /// `localhost`. Host names are checked at delivery, once resolved.
    public static func checkURL(_ url: String, allowPrivate: Bool) throws(DeliveryError) {
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""),
              let host = parsed.host, !host.isEmpty else {
            throw DeliveryError("webhook URL must be http:// or https:// with a host, not '\(url)'", permanent: true)
        }
        guard !allowPrivate else { return }
        let name = bare(host).lowercased()
        if name == "localhost" || name.hasSuffix(".localhost") {
            throw refusal(url, "localhost")
        }
        if let address = numericAddress(name), !isPublic(address) {
            throw refusal(url, address.description)
        }
    }

    /// Resolves `host` and refuses (permanently) when any of its addresses is not public — every
    /// one, since the HTTP client may connect to any of them.
    public static func requirePublic(host: String, url: String) async throws(DeliveryError) {
        let name = bare(host)
        let addresses: [IPAddress]
        do {
            addresses = try await resolve(name)
        } catch {
            throw DeliveryError("POST \(url): cannot resolve \(name): \(error)")
        }
        if let blocked = addresses.first(where: { !isPublic($0) }) {
            throw refusal(url, "\(blocked) (resolved from \(name))")
        }
    }

    /// An IPv4 or IPv6 address as bytes.
    public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
        /// 4 or 16 bytes, network order.
        public var bytes: [UInt8]

        public var description: String {
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            let family = bytes.count == 4 ? AF_INET : AF_INET6
            let ok = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &buffer, socklen_t(buffer.count)) } != nil
            return ok ? String(cString: buffer) : bytes.map(String.init).joined(separator: ".")
        }
    }

    /// Whether an address may be posted to without the explicit allowance: not unspecified,
    /// loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16,
    /// fe80::/10), carrier-grade NAT (100.64/10), multicast or reserved; IPv4-mapped IPv6
    /// addresses are judged as the IPv4 address they carry.
    public static func isPublic(_ address: IPAddress) -> Bool {
        let b = address.bytes
        if b.count == 4 {
            switch (b[0], b[1]) {
            case (0, _), (10, _), (127, _), (169, 254), (192, 168): return false
            case (172, 16...31), (100, 64...127): return false
            case (224...255, _): return false
            default: return true
            }
        }
        guard b.count == 16 else { return false }
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF { return isPublic(IPAddress(bytes: Array(b[12..<16]))) }
        if b[0..<15].allSatisfy({ $0 == 0 }) && (b[15] == 0 || b[15] == 1) { return false } // :: and ::1
        if b[0] & 0xFE == 0xFC { return false }                     // fc00::/7 unique local
        if b[0] == 0xFE && b[1] & 0xC0 == 0x80 { return false }     // fe80::/10 link-local
        if b[0] == 0xFF { return false }                            // multicast
        return true
    }

    /// The address a host written as a number denotes (`10.0.0.1`, `::1`, `2130706433`, `0x7f.1`), or nil for a name.
    static func numericAddress(_ host: String) -> IPAddress? {
        addresses(host, flags: AI_NUMERICHOST).first
    }

    private static func resolve(_ host: String) async throws -> [IPAddress] {
        // getaddrinfo blocks: it runs on a thread of its own, never on the concurrency pool.
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[IPAddress], any Error>) in
            Thread {
                let found = addresses(host, flags: 0)
                if found.isEmpty {
                    continuation.resume(throwing: DeliveryError("no address"))
                } else {
                    continuation.resume(returning: found)
                }
            }.start()
        }
    }

    private static func addresses(_ host: String, flags: Int32) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_flags = flags
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var out: [IPAddress] = []
        var entry = list
        while let info = entry?.pointee {
            if info.ai_family == AF_INET, let raw = info.ai_addr {
                raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    out.append(IPAddress(bytes: withUnsafeBytes(of: sin.pointee.sin_addr) { Array($0) }))
                }
            } else if info.ai_family == AF_INET6, let raw = info.ai_addr {
                raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                    out.append(IPAddress(bytes: withUnsafeBytes(of: sin6.pointee.sin6_addr) { Array($0) }))
                }
            }
            entry = info.ai_next
        }
        return out
    }

    private static func bare(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }

    private static func refusal(_ url: String, _ address: String) -> DeliveryError {
        DeliveryError("webhook URL \(url) points at \(address), a loopback, link-local or private address: refused "
                      + "(ops may allow it with --allow-private)", permanent: true)
    }
}
