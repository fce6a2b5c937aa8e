import ClearanceStore
import XMLSignature

/// How a destination wants its messages: transport, signature profile and envelope.
public struct DestinationConfig: Sendable, Hashable {
    /// HTTP(S) POST settings.
    public struct HTTP: Sendable, Hashable {
        /// Where to POST.
        public var url: String
        /// Per-request timeout in seconds.
        public var timeoutSeconds: Double
        /// Seconds to wait for the connection; nil: `timeoutSeconds`, at most 10. The HTTP client
        /// keeps retrying a refused connection until this passes, so it is how long each delivery to
        /// a destination that is down holds one of its `concurrency` slots.
        public var connectTimeoutSeconds: Double?
        /// Most requests in flight to this destination at once.
        public var concurrency: Int
        /// Mutual TLS: client certificate chain and key (PEM files), and the CA to trust (PEM file).
        public var clientCertificatePath: String?
        public var clientKeyPath: String?
        public var trustedCAPath: String?
        /// Shared-secret signing of every request (webhooks), nil for none.
        public var signing: Signing?
        /// Refuse to post when the host resolves to a loopback, link-local or private address
        /// (webhooks chosen by enterprises; see ``PrivateAddresses``).
        public var refusePrivateAddresses: Bool

        /// Creates HTTP settings.
        public init(url: String, timeoutSeconds: Double = 30, connectTimeoutSeconds: Double? = nil, concurrency: Int = 4,
                    clientCertificatePath: String? = nil, clientKeyPath: String? = nil, trustedCAPath: String? = nil,
                    signing: Signing? = nil, refusePrivateAddresses: Bool = false) {
            self.refusePrivateAddresses = refusePrivateAddresses
            self.url = url
            self.timeoutSeconds = timeoutSeconds
            self.connectTimeoutSeconds = connectTimeoutSeconds
            self.concurrency = concurrency
            self.clientCertificatePath = clientCertificatePath
            self.clientKeyPath = clientKeyPath
            self.trustedCAPath = trustedCAPath
            self.signing = signing
        }
    }

    /// How requests to a webhook are signed: ``WebhookSignature`` headers under `secret`, with
    /// `event` in `X-Clearance-Event`.
    public struct Signing: Sendable, Hashable {
        /// The shared secret (as printed when the webhook was registered).
        public var secret: String
        /// The event name sent in `X-Clearance-Event`.
        public var event: String

        /// Creates signing settings.
        public init(secret: String, event: String) {
            self.secret = secret
            self.event = event
        }
    }

    /// Spool directories in the style of the customs data-exchange clients.
    public struct Spool: Sendable, Hashable {
        /// Outbound files are written here atomically.
        public var outbox: String
        /// Receipts are picked up from here.
        public var inbox: String?

        /// Creates spool settings.
        public init(outbox: String, inbox: String? = nil) {
            self.outbox = outbox
            self.inbox = inbox
        }
    }

    /// The transport.
    public enum Transport: Sendable, Hashable {
        case http(HTTP)
        case spool(Spool)
    }

    /// The wrapping the destination expects.
    public enum Envelope: String, Sendable, Hashable, CaseIterable {
        /// The CEB message as is.
        case none
        /// `dxp:DxpMsg` with the message base64 in `dxp:Data`.
        case dxp
    }

    /// Name used by rules and outbox rows.
    public var name: String
    public var transport: Transport
    /// Signature profile the destination requires.
    public var profile: SignatureProfile
    public var envelope: Envelope
    /// Receiver's data-exchange id (`dxp:ReceiverId`).
    public var receiverId: String?
    /// The authority behind this destination, whose receipts answer what is sent here (nil: no
    /// answers are taken for it, e.g. a webhook).
    public var authority: AuthorityKind?
    /// Give up after this many attempts (then the row is dead).
    public var maxAttempts: Int
    /// Give up when the row is older than this many seconds.
    public var maxAgeSeconds: Double

    /// Creates a destination.
    public init(name: String, transport: Transport, profile: SignatureProfile = .standard, envelope: Envelope = .dxp,
                receiverId: String? = nil, authority: AuthorityKind? = nil, maxAttempts: Int = 12, maxAgeSeconds: Double = 86_400) {
        self.name = name
        self.transport = transport
        self.profile = profile
        self.envelope = envelope
        self.receiverId = receiverId
        self.authority = authority
        self.maxAttempts = maxAttempts
        self.maxAgeSeconds = maxAgeSeconds
    }
}
