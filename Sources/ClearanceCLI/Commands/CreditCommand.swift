import ArgumentParser
import ClearanceRules
import ClearanceStore
import Foundation

/// `clearance credit`: import the customs credit list (replacing the one in force) and show it.
struct CreditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credit",
        abstract: "Import and show the enterprise credit list (grades, dishonest enterprises).",
        subcommands: [Import.self, List.self]
    )

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the credit list with a CSV file (code,grade,source,validFrom,validTo); all or nothing, audited.")
        @OptionGroup var store: StoreOption
        @Option(help: "Who imports (recorded in the audit log; default: $USER).")
        var actor: String?
        @Argument(help: "The CSV file (UTF-8, header line).")
        var file: String

        func run() async throws {
            let bytes: [UInt8]
            do {
                bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
            } catch {
                OutputBuffer.standardError("clearance: cannot read \(file): \(error.localizedDescription)\n")
                throw Exit.usage
            }
            let entries: [CreditEntry]
            do {
                entries = try CreditListParser.parse(bytes)
            } catch {
                OutputBuffer.standardError("\(file):\(error.line.map { "\($0):" } ?? "") error \(error.code) \(error.message); nothing imported\n")
                throw Exit.invalid
            }
            var grades: [CreditGrade: Int] = [:]
            for entry in entries { grades[entry.grade, default: 0] += 1 }
            let who = actor ?? ProcessInfo.processInfo.environment["USER"] ?? "cli"
            let record = CreditImport(
                actor: who, fileName: (file as NSString).lastPathComponent, fileSHA256: SHA256Digest.hex(of: bytes),
                entries: entries.count, grades: grades)
            let opened = try await store.openFlow()
            do {
                let saved = try await opened.replaceCreditList(entries, record: record)
                print("imported \(saved.entries) entries (\(saved.gradeSummary)) from \(saved.fileName) sha256 \(saved.fileSHA256) as import \(saved.id)")
            } catch {
                await opened.close()
                OutputBuffer.standardError("clearance: \(error)\n")
                throw Exit.usage
            }
            await opened.close()
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the credit list in force and the latest imports.")
        @OptionGroup var store: StoreOption
        @Option(help: "At most this many entries.")
        var limit = 1000

        func run() async throws {
            let output = OutputBuffer()
            try await store.reading { opened in
                for i in try await opened.creditImports(limit: 5) {
                    output.line("import \(i.id)\t\(i.importedAt.formatted(.iso8601))\t\(i.actor)\t\(i.fileName)\tsha256 \(i.fileSHA256)\t\(i.entries) entries (\(i.gradeSummary))")
                }
                let entries = try await opened.creditList(limit: limit)
                for e in entries {
                    let from = e.validFrom.map { ChinaDate.text($0) } ?? ""
                    let to = e.validUntil.map { ChinaDate.text($0.addingTimeInterval(-86_400)) } ?? ""
                    output.line("\(e.code)\t\(e.grade.rawValue)\t\(from)…\(to)\t\(e.source)")
                }
                if entries.isEmpty { output.line("(the credit list is empty)") }
            }
            output.flush()
        }
    }
}
