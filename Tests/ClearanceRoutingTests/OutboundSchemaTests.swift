import CEBModel
import ClearanceTestSupport
import ClearanceRouting
import ClearanceStore
import Foundation
import Testing
import XMLSignature

/// Runs a tool by name on PATH (or by path) with the test support's runner; a missing tool is a
/// failure, not a skip (`env` exits 127; `scripts/test.sh` installs libxml2-utils and xmlsec1).
private func run(_ tool: String, _ arguments: [String]) async throws -> CommandRunner.Ran {
    try await CommandRunner.run("/usr/bin/env", [tool] + arguments)
}

/// What Clearance sends customs passes customs' own schemas: the sample shipment and an export order
/// go through the real delivery path (flow → outbox → worker → signing → gate → dxp envelope → spool),
/// and every file written is checked by outside oracles — `xmllint` against the official `terminal.xsd`
/// (the envelope) and `import.xsd` / `export.xsd` (the CEB message inside), `xmlsec1` on a signature
/// placed before an export message's `ExtendMessage`. What customs would refuse is dead-lettered with a
/// stable code instead of sent.
@Suite(.serialized) struct OutboundSchemaTests {
    static let official = Repository.root.appendingPathComponent("schemas/official/202205").path
    static let types = ["CEB311", "CEB411", "CEB511", "CEB621", "CEB303"]

    /// A customs spool destination in `directory` and a table sending `types` there.
    static func table(_ directory: String) -> RoutingTable {
        let customs = DestinationConfig(
            name: "customs", transport: .spool(.init(outbox: directory)), profile: .standard, envelope: .dxp,
            receiverId: "DXPEDCCEB0000001", authority: .customs, maxAttempts: 3, maxAgeSeconds: 3600)
        var match = RoutingRule.Match()
        match.messageTypes = Set(types)
        return RoutingTable(senderId: "DXPENT0000000001", destinations: ["customs": customs],
                            rules: [RoutingRule(name: "to-customs", match: match, destinations: ["customs"], isFinal: true)])
    }

    /// A service key issued by a fresh CA, so that the tests can verify what was sent.
    static let service: (key: PrivateKey, certificate: Certificate, ca: Certificate) = {
        let caKey = try! PrivateKey.generate(kind: .ecP256)
        let ca = try! CertificateAuthority.selfSigned(commonName: "Outbound test CA", key: caKey)
        let key = try! PrivateKey.generate(kind: .ecP256)
        return (key, try! ca.issue(commonName: "Clearance outbound", publicKey: key.publicKey), ca.certificate)
    }()

    static func worker(_ store: any ClearanceFlowStore, _ table: RoutingTable, signed: Bool) -> DeliveryWorker {
        DeliveryWorker(
            store: store, table: { table },
            preparer: OutboundPreparer(key: signed ? service.key : nil, certificate: signed ? service.certificate : nil, senderId: table.senderId),
            policy: DeliveryPolicy(batchSize: 16, leaseSeconds: 10, baseDelaySeconds: 0.05, maxDelaySeconds: 0.2, idlePollSeconds: 0.02))
    }

    static let extendMessage = ElementName(namespace: EnvelopeSpecs.cebNamespace, localName: "ExtendMessage")

    /// The export order sample with fresh guids and an `ExtendMessage`, whose official place is after the signature.
    static func exportOrder() throws -> [UInt8] {
        var text = SampleShipment.freshGuids(String(decoding: try Repository.sample("CEB303-export-order.xml"), as: UTF8.self))
        text = text.replacingOccurrences(of: "</ceb:CEB303Message>", with: """
              <ceb:ExtendMessage>
                <ceb:name>REGION</ceb:name>
                <ceb:version>1.0</ceb:version>
                <ceb:Message><Note>Mawei pilot</Note></ceb:Message>
              </ceb:ExtendMessage>
            </ceb:CEB303Message>
            """)
        return Array(text.utf8)
    }

