import CEBModel
import ClearanceTestSupport
import Foundation
import Testing

/// The merchant's JSON face: JSON documents with the standard's names written as CEB XML.
///
/// The round trip runs through an independent half: `scripts/xml2json.py` (Python's ElementTree,
/// knowing nothing of the specs) turns each declaration sample into JSON; the renderer writes XML
/// from it; both XMLs decode to the same typed documents and envelope, and the rendered XML is valid
/// under Clearance's schema and the official one.
@Suite struct JSONRenderTests {
    /// Every declaration sample (signed ones through their unsigned twins: JSON carries no signature;
    /// the inspection sample's `ExtendMessage` has no JSON form).
    static let declarationSamples: [String] = Repository.acceptedSamples.filter { path in
        let file = (path as NSString).lastPathComponent
        guard let spec = MessageCatalog.spec(number: Repository.number(of: file)), spec.role == .declaration else { return false }
        return !path.hasPrefix("samples/valid/") || !spec.requiresSignature
    }.filter { !$0.contains("with-inspection") }

    static func json(of path: String) async throws -> [JSONValue] {
        let ran = try await CommandRunner.run("/usr/bin/env", ["python3", Repository.path("scripts/xml2json.py"), Repository.path(path)])
        try #require(ran.status == 0, "xml2json: \(ran.output)")
        return try JSONDocuments.split(Array(ran.output.utf8)).map { try $0.value.get() }
    }

    @Test func everyDeclarationTypeIsCovered() {
        let covered = Set(Self.declarationSamples.map { Repository.number(of: ($0 as NSString).lastPathComponent) })
        let declarations = Set(MessageCatalog.all.filter { $0.role == .declaration }.map(\.number))
        #expect(covered == declarations, "no JSON round trip for \(declarations.subtracting(covered).sorted())")
    }

