import ClearanceTestSupport
import CEBModel
import ClearanceRules
import Foundation
import Testing
import XMLStreaming

/// The customs authority's own sample of every message, both editions (`../shared/customs-spec/samples-*`,
/// next to the package): Clearance reads each with at most value-level findings. The samples carry
/// placeholder values (`aaa` for codes, ID numbers without a check digit), which the rules report
/// (`RUL…`); nothing in their structure may be refused.
@Suite struct OfficialSamplesTests {
    static let packageRoot = Repository.root
    static let specification = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/customs-spec")

    /// `samples-<edition>/<file>` of every official sample, sorted.
    static let samples: [String] = ["2018", "202205"].flatMap { edition in
        let folder = specification.appendingPathComponent("samples-\(edition)").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasSuffix(".xml") }.sorted().map { "samples-\(edition)/\($0)" }
    }

    final class Findings: ValidationObserver {
        var issues: [ValidationIssue] = []
        var documents: [CEBDocument] = []
        func validated(_ decode: () -> CEBDocument, context: DocumentContext) {
            issues += context.issues
            documents.append(decode())
        }
        func messageFinished(_ envelope: MessageEnvelope) { issues += envelope.issues }
    }

    @Test func theOfficialSamplesAreThere() {
        let count2018 = Self.samples.filter { $0.hasPrefix("samples-2018/") }.count
        let count202205 = Self.samples.filter { $0.hasPrefix("samples-202205/") }.count
        #expect(count2018 == 35 && count202205 == 39,
                "expected the customs specification's 35 + 39 samples in \(Self.specification.path) (the shared folder next to the package); found \(count2018) + \(count202205)")
    }

    @Test(arguments: samples)
    func officialSampleIsReadWithValueFindingsOnly(sample: String) throws {
        let findings = Findings()
        let path = Self.specification.appendingPathComponent(sample).path
        do throws(XMLStreamError) {
            try MessageValidator.validate(path: path, observer: findings)
        } catch {
            Issue.record("\(sample): \(error)")
            return
        }
        // The file name says which message it is: export_CEB303Message.xml.
        let number = String(sample.split(separator: "_").last!.prefix(6))
        #expect(!findings.documents.isEmpty, "\(sample): no document read")
        #expect(findings.documents.allSatisfy { $0.spec.number == number }, "\(sample): read as \(findings.documents.map(\.spec.number))")
        let structural = findings.issues.filter { $0.severity == .error && !$0.code.hasPrefix("RUL") }
        #expect(structural.isEmpty, "\(sample): \(structural)")
    }
}
