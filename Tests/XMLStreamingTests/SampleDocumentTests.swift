import Testing
import XMLStreaming

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The repository's real CEB messages pass the start-tag scanner at every chunk size.
@Suite struct SampleDocumentTests {
    static let validSamples: [String] = {
        let directory = String(#filePath.split(separator: "/").dropLast(3).joined(separator: "/"))
        let path = "/" + directory + "/samples/valid"
        guard let handle = opendir(path) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasSuffix(".xml") { names.append(path + "/" + name) }
        }
        return names.sorted()
    }()

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