    @Test(arguments: declarationSamples)
    func roundTrip(path: String) async throws {
        let file = (path as NSString).lastPathComponent
        let spec = try #require(MessageCatalog.spec(number: Repository.number(of: file)))
        let original = try WholeMessage.decode(Array(try Data(contentsOf: URL(fileURLWithPath: Repository.path(path)))))
        let documents = try await Self.json(of: path)
        #expect(documents.count == original.documents.count)
        for (index, json) in documents.enumerated() {
            let xml = try CEBJSONRenderer.render(json)
            let rendered = try WholeMessage.decode(xml)
            #expect(rendered.documents == [original.documents[index]], "\(file) document \(index + 1)")
            #expect(rendered.envelope?.baseTransfer == original.envelope?.baseTransfer)
            #expect(rendered.guid == original.guid)
            #expect(rendered.issues.filter { $0.severity == .error }.isEmpty, "\(rendered.issues)")
            // Valid under Clearance's schema, and under the official one (with a signature where it wants one).
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-json-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let out = directory.appendingPathComponent(file).path
            try Data(xml).write(to: URL(fileURLWithPath: out))
            let ours = SchemaValidator.validate(out, schema: try #require(Repository.schema(of: file)))
            #expect(ours.valid, "\(file): \(ours.messages)")
            if let official = OfficialSchemaTests.officialSchema(root: spec.root) {
                var text = String(decoding: xml, as: UTF8.self)
                if spec.requiresSignature {
                    text = text.replacingOccurrences(of: "</ceb:\(spec.root)>", with: OfficialSchemaTests.templateSignature + "\n</ceb:\(spec.root)>")
                }
                try Data(text.utf8).write(to: URL(fileURLWithPath: out))
                let result = SchemaValidator.validate(out, schema: official)
                #expect(result.valid, "\(file) (official): \(result.messages)")
            }
        }
    }

    /// A Python with a JSON Schema validator: the venv `scripts/test.sh` makes for schemathesis (which
    /// brings `jsonschema_rs`), else the system's (with `jsonschema`).
    static var pythonWithJSONSchema: String {
        let venv = Repository.path(".build/schemathesis-venv/bin/python3")
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "/usr/bin/python3"
    }

    /// The generated JSON Schema (`schemas/json/`) accepts what `xml2json.py` makes of every declaration
    /// sample, judged by an outside validator (`jsonschema_rs` or `jsonschema`), and refuses a document with an
    /// unknown member or a missing one.
    @Test(arguments: declarationSamples)
    func theGeneratedJSONSchemaAcceptsTheSample(path: String) async throws {
        let file = (path as NSString).lastPathComponent
        let spec = try #require(MessageCatalog.spec(number: Repository.number(of: file)))
        let ran = try await CommandRunner.run("/usr/bin/env", ["python3", Repository.path("scripts/xml2json.py"), Repository.path(path)])
        try #require(ran.status == 0, "xml2json: \(ran.output)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-jsonschema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("good.jsonl").path, bad = directory.appendingPathComponent("bad.jsonl").path
        try ran.output.write(toFile: good, atomically: true, encoding: .utf8)
        let head = spec.document.head.element
        let broken = ran.output.split(separator: "\n").map { line in
            line.replacingOccurrences(of: "\"\(head)\": {", with: "\"\(head)\": {\"colour\": \"red\", ")
        }.joined(separator: "\n")
        try broken.write(toFile: bad, atomically: true, encoding: .utf8)
        let script = """
            import json, sys
            try:
                import jsonschema_rs as engine  # schemathesis's validator (Rust), in its venv
            except ImportError:
                import jsonschema as engine
            schema = json.load(open(sys.argv[1], encoding="utf-8"))
            validator = engine.Draft202012Validator(schema)
            errors = [e.message for line in open(sys.argv[2], encoding="utf-8") if line.strip() for e in validator.iter_errors(json.loads(line))]
            print("\\n".join(errors)); sys.exit(1 if errors else 0)
            """
        let schema = Repository.path("schemas/json/\(spec.number).schema.json")
        let accepted = try await CommandRunner.run(Self.pythonWithJSONSchema, ["-c", script, schema, good])
        #expect(accepted.status == 0, "\(file): \(accepted.output)")
        let refused = try await CommandRunner.run(Self.pythonWithJSONSchema, ["-c", script, schema, bad])
        #expect(refused.status == 1 && refused.output.contains("colour"), "\(file): \(refused.output)")
    }

    /// The Pingtan order as JSON, to vary.
    static func order() async throws -> JSONValue { try #require(try await json(of: "samples/valid/CEB311-order.xml").first) }

    static func replacing(_ json: JSONValue, at path: [String], with value: JSONValue?) -> JSONValue {
        guard let key = path.first, case .object(var members) = json else { return value ?? .null }
        if path.count == 1 {
            if let value {
                if let i = members.firstIndex(where: { $0.key == key }) { members[i].value = value } else { members.append((key, value)) }
            } else {
                members.removeAll { $0.key == key }
            }
        } else if let i = members.firstIndex(where: { $0.key == key }) {
            members[i].value = replacing(members[i].value, at: Array(path.dropFirst()), with: value)
        }
        return .object(members)
    }

    static func issues(_ json: JSONValue) -> [JSONFieldIssue] {
        do {
            _ = try CEBJSONRenderer.render(json)
            return []
        } catch {
            return error.issues
        }
    }

    @Test func faultsAreNamedByTheirJSONPath() async throws {
        let order = try await Self.order()
        var broken = Self.replacing(order, at: ["OrderHead", "orderNo"], with: nil)
        broken = Self.replacing(broken, at: ["OrderHead", "colour"], with: .string("red"))
        broken = Self.replacing(broken, at: ["OrderHead", "goodsValue"], with: .bool(true))
        broken = Self.replacing(broken, at: ["OrderHead", "freight"], with: .number("10.123456"))
        broken = Self.replacing(broken, at: ["OrderHead", "discount"], with: .number("2e1"))
        broken = Self.replacing(broken, at: ["Extra"], with: .null)
        let found = Self.issues(broken).map { "\($0.code) \($0.path)" }
        #expect(found == ["JSN010 $.Extra", "JSN010 $.OrderHead.colour", "JSN011 $.OrderHead.orderNo", "JSN012 $.OrderHead.goodsValue",
                          "JSN013 $.OrderHead.freight", "JSN013 $.OrderHead.discount"], "\(found)")
        let lines = Self.replacing(order, at: ["OrderList"], with: .array([.object([("gnum", .bool(false))])]))
        #expect(Self.issues(lines).contains { $0.path == "$.OrderList[0].gnum" && $0.code == "JSN012" })
        #expect(Self.issues(Self.replacing(order, at: ["BaseTransfer"], with: nil)).map(\.path) == ["$.BaseTransfer"])
        #expect(Self.issues(Self.replacing(order, at: ["messageType"], with: .string("CEB312"))).map(\.code) == ["JSN014"])
        #expect(Self.issues(.array([])).map(\.code) == ["JSN011"])
    }

