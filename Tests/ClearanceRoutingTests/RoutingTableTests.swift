import ClearanceTestSupport
import CEBModel
@testable import ClearanceRouting
import Foundation
import Testing

/// The routing table: the shipped default rules, validation errors with positions, matching,
/// environment substitution and hot reload.
@Suite struct RoutingTableTests {
    func facts(_ sample: String) throws -> RoutingFacts {
        let message = try DecodedMessage.decode(try Repository.sample(sample))
        return RoutingFacts(messageType: message.messageType, documents: message.documents, senderCode: message.senderCode)
    }

    func defaultTable() throws -> RoutingTable {
        try RoutingTable.load(path: Repository.defaultRoutes, environment: ["CLEARANCE_SPOOL": "/tmp/spool"])
    }

    @Test func shippedDefaultRulesLoadAndValidate() throws {
        let table = try defaultTable()
        #expect(table.rules.map(\.name) == ["inspection", "dishonest-party-inspection", "payments-to-forex", "pingtan-taiwan-channel", "customs-fuzhou", "customs-xiamen", "customs-national"])
        #expect(Set(table.destinations.keys) == ["customs-fuzhou", "customs-xiamen", "customs-national", "customs-pingtan", "inspection", "payment-forex", "customs-realtime"])
        #expect(table.realtimeData == "customs-realtime")
        guard case .spool(let spool) = table.destinations["customs-pingtan"]?.transport else { Issue.record("pingtan is a spool"); return }
        #expect(spool.outbox == "/tmp/spool/pingtan/out")
        #expect(table.destinations["customs-fuzhou"]?.profile == .eport)
        #expect(table.senderId == "DXPENT0000000001")
    }

    @Test func taiwanOriginGoodsAtPingtanTakeTheCrossStraitChannel() throws {
        let table = try defaultTable()
        let inventory = try facts("CEB621-inventory.xml")
        #expect(inventory.portCode == "3516")
        #expect(inventory.originCountries.contains("143"))
        let decision = table.route(inventory)
        #expect(decision.destinations == ["customs-pingtan"])
        #expect(decision.rules == ["pingtan-taiwan-channel"])
    }

    @Test func sameInventoryWithoutTaiwanGoodsGoesToFuzhouCustoms() throws {
        let table = try defaultTable()
        var inventory = try facts("CEB621-inventory.xml")
        inventory.originCountries = ["601"]
        #expect(table.route(inventory) == RoutingDecision(destinations: ["customs-fuzhou"], rules: ["customs-fuzhou"]))
        inventory.originCountries = ["143"]
        inventory.portCode = "3501"
        #expect(table.route(inventory).destinations == ["customs-fuzhou"])
        inventory.customsCode = "3701"
        #expect(table.route(inventory).destinations == ["customs-xiamen"])
    }

    @Test func inspectionAndPaymentsAddDestinations() throws {
        let table = try defaultTable()
        let withInspection = try facts("CEB621-inventory-with-inspection.xml")
        #expect(withInspection.hasInspection)
        #expect(table.route(withInspection).destinations.first == "inspection")
        let payment = table.route(try facts("CEB411-payment.xml"))
        #expect(payment.destinations == ["payment-forex", "customs-national"])
        #expect(payment.rules == ["payments-to-forex", "customs-national"])
        #expect(table.route(try facts("CEB311-order.xml")).destinations == ["customs-national"])
    }

    @Test func partyGradeSendsDishonestPartiesToInspectionToo() throws {
        let table = try defaultTable()
        var order = try facts("CEB311-order.xml")
        #expect(order.parties.contains(Party(role: .ecommerce, code: "91350100MA2YH3LK7J")))
        #expect(order.parties.map(\.role).sorted() == [.platform, .ecommerce, .payment])
        order.partyGrades = [.generalCredit]
        #expect(table.route(order).destinations == ["customs-national"])
        order.partyGrades = [.generalCredit, .dishonest]
        #expect(table.route(order).destinations == ["inspection", "customs-national"])
        #expect(table.route(order).rules.first == "dishonest-party-inspection")
    }

    @Test func partyGradeMustBeAKnownGrade() {
        let yaml = """
            version: 1
            senderId: DXPENT0000000001
            destinations:
              a: { http: { url: "http://127.0.0.1:9/a" } }
            rules:
              - name: r
                match: { partyGrade: [dishonest, shady] }
                to: a
            """
        do {
            _ = try RoutingTable.parse(yaml: yaml)
            Issue.record("an unknown grade must be refused")
        } catch {
            #expect(error.errors.contains { $0.message.contains("unknown partyGrade 'shady'") && $0.line != nil })
        }
    }

