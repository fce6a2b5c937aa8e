import CEBModel
import CLibXML2
import ClearanceTestSupport
import Foundation
import Testing

extension Repository {
    /// The schema of the message a sample file is named after.
    static func schema(of file: String) -> String? {
        MessageCatalog.spec(number: number(of: file)).map { path("schemas/\($0.root).xsd") }
    }
}

/// Validates files with libxml2's XML Schema engine (what `xmllint --schema` runs).
enum SchemaValidator {
    final class Messages { var lines: [String] = [] }

    /// Loads a schema; the error messages when it does not load.
    static func load(_ schema: String) -> (OpaquePointer?, [String]) {
        let messages = Messages()
        guard let parser = xmlSchemaNewParserCtxt(schema) else { return (nil, ["cannot open \(schema)"]) }
        defer { xmlSchemaFreeParserCtxt(parser) }
        xmlSchemaSetParserStructuredErrors(parser, { context, error in
            guard let context, let error, let text = error.pointee.message else { return }
            Unmanaged<Messages>.fromOpaque(context).takeUnretainedValue().lines.append(String(cString: text))
        }, Unmanaged.passUnretained(messages).toOpaque())
        let loaded = xmlSchemaParse(parser)
        return (loaded, messages.lines)
    }

    /// Whether `file` is valid against `schema`, and libxml2's messages.
    static func validate(_ file: String, schema: String) -> (valid: Bool, messages: [String]) {
        let (loaded, problems) = load(schema)
        guard let loaded else { return (false, ["schema did not load"] + problems) }
        defer { xmlSchemaFree(loaded) }
        guard let context = xmlSchemaNewValidCtxt(loaded) else { return (false, ["no validation context"]) }
        defer { xmlSchemaFreeValidCtxt(context) }
        let messages = Messages()
        xmlSchemaSetValidStructuredErrors(context, { context, error in
            guard let context, let error, let text = error.pointee.message else { return }
            let line = error.pointee.line
            Unmanaged<Messages>.fromOpaque(context).takeUnretainedValue().lines
                .append("line \(line): " + String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines))
        }, Unmanaged.passUnretained(messages).toOpaque())
        let result = xmlSchemaValidateFile(context, file, Int32(XML_PARSE_NONET.rawValue))
        return (result == 0, messages.lines)
    }
}

/// The generated XSDs in `schemas/` against the samples in `samples/`.
@Suite struct SchemaTests {
    @Test(arguments: MessageCatalog.all.map(\.root))
    func everySchemaLoads(root: String) {
        let (schema, problems) = SchemaValidator.load(Repository.path("schemas/\(root).xsd"))
        #expect(schema != nil, "\(root).xsd does not load: \(problems)")
        if let schema { xmlSchemaFree(schema) }
    }

    @Test func everyMessageHasAValidSample() {
        for spec in MessageCatalog.all {
            #expect(Repository.validSamples.contains { Repository.number(of: $0) == spec.number }, "no valid sample for \(spec.number)")
        }
    }

    @Test(arguments: Repository.acceptedSamples)
    func validSamplePassesItsSchema(path: String) throws {
        let file = (path as NSString).lastPathComponent
        let schema = try #require(Repository.schema(of: file), "\(file) is not named after a message")
        let result = SchemaValidator.validate(Repository.path(path), schema: schema)
        #expect(result.valid, "\(path): \(result.messages)")
    }

    @Test(arguments: Repository.invalidSamples(coded: "SCH"))
    func schemaErrorSampleFailsItsSchema(file: String) throws {
        let schema = try #require(Repository.schema(of: file), "\(file) is not named after a message")
        let result = SchemaValidator.validate(Repository.path("samples/invalid/\(file)"), schema: schema)
        #expect(!result.valid, "\(file) breaks \(Repository.expected[file] ?? "?") but its schema accepts it")
    }

    /// Rule and warning samples break a customs rule, not the schema: each must still be schema-valid,
    /// so that it tests exactly one thing.
    @Test(arguments: Repository.invalidSamples(coded: "RUL") + Repository.invalidSamples(coded: "WRN"))
    func ruleSamplePassesItsSchema(file: String) throws {
        let schema = try #require(Repository.schema(of: file), "\(file) is not named after a message")
        let result = SchemaValidator.validate(Repository.path("samples/invalid/\(file)"), schema: schema)
        #expect(result.valid, "\(file): \(result.messages)")
    }

    @Test func expectedListNamesEveryInvalidSampleWithTheCodeInItsName() {
        #expect(Set(Repository.expected.keys) == Set(Repository.invalidSamples))
        #expect(Repository.invalidSamples.count >= 30)
        for (file, code) in Repository.expected {
            #expect(file.contains("-\(code)-"), "\(file) is listed with \(code)")
            #expect(code.range(of: #"^(SCH|RUL|WRN|XML)[0-9]{3}$"#, options: .regularExpression) != nil, "\(code)")
        }
    }

    @Test func schemaRejectsAnEmptyRequiredFieldAndAcceptsAnEmptyOptionalOne() throws {
        let original = try String(contentsOfFile: Repository.path("samples/valid/CEB311-order.xml"), encoding: .utf8)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let schema = Repository.path("schemas/CEB311Message.xsd")

        let emptyNote = directory.appendingPathComponent("note.xml")
        try original.replacingOccurrences(of: "<ceb:note>平潭跨境直购订单</ceb:note>", with: "<ceb:note></ceb:note>")
            .write(to: emptyNote, atomically: true, encoding: .utf8)
        #expect(SchemaValidator.validate(emptyNote.path, schema: schema).valid)

        let emptyOrderNo = directory.appendingPathComponent("orderNo.xml")
        try original.replacingOccurrences(of: "<ceb:orderNo>PT202611250001</ceb:orderNo>", with: "<ceb:orderNo></ceb:orderNo>")
            .write(to: emptyOrderNo, atomically: true, encoding: .utf8)
        #expect(!SchemaValidator.validate(emptyOrderNo.path, schema: schema).valid)
    }
}
