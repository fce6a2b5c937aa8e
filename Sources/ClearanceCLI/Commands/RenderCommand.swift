import ArgumentParser
import CEBModel
import Foundation

/// `clearance render`: a merchant's JSON documents written as standard CEB XML, exactly as
/// `POST /v1/orders`… writes them before the flow takes them.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Write CEB XML from JSON documents that use the standard's field names.",
        discussion: """
            FILE holds one JSON document, an array of them or JSON Lines; each names its message type \
            ("messageType": "CEB311"). One document is written to --output (default: standard output); \
            several go to --out-dir as MESSAGETYPE-GUID.xml. Faults are printed with their JSON path. The XML is \
            not validated here: run clearance validate on it. Exit code 0 when every document was written, \
            1 when any was refused, 2 on usage or I/O errors.
            """
    )

    @Argument(help: "JSON file ('-' reads standard input).")
    var file: String

    @Option(name: .shortAndLong, help: "Output file for a single document.")
    var output: String?

    @Option(help: "Output directory for several documents.")
    var outDir: String?

    func run() throws {
        let bytes: [UInt8]
        do {
            bytes = file == "-" ? Array(FileHandle.standardInput.readDataToEndOfFile()) : Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        } catch {
            OutputBuffer.standardError("clearance: \(file): cannot read: \(error.localizedDescription)\n")
            throw Exit.usage
        }
        let entries = JSONDocuments.split(bytes)
        guard entries.count == 1 || outDir != nil else { throw ValidationError("\(file) holds \(entries.count) documents: give --out-dir") }
        var refused = 0
        for entry in entries {
            let rendered: [UInt8]
            do {
                rendered = try CEBJSONRenderer.render(try entry.value.get())
            } catch let error as JSONParseError {
                print("\(file):\(entry.position): error \(error)")
                refused += 1
                continue
            } catch let failure as JSONRenderFailure {
                for issue in failure.issues { print("\(file):\(entry.position): error \(issue)") }
                refused += 1
                continue
            }
            let target: String?
            if let outDir, case .success(let json) = entry.value {
                let type = json["messageType"].flatMap { if case .string(let s) = $0 { s } else { nil } } ?? "CEB"
                let guid = (try? WholeMessage.decode(rendered))?.guid ?? "\(entry.position)"
                target = URL(fileURLWithPath: outDir).appendingPathComponent("\(type)-\(guid).xml").path
            } else {
                target = output
            }
            do {
                if let target {
                    try Data(rendered).write(to: URL(fileURLWithPath: target), options: .atomic)
                } else {
                    FileHandle.standardOutput.write(Data(rendered))
                }
            } catch {
                OutputBuffer.standardError("clearance: cannot write \(target ?? "standard output"): \(error.localizedDescription)\n")
                throw Exit.usage
            }
        }
        if refused > 0 { throw Exit.invalid }
    }
}