    @Test func connectTimeoutIsItsOwnSettingWithADefault() throws {
        let yaml = """
            version: 1
            senderId: DXPENT0000000001
            destinations:
              a: { http: { url: "http://127.0.0.1:9/a", timeoutSeconds: 30, connectTimeoutSeconds: 1.5 }, envelope: none }
              b: { http: { url: "http://127.0.0.1:9/b", timeoutSeconds: 30 }, envelope: none }
            rules:
              - name: r
                match: { messageType: [CEB311] }
                to: [a, b]
            """
        let table = try RoutingTable.parse(yaml: yaml)
        guard case .http(let a)? = table.destinations["a"]?.transport, case .http(let b)? = table.destinations["b"]?.transport else {
            Issue.record("http destinations expected")
            return
        }
        #expect(a.connectTimeoutSeconds == 1.5 && a.timeoutSeconds == 30)
        #expect(b.connectTimeoutSeconds == nil, "unset: the destination uses timeoutSeconds, at most 10")
    }

    @Test func unknownMessageIsUnrouted() throws {
        let table = try defaultTable()
        #expect(table.route(RoutingFacts(messageType: "CEB900")).isUnrouted)
    }

    @Test func validationReportsEveryProblemWithItsLine() throws {
        let yaml = """
            version: 1
            senderId: DXPENT0000000001
            destinations:
              a:
                http:
                  url: ftp://example
                envelope: dxp
              b:
                spool:
                  outbox: /tmp/x
                envelope: none
                profile: fancy
            rules:
              - name: one
                match:
                  tradeMode: "0110"
                  colour: red
                to: [a, nowhere]
              - name: one
                to: b
            """
        do {
            _ = try RoutingTable.parse(yaml: yaml, file: "routes.yaml")
            Issue.record("expected validation errors")
        } catch {
            let text = error.description
            #expect(text.contains("routes.yaml:6:"), "url error names its line: \(text)")
            #expect(text.contains("url must be an http:// or https:// URL"))
            #expect(text.contains("a dxp envelope needs a receiverId"))
            #expect(text.contains("unknown signature profile 'fancy'"))
            #expect(text.contains("routes.yaml:16:") && text.contains("unknown trade mode '0110'"))
            #expect(text.contains("routes.yaml:17:") && text.contains("unknown key 'colour'"))
            #expect(text.contains("unknown destination 'nowhere'"))
            #expect(text.contains("duplicate rule name 'one'"))
        }
    }

    @Test func yamlSyntaxErrorNamesItsPosition() {
        do {
            _ = try RoutingTable.parse(yaml: "rules: [\n  - a\n", file: "bad.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.errors.first?.file == "bad.yaml")
            #expect(error.errors.first?.line != nil)
        }
    }

    @Test func environmentSubstitution() throws {
        let yaml = """
            version: 1
            senderId: ${DXP:-DXPDEFAULT}
            destinations:
              c:
                http: {url: "${URL}"}
                envelope: none
            rules:
              - {name: all, to: c}
            """
        let table = try RoutingTable.parse(yaml: yaml, environment: ["URL": "http://127.0.0.1:9/x"])
        #expect(table.senderId == "DXPDEFAULT")
        guard case .http(let http) = table.destinations["c"]?.transport else { Issue.record("http"); return }
        #expect(http.url == "http://127.0.0.1:9/x")
        #expect(table.route(RoutingFacts(messageType: "CEB311")).destinations == ["c"])
    }

    @Test func hotReloadPicksUpChangesAndKeepsTheLastGoodTable() throws {
        let dir = scratchDirectory("reload")
        let path = dir + "/routes.yaml"
        func write(_ destination: String) throws {
            let yaml = """
                version: 1
                senderId: DXPENT0000000001
                destinations:
                  \(destination):
                    spool: {outbox: /tmp/out}
                    envelope: none
                rules:
                  - {name: all, to: \(destination)}
                """
            try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        }
        try write("first")
        let watcher = try RoutingTableWatcher(source: .file(path), minimumInterval: 0)
        #expect(watcher.current().destinations.keys.sorted() == ["first"])
        try write("second")
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: path)
        #expect(watcher.current().destinations.keys.sorted() == ["second"])
        try "rules: [".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(10)], ofItemAtPath: path)
        #expect(watcher.current().destinations.keys.sorted() == ["second"])
        #expect(watcher.reloadError != nil)
    }
}
