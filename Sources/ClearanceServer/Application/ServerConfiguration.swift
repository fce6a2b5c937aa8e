import Foundation

/// How `clearance serve` runs: where it listens, which store it uses and the limits it enforces.
public struct ServerConfiguration: Sendable {
    /// Listening address (loopback by default).
    public var host: String
    /// Listening port (0 picks a free one).
    public var port: Int
    /// Store URL (`nil`: the SQLite file in the current directory; `postgresql://…` for production).
    public var storeURL: String?
    /// Largest batch upload for an enterprise without its own limit, in bytes (after gzip decoding).
    public var defaultMaxBatchBytes: Int64
    /// Largest single message (`POST /v1/messages`), in bytes.
    public var maxMessageBytes: Int
    /// Requests per second allowed per API key (token bucket refill rate).
    public var rateLimitPerSecond: Double
    /// Requests an API key may burst above the steady rate.
    public var rateLimitBurst: Double
    /// Longest a request may take (reading a slow body included) before a 408.
    public var requestTimeoutSeconds: Double
    /// Longest a batch upload may take before it is abandoned, whether the body still arrives or
    /// the client stopped sending (the connection is then closed and the batch failed with the reason).
    public var batchTimeoutSeconds: Double
    /// A batch upload is answered (202, status `receiving`) once this many body bytes have been
    /// read, or — for a body arriving in several pieces — ``batchEarlyAnswerSeconds`` have passed,
    /// while the rest is still arriving; a body that ends before either gets its final counts.
    public var batchEarlyAnswerBytes: Int64
    /// See ``batchEarlyAnswerBytes``.
    public var batchEarlyAnswerSeconds: Double
    /// Signature required on single messages from enterprises with a registered certificate,
    /// even when their own record does not require it.
    public var requireSignatureWhenRegistered: Bool
    /// Serve HTTPS with these files; nil serves plain HTTP (TLS terminated by a load balancer).
    public var tls: TLSFiles?
    /// A proxy in front sets `X-Forwarded-Proto`: when it says `https`, the ops session cookie is
    /// marked `Secure`. Off by default, since without such a proxy any client could send the header.
    public var trustForwardedProto: Bool
    /// How long an ops-page sign-in lasts.
    public var opsSessionSeconds: Int
    /// Batch uploads one API key may have in progress at once (more: 429 with `Retry-After`).
    public var maxUploadsPerKey: Int
    /// Batch uploads the service accepts in progress at once (more: 503 with `Retry-After`).
    public var maxUploads: Int
    /// When set, `GET /metrics` needs `Authorization: Bearer <metricsToken>`.
    public var metricsToken: String?
    /// How long `/health` and `/metrics` reuse one reading of the store's figures.
    public var storeFiguresMaxAgeSeconds: Double = 5
    /// The key of the buyer page's links (`/track/t/<token>`, HMAC-derived; see ``TrackingLink``), at
    /// least 16 bytes; `clearance serve` reads it from `CLEARANCE_TRACKING_SECRET`. Nil: a random
    /// per-database key the store creates on first use (readable by whoever reads the database).
    public var trackingSecret: [UInt8]?
    /// The address buyers reach the service at (`https://track.example.cn`): the `trackingUrl` of
    /// the API's shipments is absolute under it; nil gives the path only.
    public var publicBaseURL: String?
    /// Buyer-page lookups one client address may try: `burst` at once, refilled per hour.
    public var trackAttemptsPerAddress = (burst: 10.0, perHour: 30.0)
    /// Buyer-page lookups of one order number, from anywhere: `burst` at once, refilled per hour.
    /// With four characters to guess, this is what stops a distributed guess at one parcel.
    public var trackAttemptsPerOrder = (burst: 5.0, perHour: 5.0)
    /// Live-update streams of the buyer page open at once: per client address, and in all.
    public var trackStreams = (perAddress: 8, total: 256)
    /// How often an open buyer page's stream looks at the store for changes.
    public var trackPollSeconds = 2.0

    /// Certificate files for HTTPS and mutual TLS.
    public struct TLSFiles: Sendable {
        /// Server certificate chain (PEM).
        public var certificatePath: String
        /// Server private key (PEM).
        public var keyPath: String
        /// CA certificates (PEM) that issue client certificates; when set, clients may present a
        /// certificate (optional, so API-key clients still connect) and one registered with
        /// `clearance enterprise cert register --client` authenticates its enterprise.
        public var clientCAPath: String?

        /// Creates the settings.
        public init(certificatePath: String, keyPath: String, clientCAPath: String? = nil) {
            self.certificatePath = certificatePath
            self.keyPath = keyPath
            self.clientCAPath = clientCAPath
        }
    }

    /// Creates a configuration with safe defaults.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, storeURL: String? = nil, defaultMaxBatchBytes: Int64 = 256 << 20,
        maxMessageBytes: Int = 4 << 20, rateLimitPerSecond: Double = 200, rateLimitBurst: Double = 400,
        requestTimeoutSeconds: Double = 30, batchTimeoutSeconds: Double = 600, batchEarlyAnswerBytes: Int64 = 1 << 20,
        batchEarlyAnswerSeconds: Double = 0.25, requireSignatureWhenRegistered: Bool = true, tls: TLSFiles? = nil,
        trustForwardedProto: Bool = false, opsSessionSeconds: Int = 8 * 3600, metricsToken: String? = nil,
        maxUploadsPerKey: Int = 4, maxUploads: Int = 32
    ) {
        self.maxUploadsPerKey = maxUploadsPerKey
        self.maxUploads = maxUploads
        self.metricsToken = metricsToken
        self.trustForwardedProto = trustForwardedProto
        self.opsSessionSeconds = opsSessionSeconds
        self.host = host
        self.port = port
        self.storeURL = storeURL
        self.defaultMaxBatchBytes = defaultMaxBatchBytes
        self.maxMessageBytes = maxMessageBytes
        self.rateLimitPerSecond = rateLimitPerSecond
        self.rateLimitBurst = rateLimitBurst
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.batchTimeoutSeconds = batchTimeoutSeconds
        self.batchEarlyAnswerBytes = batchEarlyAnswerBytes
        self.batchEarlyAnswerSeconds = batchEarlyAnswerSeconds
        self.requireSignatureWhenRegistered = requireSignatureWhenRegistered
        self.tls = tls
    }
}
