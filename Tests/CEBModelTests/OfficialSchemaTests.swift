import CEBModel
import ClearanceTestSupport
import Foundation
import Testing

/// The samples against the customs authority's own schemas (`schemas/official/202205`), with libxml2's
/// XML Schema engine (what `xmllint --schema` runs): an outside oracle for the generated model.
@Suite struct OfficialSchemaTests {
    /// The official schema file (`import.xsd` / `export.xsd`) of the edition that declares `root`, or nil.
    static func officialSchema(root: String, edition: String = "202205") -> String? {
        for family in ["import", "export"] {
            let path = Repository.path("schemas/official/\(edition)/\(family).xsd")
            if let text = try? String(contentsOfFile: path, encoding: .utf8), text.contains("<xs:element name=\"\(root)\">") {
                return path
            }
        }
        return nil
    }

    /// A structurally complete `ds:Signature` (its values do not verify): what the official schema checks.
    static let templateSignature = """
        <ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>\
        <ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>\
        <ds:SignatureMethod Algorithm="http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3"/>\
        <ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></ds:Transforms>\
        <ds:DigestMethod Algorithm="http://www.chinaport.gov.cn/2022/04/xmldsig#sm3"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>\
        </ds:SignedInfo><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>
        """

    /// Samples named after a message customs publishes.
    static let officialMessageSamples = Repository.validSamples.filter {
        MessageCatalog.spec(number: Repository.number(of: $0)).map { !$0.editions.isEmpty } ?? false
    }

    @Test func everyOfficialMessageOfBothEditionsIsInTheCatalog() throws {
        for edition in ["2018", "202205"] {
            for family in ["import", "export"] {
                let text = try String(contentsOfFile: Repository.path("schemas/official/\(edition)/\(family).xsd"), encoding: .utf8)
                let roots = text.matches(of: /<xs:element name="(CEB[0-9]{3}Message)">/).map { String($0.output.1) }
                #expect(!roots.isEmpty)
                for root in roots {
                    let spec = MessageCatalog.spec(root: root)
                    #expect(spec != nil, "\(root) of \(edition)/\(family).xsd is not in the catalog")
                    #expect(spec?.editions.contains(edition) == true, "\(root): editions \(spec?.editions ?? "")")
                }
            }
        }
        #expect(Self.officialMessageSamples.count >= 42)
    }

    /// Every sample is valid, as it stands, under the official 202205 schema of its family (the messages
    /// customs wants signed are signed with the public sample key: `samples/keys/`).
    @Test(arguments: officialMessageSamples)
    func validSamplePassesTheOfficialSchema(file: String) throws {
        let spec = try #require(MessageCatalog.spec(number: Repository.number(of: file)))
        let schema = try #require(Self.officialSchema(root: spec.root), "no official schema declares \(spec.root)")
        let result = SchemaValidator.validate(Repository.path("samples/valid/\(file)"), schema: schema)
        #expect(result.valid, "\(file): \(result.messages)")
        if spec.requiresSignature {
            let text = try String(contentsOfFile: Repository.path("samples/valid/\(file)"), encoding: .utf8)
            #expect(text.contains("<ds:Signature"), "\(file): \(spec.number) must be sampled signed")
        }
    }

    /// The unsigned twins (what merchants hand Clearance, which signs for them) are what the official
    /// schema refuses for the signature alone: with a signature at the official place (last, after
    /// `ExtendMessage`, where Clearance's signer puts it) they pass.
    @Test(arguments: Repository.xmlFiles("samples/unsigned"))
    func unsignedSampleLacksOnlyTheSignature(file: String) throws {
        let spec = try #require(MessageCatalog.spec(number: Repository.number(of: file)))
        #expect(spec.requiresSignature, "\(file): \(spec.number) needs no signature, it belongs in samples/valid")
        let schema = try #require(Self.officialSchema(root: spec.root))
        let path = Repository.path("samples/unsigned/\(file)")
        #expect(!SchemaValidator.validate(path, schema: schema).valid, "\(file): the official schema accepts \(spec.root) unsigned")
        #expect(spec.envelope.last?.part == .signature, "\(spec.number): the signature is not the last part")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let signed = text.replacingOccurrences(of: "</ceb:\(spec.root)>", with: Self.templateSignature + "\n</ceb:\(spec.root)>")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-official-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let signedPath = directory.appendingPathComponent(file).path
        try Data(signed.utf8).write(to: URL(fileURLWithPath: signedPath))
        let result = SchemaValidator.validate(signedPath, schema: schema)
        #expect(result.valid, "\(file): \(result.messages)")
    }

    /// The signature's place is part of the structure: before `ExtendMessage` is wrong for import messages.
    @Test func theOfficialSchemaRefusesAMisplacedSignature() throws {
        let file = "CEB621-inventory-with-inspection.xml"
        let text = try String(contentsOfFile: Repository.path("samples/unsigned/\(file)"), encoding: .utf8)
        let misplaced = text.replacingOccurrences(of: "  <ceb:ExtendMessage>", with: Self.templateSignature + "\n  <ceb:ExtendMessage>")
        #expect(misplaced != text)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-misplaced-\(UUID().uuidString).xml").path
        try Data(misplaced.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let schema = try #require(Self.officialSchema(root: "CEB621Message"))
        #expect(!SchemaValidator.validate(path, schema: schema).valid)
    }
}
