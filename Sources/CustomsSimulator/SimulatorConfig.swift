import Foundation
import XMLSignature

/// How the simulated customs behaves.
public struct SimulatorConfig: Sendable {
    /// Seed of every random decision (same seed and guids → same answers).
    public var seed: UInt64
    /// Share of declarations returned (100) with a reason, 0…1.
    public var rejectionRate: Double
    /// Share of inventories sent to inspection (500) before release, 0…1.
    public var inspectionRate: Double
    /// Share of inspection declarations the inspection authority holds (500) before releasing, 0…1.
    public var inspectionHoldRate: Double
    /// Share of inspection declarations the inspection authority rejects (100), 0…1.
    public var inspectionRejectionRate: Double
    /// Share of payment data the payment/FX regulator rejects (100), 0…1.
    public var paymentRejectionRate: Double
    /// Pause before each receipt of a declaration's sequence, in seconds.
    public var stepDelaySeconds: Double
    /// POST receipts here (bare CEB messages), if set.
    public var receiptsURL: String?
    /// Where each counterpart posts its answers, when not ``receiptsURL``: every authority answers
    /// with its own account, as the real ones do.
    public var receiptsURLs: [Counterpart: String]
    /// Write receipts into this spool inbox, if set.
    public var receiptsSpool: String?
    /// Signs receipts (customs' key), if set.
    public var signer: DocumentSigner?
    /// Customs code on inventory receipts when the declaration has none.
    public var customsCode: String
    /// Clock for returnTime.
    public var clock: @Sendable () -> Date
    /// Customs asks the platform for the payment data of each order it receives, if set.
    public var realtimeData: RealtimeDataConfig?

    /// Creates a configuration.
    public init(seed: UInt64 = 1, rejectionRate: Double = 0, inspectionRate: Double = 0,
                inspectionHoldRate: Double = 0, inspectionRejectionRate: Double = 0, paymentRejectionRate: Double = 0,
                stepDelaySeconds: Double = 0.05, receiptsURL: String? = nil, receiptsURLs: [Counterpart: String] = [:], receiptsSpool: String? = nil,
                signer: DocumentSigner? = nil, customsCode: String = "3501",
                clock: @escaping @Sendable () -> Date = { Date() }, realtimeData: RealtimeDataConfig? = nil) {
        self.seed = seed
        self.rejectionRate = rejectionRate
        self.inspectionRate = inspectionRate
        self.inspectionHoldRate = inspectionHoldRate
        self.inspectionRejectionRate = inspectionRejectionRate
        self.paymentRejectionRate = paymentRejectionRate
        self.stepDelaySeconds = stepDelaySeconds
        self.receiptsURL = receiptsURL
        self.receiptsURLs = receiptsURLs
        self.receiptsSpool = receiptsSpool
        self.signer = signer
        self.customsCode = customsCode
        self.clock = clock
        self.realtimeData = realtimeData
    }
}

/// SplitMix64: a small, seedable generator (deterministic simulator decisions).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A generator for one key: same seed and key, same sequence, whatever the arrival order.
    static func forKey(_ key: String, seed: UInt64) -> SplitMix64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return SplitMix64(seed: seed ^ hash)
    }

    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
