import ArgumentParser
import ClearanceRouting
import CustomsSimulator
import Foundation
import XMLSignature

/// `clearance simulate-customs`: a customs / inspection / payment counterpart for tests and demos.
struct SimulateCustomsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate-customs",
        abstract: "Run a simulated customs that accepts routed messages and answers with signed receipts.",
        discussion: """
            HTTP mode (--port): POST a CEB message or dxp:DxpMsg to /ceb (customs), /inspection (the inspection \
            authority) or /payments (the payment/FX regulator) → 202. Spool mode (--spool DIR): messages are \
            picked up from DIR and answered as --counterpart. Customs receipts follow the customs sequence \
            2 → 120 → (500) → 800 → 899 for inventories, 2 → 120 for orders, payments and waybills, or 100 \
            with a reason; the inspection authority answers InspReturn 2 → 120 → (500 hold) → 800 or 2 → 100; \
            the payment/FX regulator answers PayExReturn 2 → 120 or 2 → 100. Each answer comes after \
            --step-delay seconds; they go to --receipts-dir (a spool inbox) and/or \
            are POSTed to --receipts-url, signed with --key/--cert when given. Decisions are deterministic for \
            a --seed. With --realtime-requests-url, customs also asks for the payment data of every order it \
            receives (announcement 2018 No. 179; its customs account's key from $CLEARANCE_CUSTOMS_API_KEY) and \
            checks the uploads at /ceb2grab/grab/realTimeDataUpload against --realtime-cert. Runs until \
            SIGINT/SIGTERM or --duration seconds.
            """
    )

    @Option(help: "Listen on 127.0.0.1:PORT (0: any free port, printed).")
    var port: Int?

    @Option(help: "Listen address.")
    var host = "127.0.0.1"

    @Option(help: "Pick messages up from this spool directory instead.")
    var spool: String?

    @Option(help: "Write receipts into this directory (Clearance's receipt inbox).")
    var receiptsDir: String?

    @Option(help: "POST receipts to this URL.")
    var receiptsURL: String?

    @Option(help: "Seed of the random decisions.")
    var seed: UInt64 = 1

    @Option(help: "Share of declarations returned (100), 0…1.")
    var rejectRate: Double = 0

    @Option(help: "Share of inventories inspected (500) before release, 0…1.")
    var inspectRate: Double = 0

    @Option(help: "Share of inspection declarations held (500) by the inspection authority before release, 0…1.")
    var inspectionHoldRate: Double = 0

    @Option(help: "Share of inspection declarations rejected (100) by the inspection authority, 0…1.")
    var inspectionRejectRate: Double = 0

    @Option(help: "Share of payment data rejected (100) by the payment/FX regulator, 0…1.")
    var paymentRejectRate: Double = 0

    @Option(help: "Spool mode: answer as customs, inspection or payment.")
    var counterpart: String = "customs"

    @Option(help: "Seconds before each receipt.")
    var stepDelay: Double = 0.2

    @Option(help: "Customs signing key for receipts: a PEM file or a PKCS#11 URI (pkcs11:token=…;object=…).")
    var key: String?

    @OptionGroup var secret: KeySecretOptions

    @Option(help: "Customs certificate (PEM).")
    var cert: String?

    @Option(help: "Stop after this many seconds.")
    var duration: Double?

    @Option(help: "Ask for real-time payment data here (the platform's POST /v1/realtime/payment-requests URL).")
    var realtimeRequestsURL: String?

    @Option(help: "The platform's certificate registered for real-time data (PEM; repeat for several).")
    var realtimeCert: [String] = []

    func run() async throws {
        guard (port == nil) != (spool == nil) else { throw ValidationError("give --port N or --spool DIR") }
        guard let spoolCounterpart = Counterpart(rawValue: counterpart) else {
            throw ValidationError("--counterpart must be customs, inspection or payment")
        }
        for (name, rate) in [("--reject-rate", rejectRate), ("--inspect-rate", inspectRate),
                             ("--inspection-hold-rate", inspectionHoldRate), ("--inspection-reject-rate", inspectionRejectRate),
                             ("--payment-reject-rate", paymentRejectRate)] where !(0...1).contains(rate) {
            throw ValidationError("\(name) must be between 0 and 1")
        }
        var signer: DocumentSigner?
        if let key, let cert {
            do {
                signer = try DocumentSigner(
                    key: try secret.loadKey(key),
                    certificate: try Certificate(pem: try String(contentsOfFile: cert, encoding: .utf8)))
            } catch {
                OutputBuffer.standardError("clearance: cannot load the customs key: \(error)\n")
                throw Exit.usage
            }
        }
        var realtime: RealtimeDataConfig?
        if let realtimeRequestsURL {
            do {
                let certificates = try realtimeCert.map { try Certificate(pem: try String(contentsOfFile: $0, encoding: .utf8)) }
                realtime = RealtimeDataConfig(
                    requestsURL: realtimeRequestsURL, apiKey: ProcessInfo.processInfo.environment["CLEARANCE_CUSTOMS_API_KEY"],
                    registeredCertificates: certificates, askDelaySeconds: stepDelay)
            } catch {
                OutputBuffer.standardError("clearance: cannot load --realtime-cert: \(error)\n")
                throw Exit.usage
            }
        }
        let simulator: CustomsSimulator
        do {
            simulator = try CustomsSimulator(config: SimulatorConfig(
                seed: seed, rejectionRate: rejectRate, inspectionRate: inspectRate, inspectionHoldRate: inspectionHoldRate,
                inspectionRejectionRate: inspectionRejectRate, paymentRejectionRate: paymentRejectRate, stepDelaySeconds: stepDelay,
                receiptsURL: receiptsURL, receiptsSpool: receiptsDir, signer: signer, realtimeData: realtime))
        } catch {
            OutputBuffer.standardError("clearance: \(error)\n")
            throw Exit.usage
        }
        let duration = self.duration
        if let port {
            let server = SimulatorServer(simulator: simulator)
            let bound: Int
            do {
                bound = try await server.start(host: host, port: port)
            } catch {
                OutputBuffer.standardError("clearance: \(error)\n")
                throw Exit.usage
            }
            let banner = OutputBuffer()
            banner.line("simulate-customs listening on http://\(host):\(bound)/ceb")
            banner.flush()
            await Interruptible.run {
                try? await Task.sleep(nanoseconds: UInt64((duration ?? 1e9) * 1e9))
            }
            await server.stop()
        } else if let spool {
            let reader = SpoolSimulator(simulator: simulator, directory: spool, counterpart: spoolCounterpart)
            let banner = OutputBuffer()
            banner.line("simulate-customs reading \(spool)")
            banner.flush()
            await Interruptible.run {
                let task = Task { await reader.run() }
                try? await Task.sleep(nanoseconds: UInt64((duration ?? 1e9) * 1e9))
                task.cancel()
                await task.value
            }
        }
        _ = await simulator.waitUntilIdle(timeout: 5)
        await simulator.shutdown()
        for side in Counterpart.allCases {
            let counts = simulator.receivedCounts(at: side)
            guard side == .customs || !counts.isEmpty else { continue }
            print("\(side.rawValue): received \(counts.count) messages (\(counts.values.reduce(0, +)) submissions)")
        }
        print("receipts \(simulator.progress.emitted)")
        if let inspector = simulator.paymentData {
            let uploads = inspector.uploads
            print("payment data: asked \(inspector.requests.count), uploads \(uploads.count)"
                  + uploads.map { " \($0.verdict.rawValue)" }.joined())
        }
    }
}
