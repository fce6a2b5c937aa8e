import HTTPTypes

extension HTTPField.Name {
    /// An API key, as an alternative to `Authorization: Bearer`.
    static let xAPIKey = Self("X-API-Key")!
    /// The id of a batch (chosen by the client on upload, or returned by the service).
    static let xBatchId = Self("X-Batch-Id")!
    /// Set on the replayed answer to a message already submitted.
    static let xClearanceDuplicate = Self("X-Clearance-Duplicate")!
    /// Forbids framing the ops pages.
    static let xFrameOptions = Self("X-Frame-Options")!
    /// The scheme the client used, as set by a TLS-terminating proxy (honoured only when configured).
    static let xForwardedProto = Self("X-Forwarded-Proto")!
    /// Keeps the buyer page's link (its token) out of the `Referer` of anything it links to.
    static let referrerPolicy = Self("Referrer-Policy")!
}
