import ClearanceTestSupport
import CEBModel
import ClearanceRules
import Foundation
import Testing
import XMLStreaming

/// Every valid sample validates clean; every invalid sample is refused with the code it was made for.
@Suite struct SampleValidationTests {
    static let root = Repository.root

    static func files(_ folder: String) -> [String] { Repository.xmlFiles("samples/\(folder)") }

    static let expected = Repository.expected

    final class Findings: ValidationObserver {
        var issues: [ValidationIssue] = []
        var documents = 0
        func validated(_ decode: () -> CEBDocument, context: DocumentContext) {
            documents += 1
            issues += context.issues
            _ = decode()
        }
        func messageFinished(_ envelope: MessageEnvelope) { issues += envelope.issues }
    }

    static func validate(_ path: String) -> (Findings, XMLStreamError?) {
        let findings = Findings()
        do throws(XMLStreamError) {
            try MessageValidator.validate(path: root.appendingPathComponent(path).path, observer: findings)
            return (findings, nil)
        } catch {
            return (findings, error)
        }
    }

    @Test func samplesExist() {
        #expect(Self.files("valid").count >= 40)
        #expect(Self.files("invalid").count >= 20)
        #expect(Self.expected.count == Self.files("invalid").count)
    }

    @Test(arguments: files("valid"))
    func validSampleHasNoIssue(file: String) {
        let (findings, error) = Self.validate("samples/valid/\(file)")
        #expect(error == nil)
        #expect(findings.documents > 0)
        // The one finding a valid sample may carry: customs requires a signature that Clearance adds (SIG100).
        let spec = MessageCatalog.spec(number: String(file.prefix { $0 != "-" }))
        #expect(findings.issues.filter { !Self.isUnsignedNotice($0, spec) }.isEmpty, "\(findings.issues)")
    }

    /// `SIG100` on a message customs wants signed: a warning about what Clearance will do, not a fault.
    static func isUnsignedNotice(_ issue: ValidationIssue, _ spec: MessageSpec?) -> Bool {
        issue.code == "SIG100" && issue.severity == .warning && spec?.requiresSignature == true
    }

    @Test(arguments: files("invalid"))
    func invalidSampleIsRefusedWithItsCode(file: String) throws {
        let code = try #require(Self.expected[file], "EXPECTED.tsv names no code for \(file)")
        let (findings, error) = Self.validate("samples/invalid/\(file)")
        if code.hasPrefix("XML") {
            #expect(error?.code == code)
            #expect(error?.position != nil)
        } else {
            #expect(error == nil)
            let found = findings.issues.filter { $0.code == code }
            #expect(!found.isEmpty, "expected \(code), got \(findings.issues.map(\.code))")
            #expect(found.allSatisfy { $0.line != nil && $0.column != nil })
            // Each sample breaks exactly one thing.
            let spec = MessageCatalog.spec(number: String(file.prefix { $0 != "-" }))
            #expect(Set(findings.issues.filter { !Self.isUnsignedNotice($0, spec) }.map(\.code)) == [code], "\(findings.issues)")
        }
    }

    @Test func strictTurnsWarningsIntoErrors() {
        let findings = Findings()
        let path = Self.root.appendingPathComponent("samples/invalid/CEB311-WRN001-lower-case-guid.xml").path
        #expect(throws: Never.self) { try MessageValidator.validate(path: path, options: ValidationOptions(strict: true), observer: findings) }
        #expect(findings.issues.contains { $0.code == "WRN001" && $0.severity == .error })
    }

    @Test func requireSignatureTurnsTheUnsignedWarningIntoAnError() {
        let findings = Findings()
        let path = Self.root.appendingPathComponent("samples/invalid/CEB311-WRN002-declared-unsigned.xml").path
        #expect(throws: Never.self) { try MessageValidator.validate(path: path, options: ValidationOptions(requireSignature: true), observer: findings) }
        #expect(findings.issues.contains { $0.code == "WRN002" && $0.severity == .error })
    }

    /// An unsigned CEB621 is what merchants hand Clearance, which signs it before sending: `--strict`
    /// keeps `SIG100` a warning; `--require-signature` makes it an error.
    @Test func strictLeavesTheMissingCustomsSignatureAWarning() {
        let path = Self.root.appendingPathComponent("samples/unsigned/CEB621-inventory.xml").path
        let strict = Findings()
        #expect(throws: Never.self) { try MessageValidator.validate(path: path, options: ValidationOptions(strict: true), observer: strict) }
        #expect(strict.issues.contains { $0.code == "SIG100" && $0.severity == .warning })
        #expect(!strict.issues.contains { $0.severity == .error }, "\(strict.issues)")
        let required = Findings()
        #expect(throws: Never.self) {
            try MessageValidator.validate(path: path, options: ValidationOptions(requireSignature: true), observer: required)
        }
        #expect(required.issues.contains { $0.code == "SIG100" && $0.severity == .error })
    }
}