    @Test func everyFileSentPassesTheOfficialSchemas() async throws {
        let store = try await makeFlowStore(.sqlite)
        let out = scratchDirectory("outbound-schema")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let table = Self.table(out)
        let flow = ClearanceFlow(store: store, routing: { table })
        let shipment = SampleShipment.make(8100)
        for part in try shipment.all + [("export order", Self.exportOrder())] {
            let outcome = try await flow.accept(part.bytes)
            #expect(outcome.status != .invalid && outcome.status != .refused, "\(part.name): \(outcome.summary) \(outcome.issues)")
        }
        let worker = Self.worker(store, table, signed: true)
        let round = try await worker.drain(maxRounds: 200, timeout: 300)
        await worker.shutdown()
        let deadErrors = try await store.outboxEntries(status: .dead, limit: 10).map { $0.lastError ?? "" }
        #expect(round.delivered == 5, "\(deadErrors)")
        #expect(round.dead == 0)

        let files = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasSuffix(".xml") }.sorted()
        #expect(files.count == 5)
        let ca = out + "/ca.pem.txt"
        try Self.service.ca.pemRepresentation.write(toFile: ca, atomically: true, encoding: .utf8)
        let verifier = SignatureVerifier(policy: SignaturePolicy(
            trustStore: try TrustStore(anchors: [Self.service.ca]), elementsAllowedAfterSignature: [Self.extendMessage]))
        var seen: Set<String> = []
        for file in files {
            let path = out + "/" + file
            let envelope = try await run("xmllint", ["--noout", "--schema", Self.official + "/terminal.xsd", path])
            #expect(envelope.status == 0, "\(file): the dxp:DxpMsg envelope fails terminal.xsd: \(envelope.output)")
            let (info, message) = try TransportEnvelope.unwrap(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            let spec = try #require(MessageCatalog.spec(number: info.messageType), "\(file): \(info.messageType)")
            seen.insert(spec.number)
            let inner = out + "/inner-" + file + ".txt"
            try Data(message).write(to: URL(fileURLWithPath: inner))
            let family = spec.flow == .export ? "export" : "import"
            let ceb = try await run("xmllint", ["--noout", "--schema", Self.official + "/\(family).xsd", inner])
            #expect(ceb.status == 0, "\(file): the CEB message fails \(family).xsd: \(ceb.output)")
            let result = try verifier.verify(bytes: message)
            #expect(result.signer == Self.service.certificate, "\(file)")
            if spec.number == "CEB303" {
                let text = String(decoding: message, as: UTF8.self)
                let signature = try #require(text.range(of: "<ds:Signature"))
                let extend = try #require(text.range(of: "<ceb:ExtendMessage>"))
                #expect(signature.lowerBound < extend.lowerBound, "export: the signature precedes ExtendMessage")
                let xmlsec = try await run("xmlsec1", ["--verify", "--trusted-pem", ca, inner])
                #expect(xmlsec.status == 0, "xmlsec1 refused the export signature: \(xmlsec.output)")
            }
        }
        #expect(seen == Set(Self.types))
        await store.close()
    }

    /// `clearance sign` puts the signature where the official schema of the message wants it, too.
    @Test func theSignCommandPlacesTheSignatureAsTheOfficialSchemaOrders() async throws {
        let binary = try #require((try? TestBinaries.clearance()), "the clearance executable is built with the tests")
        let dir = scratchDirectory("outbound-sign")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.service.key.pemRepresentation().write(toFile: dir + "/key.pem", atomically: true, encoding: .utf8)
        try Self.service.certificate.pemRepresentation.write(toFile: dir + "/cert.pem", atomically: true, encoding: .utf8)
        let inspection = try Repository.sample("unsigned/CEB621-inventory-with-inspection.xml")
        for (name, bytes, family) in [("export.xml", try Self.exportOrder(), "export"), ("import.xml", inspection, "import")] {
            try Data(bytes).write(to: URL(fileURLWithPath: dir + "/" + name))
            let signed = try await run(binary, ["sign", "--key", dir + "/key.pem", "--cert", dir + "/cert.pem", "-o", dir + "/signed-" + name, dir + "/" + name])
            #expect(signed.status == 0, "\(signed.output)")
            let check = try await run("xmllint", ["--noout", "--schema", Self.official + "/\(family).xsd", dir + "/signed-" + name])
            #expect(check.status == 0, "\(name): \(check.output)")
        }
    }

    @Test func anUnsignedInventoryWithoutAServiceKeyIsDeadLetteredNotSent() async throws {
        let store = try await makeFlowStore(.sqlite)
        let out = scratchDirectory("outbound-unsigned")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let table = Self.table(out)
        let flow = ClearanceFlow(store: store, routing: { table })
        let shipment = SampleShipment.make(8200)
        for part in shipment.all { _ = try await flow.accept(part.bytes) }
        let worker = Self.worker(store, table, signed: false)
        let round = try await worker.drain(maxRounds: 200, timeout: 300)
        await worker.shutdown()
        #expect(round.delivered == 3, "order, payment and waybill need no signature")
        #expect(round.dead == 1)
        let dead = try await store.outboxEntries(status: .dead, limit: 10)
        let error = try #require(dead.first?.lastError)
        #expect(dead.first?.attempts == 1, "a refusal is permanent: not retried")
        #expect(error.hasPrefix("OUT002"), "\(error)")
        #expect(error.contains("customs requires a signature on CEB621") && error.contains("configure --key/--cert"), "\(error)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasSuffix(".xml") }
        #expect(files.count == 3)
        #expect(!files.contains { $0.hasPrefix("CEB621") }, "the inventory never reached the spool")
        await store.close()
    }

