import Foundation
import Testing
import XMLSignature
import XMLStreaming

/// The streaming canonicalizer against libxml2's C14N suite (see ``C14NSuiteCase`` for what is covered).
@Suite struct C14NSuiteTests {
    /// Every document without a DOCTYPE, in every supported mode with a libxml2 result, whose node-set the
    /// canonicalizer can express: byte-identical.
    @Test(arguments: C14NSuite.withoutDoctype.filter { $0.method != nil && $0.expected != nil && $0.expressible })
    func canonicalFormIsLibxml2s(_ suiteCase: C14NSuiteCase) throws {
        let ours = try suiteCase.canonicalize(try #require(suiteCase.method))
        let expected = try #require(suiteCase.expected)
        #expect(ours == expected, "ours:\n\(String(decoding: ours, as: UTF8.self))\nlibxml2:\n\(String(decoding: expected, as: UTF8.self))")
    }

    /// What is not compared, and why: this list changes only when the canonicalizer (or the suite) does.
    @Test func uncoveredCasesAreExactlyTheKnownOnes() throws {
        _ = try C14NSuite.directory()
        let uncovered = C14NSuite.withoutDoctype.filter { $0.method != nil && $0.expected != nil && !$0.expressible }.map(\.testDescription)
        #expect(uncovered == [
            // Exclusive C14N with an InclusiveNamespaces prefix list (merlin 18) and node-sets that keep some
            // namespace nodes or elements only (merlin 10–17, 19–26): not expressible as one element's subtree.
            "exc-without-comments/merlin-c14n-two-10", "exc-without-comments/merlin-c14n-two-11",
            "exc-without-comments/merlin-c14n-two-12", "exc-without-comments/merlin-c14n-two-13",
            "exc-without-comments/merlin-c14n-two-14", "exc-without-comments/merlin-c14n-two-17",
            "exc-without-comments/merlin-c14n-two-18", "exc-without-comments/merlin-c14n-two-19",
            "exc-without-comments/merlin-c14n-two-20", "exc-without-comments/merlin-c14n-two-21",
            "exc-without-comments/merlin-c14n-two-22", "exc-without-comments/merlin-c14n-two-23",
            "exc-without-comments/merlin-c14n-two-24", "exc-without-comments/merlin-c14n-two-26",
            // The same filtered node-sets in inclusive mode.
            "without-comments/merlin-c14n-two-01", "without-comments/merlin-c14n-two-02",
            "without-comments/merlin-c14n-two-03", "without-comments/merlin-c14n-two-04",
            "without-comments/merlin-c14n-two-05", "without-comments/merlin-c14n-two-06",
            "without-comments/merlin-c14n-two-07", "without-comments/merlin-c14n-two-08",
        ])
        let covered = C14NSuite.withoutDoctype.filter { $0.method != nil && $0.expected != nil && $0.expressible }.map(\.testDescription)
        #expect(covered == [
            "exc-without-comments/merlin-c14n-two-09", "exc-without-comments/test-2",  // subsets: exclusive inherits no xml:lang
            "with-comments/example-2", "with-comments/example-6",
            "without-comments/example-2", "without-comments/example-6",
            "without-comments/merlin-c14n-two-00", "without-comments/test-2",  // subsets: the apex inherits xml:lang
        ])
    }

    /// Every document without a DOCTYPE (C14N 1.1 inputs included), whole, in every supported method:
    /// identical to libxml2's DOM canonicalizer (the suite's results cover subsets only for most documents).
    @Test(arguments: CanonicalizationMethod.allCases)
    func wholeDocumentsMatchLibxml2(method: CanonicalizationMethod) throws {
        _ = try C14NSuite.directory()
        for suiteCase in C14NSuite.withoutDoctype {
            try C14NByteIdentityTests.expectIdentical(suiteCase.document, method: method, label: suiteCase.testDescription)
        }
    }

    /// Documents with a DOCTYPE are refused with the stable DTD error, never canonicalized.
    @Test func doctypeDocumentsAreRefused() throws {
        _ = try C14NSuite.directory()
        let withDoctype = C14NSuite.cases.filter(\.hasDoctype)
        #expect(withDoctype.count >= 10)
        for suiteCase in withDoctype {
            do {
                _ = try StreamingCanonicalizer.canonicalize(suiteCase.document)
                Issue.record("\(suiteCase.testDescription): a document with a DOCTYPE was canonicalized")
            } catch {
                #expect(error.reason == .doctypeForbidden, "\(suiteCase.testDescription): \(error)")
            }
        }
    }
}
