import XMLSignature

/// How the simulated customs asks a platform for the original payment data of the orders it
/// receives (customs announcement 2018 No. 179), and whose signatures it takes on the answers.
public struct RealtimeDataConfig: Sendable {
    /// Where customs posts its requests: the platform's endpoint, e.g. `http://…/v1/realtime/payment-requests`.
    public var requestsURL: String
    /// The customs authority account's API key there (sent as `Authorization: Bearer …`), if any.
    public var apiKey: String?
    /// The certificates the platform registered for real-time data: an answer whose `certNo` is not
    /// one of them is refused `20004`, as customs does.
    public var registeredCertificates: [Certificate]
    /// Pause between receiving an order and asking for its payment data, in seconds.
    public var askDelaySeconds: Double

    /// Creates a configuration.
    public init(requestsURL: String, apiKey: String? = nil, registeredCertificates: [Certificate], askDelaySeconds: Double = 0.2) {
        self.requestsURL = requestsURL
        self.apiKey = apiKey
        self.registeredCertificates = registeredCertificates
        self.askDelaySeconds = askDelaySeconds
    }
}