    /// An order of 100 lines: customs takes at most 99 per order (import.xsd `OrderList maxOccurs="99"`).
    @Test func anOrderOverTheCustomsLimitIsDeadLetteredWithTheLimit() async throws {
        let store = try await makeFlowStore(.sqlite)
        let out = scratchDirectory("outbound-limit")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let table = Self.table(out)
        let flow = ClearanceFlow(store: store, routing: { table })
        var text = String(decoding: SampleShipment.make(8300).order, as: UTF8.self)
        let first = try #require(text.range(of: "<ceb:OrderList>"))
        let last = try #require(text.range(of: "</ceb:OrderList>", options: .backwards))
        var lines = ""
        for gnum in 1...100 {
            lines += """
                <ceb:OrderList><ceb:gnum>\(gnum)</ceb:gnum><ceb:itemNo>AU-MP-\(gnum)</ceb:itemNo><ceb:itemName>奶粉</ceb:itemName><ceb:gmodel>900克/罐</ceb:gmodel>\
                <ceb:unit>122</ceb:unit><ceb:qty>1</ceb:qty><ceb:price>7.42</ceb:price><ceb:totalPrice>7.42</ceb:totalPrice>\
                <ceb:currency>142</ceb:currency><ceb:country>601</ceb:country></ceb:OrderList>

                """
        }
        text.replaceSubrange(first.lowerBound..<last.upperBound, with: lines)
        let outcome = try await flow.accept(Array(text.utf8))
        guard case .routed = outcome.status else {
            Issue.record("the 100-line order was not routed: \(outcome.summary) \(outcome.issues)")
            return
        }
        let worker = Self.worker(store, table, signed: true)
        let round = try await worker.drain(maxRounds: 50, timeout: 300)
        await worker.shutdown()
        #expect(round.delivered == 0)
        #expect(round.dead == 1)
        let error = try #require(try await store.outboxEntries(status: .dead, limit: 1).first?.lastError)
        #expect(error.hasPrefix("OUT003"), "\(error)")
        #expect(error.contains("100 lines") && error.contains("at most 99"), "\(error)")
        #expect(error.contains("does not split"), "\(error)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasSuffix(".xml") }.isEmpty)
        // The oracle agrees: the official schema refuses this order.
        let path = out + "/order-100-lines.txt"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        #expect(try await run("xmllint", ["--noout", "--schema", Self.official + "/import.xsd", path]).status != 0)
        await store.close()
    }

    /// A sender's own signature in the wrong place (before an import message's ExtendMessage) is a
    /// structural error: refused for customs (`OUT001`), forwarded to a destination without the gate.
    @Test func aMisplacedSenderSignatureIsRefusedForCustomsOnly() throws {
        let signature = """
            <ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>\
            <ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>\
            <ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"/>\
            <ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></ds:Transforms>\
            <ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>\
            </ds:SignedInfo><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>
            """
        let text = String(decoding: try Repository.sample("unsigned/CEB621-inventory-with-inspection.xml"), as: UTF8.self)
        let misplaced = Array(text.replacingOccurrences(of: "  <ceb:ExtendMessage>", with: signature + "\n  <ceb:ExtendMessage>").utf8)
        #expect(misplaced.count > text.utf8.count)
        let preparer = OutboundPreparer(key: Self.service.key, certificate: Self.service.certificate, senderId: "DXPENT0000000001")
        let customs = Self.table("/nonexistent").destinations["customs"]!
        do {
            _ = try preparer.prepare(raw: misplaced, guid: "G", messageType: "CEB621", for: customs)
            Issue.record("a misplaced signature was prepared for customs")
        } catch {
            #expect(error.code == "OUT001")
            #expect(error.isPermanent)
            #expect(error.message.contains("SCH010"), "\(error.message)")
        }
        var webhook = customs
        webhook.authority = nil
        #expect(try preparer.prepare(raw: misplaced, guid: "G", messageType: "CEB621", for: webhook).bytes.count > misplaced.count)
    }
}
