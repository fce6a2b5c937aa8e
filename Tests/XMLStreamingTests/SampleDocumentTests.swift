import ClearanceTestSupport
import Testing
import XMLStreaming

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The repository's real CEB messages pass the start-tag scanner at every chunk size.
@Suite struct SampleDocumentTests {
    static let validSamples: [String] = Repository.validSamples.map(Repository.samplePath)

    @Test func samplesAreFound() {
        #expect(Self.validSamples.count >= 10)
    }

    @Test(arguments: validSamples)
    func sampleParsesTheSameInAnyChunking(path: String) throws {
        let stream = try ByteStream(path: path)
        var bytes: [UInt8] = []
        try stream.forEachChunk { bytes += $0 }
        let (whole, error) = parse(bytes)
        #expect(error == nil)
        for chunk in [1, 5, 4096] {
            let (pieces, pieceError) = parse(bytes, chunk: chunk)
            #expect(pieceError == nil)
            #expect(pieces.events == whole.events)
        }
    }
}
