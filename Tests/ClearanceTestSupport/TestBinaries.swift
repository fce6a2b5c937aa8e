import Foundation

/// Locates the executables the test suite runs as child processes.
public enum TestBinaries {
    /// Why an executable is missing.
    public struct Missing: Error, CustomStringConvertible {
        public let description: String
    }

    /// The `clearance` executable built beside the test bundle (`swift build --build-tests`,
    /// which the README's test command runs, builds every target, the executable included).
    public static func clearance() throws -> String {
        var directories: [URL] = []
        if let first = CommandLine.arguments.first { directories.append(URL(fileURLWithPath: first).deletingLastPathComponent()) }
        directories.append(Bundle.main.bundleURL.deletingLastPathComponent())
        directories.append(Bundle.main.bundleURL)
        for var directory in directories {
            // On Darwin the test binary sits inside `X.xctest/Contents/MacOS`: walk up a few levels.
            for _ in 0..<4 {
                let path = directory.appendingPathComponent("clearance").path
                if FileManager.default.isExecutableFile(atPath: path) { return path }
                directory.deleteLastPathComponent()
            }
        }
        throw Missing(description: "no 'clearance' executable beside the test bundle (\(directories.map(\.path))); build it with 'swift build --build-tests'")
    }
}