    @Test func numbersAndTimesAreNormalised() async throws {
        var order = try await Self.order()
        order = Self.replacing(order, at: ["OrderHead", "goodsValue"], with: .number("0742.5"))
        order = Self.replacing(order, at: ["OrderHead", "freight"], with: .string("10.000"))
        order = Self.replacing(order, at: ["OrderHead", "appTime"], with: .string("2026-11-25T01:30:00Z"))
        order = Self.replacing(order, at: ["OrderHead", "currency"], with: .number("142"))
        order = Self.replacing(order, at: ["OrderHead", "note"], with: .string("<b> & \"quoted\""))
        let text = String(decoding: try CEBJSONRenderer.render(order), as: UTF8.self)
        for needle in ["<ceb:goodsValue>742.50</ceb:goodsValue>", "<ceb:freight>10.00</ceb:freight>", "<ceb:appTime>20261125093000</ceb:appTime>",
                       "<ceb:currency>142</ceb:currency>", "<ceb:note>&lt;b&gt; &amp; \"quoted\"</ceb:note>"] {
            #expect(text.contains(needle), "\(needle) in\n\(text)")
        }
        let offset = Self.replacing(order, at: ["OrderHead", "appTime"], with: .string("2026-11-25T09:30:00.250+08:00"))
        #expect(String(decoding: try CEBJSONRenderer.render(offset), as: UTF8.self).contains("<ceb:appTime>20261125093000</ceb:appTime>"))
        for bad in ["2026-11-25T09:30:00", "2026-02-30T09:30:00+08:00", "20261125", "yesterday"] {
            let issues = Self.issues(Self.replacing(order, at: ["OrderHead", "appTime"], with: .string(bad)))
            #expect(issues.map(\.code) == ["JSN013"], "\(bad): \(issues)")
        }
        let control = Self.issues(Self.replacing(order, at: ["OrderHead", "note"], with: .string("a\u{1}b")))
        #expect(control.map(\.code) == ["JSN013"])
    }

    @Test func theParserIsStrictAndBounded() throws {
        func code(_ text: String) -> String? {
            do {
                _ = try JSONParser.parse(Array(text.utf8))
                return nil
            } catch {
                return error.code
            }
        }
        #expect(code(#"{"a": 1, "a": 2}"#) == "JSN003")
        #expect(code(String(repeating: "[", count: 100_000)) == "JSN002")
        for bad in [#"{"a": 1,}"#, "[01]", "{'a': 1}", #"{"a": 1} x"#, #""\ud800""#, "nul", "1.", "-", #""a\x""#] {
            #expect(code(bad) == "JSN001", "\(bad)")
        }
        #expect(try JSONParser.parse(Array(#"{"n": -12.50e+1, "s": "\u4e2d\ud83d\ude00\n"}"#.utf8))
                == .object([("n", .number("-12.50e+1")), ("s", .string("中😀\n"))]))
    }

    @Test func jsonLinesAreSplitAndABrokenLineStandsAlone() {
        let entries = JSONDocuments.split(Array("{\"a\": 1}\n\n{broken\n{\"b\": 2}\n".utf8))
        #expect(entries.map(\.position) == [1, 3, 4])
        #expect((try? entries[0].value.get()) == .object([("a", .number("1"))]))
        #expect((try? entries[1].value.get()) == nil)
        #expect(JSONDocuments.split(Array("[{\"a\": 1}, {\"b\": 2}]".utf8)).count == 2)
    }

    @Test func decoderFieldsMapToJSONPaths() {
        #expect(CEBJSONRenderer.jsonPath(ofField: "OrderList[2].qty", spec: MessageCatalog.ceb311) == "$.OrderList[1].qty")
        #expect(CEBJSONRenderer.jsonPath(ofField: "orderNo", spec: MessageCatalog.ceb311) == "$.OrderHead.orderNo")
        #expect(CEBJSONRenderer.jsonPath(ofField: "BaseTransfer/copCode", spec: MessageCatalog.ceb311) == "$.BaseTransfer.copCode")
        #expect(CEBJSONRenderer.jsonPath(ofField: nil, spec: MessageCatalog.ceb311) == "$")
    }
}
