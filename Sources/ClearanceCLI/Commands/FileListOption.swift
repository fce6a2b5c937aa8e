import ArgumentParser
import Foundation

/// `--files-from LIST`, shared by the commands that take many files: more paths, one a line.
///
/// swift-argument-parser spends time quadratic in the number of values given to one argument
/// (each value copies the array parsed so far and merges the set of its positions): 5,000 paths
/// took 1.1 s and 20,000 paths 9.5–15.9 s before `submit` read a file (release build), where the
/// same 20,000 paths from a list took 0.12 s, every file included. A day's inbox of 100,000
/// messages would spend minutes in the parser; a list is read here, in one pass.
struct FileListOption: ParsableArguments {
    @Option(
        name: .customLong("files-from"),
        help: ArgumentHelp(
            "A file listing more paths, one a line, after those given as arguments ('-' reads the list from standard input).",
            valueName: "LIST"))
    var list: String?

    /// `arguments` followed by the list's paths (blank lines skipped, nothing trimmed but the line end).
    /// - Throws: `ValidationError` when the list cannot be read or no path is given at all.
    func paths(after arguments: [String]) throws -> [String] {
        guard let list else {
            guard !arguments.isEmpty else { throw ValidationError("give at least one file, or --files-from LIST") }
            return arguments
        }
        let data: Data
        if list == "-" {
            guard !arguments.contains("-") else { throw ValidationError("'-' names standard input once: as a file or as --files-from, not both") }
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            // A handle, not `FileManager.contents`: a list may be a pipe (`--files-from <(find …)`).
            guard let handle = FileHandle(forReadingAtPath: list) else {
                throw ValidationError("--files-from \(list): cannot be read")
            }
            defer { try? handle.close() }
            data = handle.readDataToEndOfFile()
        }
        var paths = arguments
        // Bytes, not `String`: a `String` holds "\r\n" as one character, which "\n" does not split.
        for line in data.split(separator: UInt8(ascii: "\n")) {
            let path = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
            if !path.isEmpty { paths.append(String(decoding: path, as: UTF8.self)) }
        }
        guard !paths.isEmpty else { throw ValidationError("--files-from \(list) lists no path") }
        return paths
    }
}
