import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL

/// Delivers by HTTP(S) POST with AsyncHTTPClient, optionally with mutual TLS.
///
/// Every request carries `X-Message-Guid` (receivers dedupe by it) and
/// `X-Message-Type`; with ``DestinationConfig/HTTP/signing`` (webhooks) also the
/// ``WebhookSignature`` headers, signed afresh on every attempt. Answers: 2xx delivered; 409 delivered (the receiver already has it);
/// 408, 425, 429 and 5xx retried; other 4xx permanent (the receiver refuses the message).
///
/// Redirects are never followed (a 3xx is a permanent failure naming its `Location`): a receiver
/// could otherwise bounce the signed message, and the request, to an address it was never
/// registered for. With ``DestinationConfig/HTTP/refusePrivateAddresses`` (webhooks), the host is
/// resolved before each attempt and the post refused when any address is not public.
public final class HTTPDestination: Destination {
    public let config: DestinationConfig
    /// The URL posted to.
    public let url: String
    private let timeout: TimeAmount
    private let client: HTTPClient
    private let signing: DestinationConfig.Signing?
    private let refusePrivateAddresses: Bool

    /// Creates the destination and its connection pool.
    /// - Throws: a permanent ``DeliveryError`` when the mutual TLS settings are incomplete (a client
    ///   certificate without its key or the reverse), given for a plain `http://` URL, or when the
    ///   TLS files cannot be loaded.
    public init(config: DestinationConfig, http: DestinationConfig.HTTP) throws(DeliveryError) {
        if (http.clientCertificatePath == nil) != (http.clientKeyPath == nil) {
            throw DeliveryError("destination \(config.name): mutual TLS needs both a client certificate and its key", permanent: true)
        }
        let usesTLSFiles = http.clientCertificatePath != nil || http.trustedCAPath != nil
        if usesTLSFiles, !http.url.hasPrefix("https://") {
            throw DeliveryError("destination \(config.name): TLS files are given but \(http.url) is not https://", permanent: true)
        }
        self.config = config
        self.url = http.url
        self.signing = http.signing
        self.refusePrivateAddresses = http.refusePrivateAddresses
        self.timeout = .milliseconds(Int64(http.timeoutSeconds * 1000))
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(http.concurrency, 1))
        configuration.redirectConfiguration = .disallow
        let connect = http.connectTimeoutSeconds ?? min(http.timeoutSeconds, 10)
        configuration.timeout = .init(connect: .milliseconds(Int64(connect * 1000)), read: timeout)
        if http.url.hasPrefix("https://") {
            var tls = TLSConfiguration.makeClientConfiguration()
            do {
                if let certificate = http.clientCertificatePath, let key = http.clientKeyPath {
                    tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
                    tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
                }
                if let ca = http.trustedCAPath {
                    tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca))
                }
            } catch {
                throw DeliveryError("destination \(config.name): cannot load TLS files: \(error)", permanent: true)
            }
            configuration.tlsConfiguration = tls
        }
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func deliver(_ message: OutboundMessage) async throws(DeliveryError) {
        if refusePrivateAddresses {
            guard let host = URL(string: url)?.host else { throw DeliveryError("POST \(url): no host", permanent: true) }
            try await PrivateAddresses.requirePublic(host: host, url: url)
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/xml; charset=utf-8")
        request.headers.add(name: "X-Message-Guid", value: message.guid)
        request.headers.add(name: "X-Message-Type", value: message.messageType)
        if let signing {
            let timestamp = Int64(Date().timeIntervalSince1970)
            request.headers.add(name: WebhookSignature.signatureHeader,
                                value: WebhookSignature.header(body: message.bytes, secret: signing.secret, timestamp: timestamp))
            request.headers.add(name: WebhookSignature.eventHeader, value: signing.event)
            request.headers.add(name: WebhookSignature.deliveryHeader, value: message.deliveryId ?? message.guid)
        }
        request.body = .bytes(ByteBuffer(bytes: message.bytes))
        let status: UInt
        let body: String
        let location: String?
        do {
            let response = try await client.execute(request, timeout: timeout)
            status = response.status.code
            location = response.headers.first(name: "Location")
            let buffer = try await response.body.collect(upTo: 64 << 10)
            body = String(buffer: buffer)
        } catch let error as NIOSSLError {
            throw tlsFailure(error)
        } catch let error as BoringSSLError {
            throw tlsFailure(error)
        } catch {
            throw DeliveryError("POST \(url): \(error)")
        }
        switch status {
        case 200..<300, 409:
            return
        case 300..<400:
            throw DeliveryError("POST \(url): HTTP \(status) redirect to \(location ?? "nowhere") not followed "
                                + "(redirects are never followed: register the final URL)", permanent: true)
        case 408, 425, 429, 500..<600:
            throw DeliveryError("POST \(url): HTTP \(status) \(body.prefix(200))")
        default:
            throw DeliveryError("POST \(url): HTTP \(status) \(body.prefix(200))", permanent: true)
        }
    }

    /// Posts `fields` as an `application/x-www-form-urlencoded` form (customs' real-time data upload)
    /// and returns the answer's body on 2xx; other statuses fail as for ``deliver(_:)``.
    public func postForm(_ fields: [String: String], guid: String, deliveryId: String) async throws(DeliveryError) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = fields.sorted { $0.key < $1.key }.map { key, value in
            (key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key) + "="
                + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
        }.joined(separator: "&")
        return try await post(body, contentType: "application/x-www-form-urlencoded; charset=utf-8",
                              headers: ["X-Message-Guid": guid, "X-Clearance-Delivery": deliveryId])
    }

    /// Posts `body` (UTF-8) with `contentType` and returns the answer's body on 2xx; 408, 425, 429 and
    /// 5xx fail for a retry, other statuses permanently. For exchanges that are not CEB messages: the
    /// real-time payment data upload, and the simulated customs asking a platform for it.
    public func post(_ body: String, contentType: String, headers: [String: String] = [:]) async throws(DeliveryError) -> String {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        let status: UInt
        let answer: String
        do {
            let response = try await client.execute(request, timeout: timeout)
            status = response.status.code
            answer = String(buffer: try await response.body.collect(upTo: 64 << 10))
        } catch let error as NIOSSLError {
            throw tlsFailure(error)
        } catch {
            throw DeliveryError("POST \(url): \(error)")
        }
        switch status {
        case 200..<300: return answer
        case 408, 425, 429, 500..<600: throw DeliveryError("POST \(url): HTTP \(status) \(answer.prefix(200))")
        default: throw DeliveryError("POST \(url): HTTP \(status) \(answer.prefix(200))", permanent: true)
        }
    }

    /// A TLS failure, named as such: the handshake (server certificate not trusted, client
    /// certificate missing or refused) did not complete. Retried: the peer may be reconfigured.
    private func tlsFailure(_ error: any Error) -> DeliveryError {
        DeliveryError("POST \(url): TLS handshake failed (check the destination's trustedCA and its clientCertificate/clientKey): \(error)")
    }

    public func shutdown() async {
        try? await client.shutdown()
    }
}

/// Builds the destination objects of a routing table.
public enum DestinationFactory {
    /// One ``Destination`` per configured destination.
    public static func make(_ table: RoutingTable) throws(DeliveryError) -> [String: any Destination] {
        var out: [String: any Destination] = [:]
        for (name, config) in table.destinations {
            switch config.transport {
            case .http(let http): out[name] = try HTTPDestination(config: config, http: http)
            case .spool(let spool): out[name] = SpoolDestination(config: config, spool: spool)
            }
        }
        return out
    }
}
