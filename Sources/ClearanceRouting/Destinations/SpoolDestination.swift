import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Delivers by writing files into an outbound spool directory, as the customs data-exchange
/// clients expect: each file is written under a temporary name, flushed, then renamed into
/// place, so the client never picks up a partial file. A redelivery of the same guid replaces
/// the file with identical content (the name is derived from the guid).
public struct SpoolDestination: Destination {
    public let config: DestinationConfig
    /// The outbound directory.
    public let directory: String

    /// Creates the destination; the directory is created when missing.
    public init(config: DestinationConfig, spool: DestinationConfig.Spool) {
        self.config = config
        self.directory = spool.outbox
    }

    public func deliver(_ message: OutboundMessage) async throws(DeliveryError) {
        try SpoolWriter.write(message.bytes, directory: directory, fileName: message.fileName)
    }

    public func shutdown() async {}
}

/// Atomic file writes into a spool directory.
public enum SpoolWriter {
    /// Writes `bytes` to `directory/fileName` atomically (temp file in the same directory, fsync,
    /// rename, fsync of the directory).
    public static func write(_ bytes: [UInt8], directory: String, fileName: String) throws(DeliveryError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw DeliveryError("cannot create spool directory \(directory): \(error.localizedDescription)")
        }
        let final = directory + "/" + fileName
        let temporary = directory + "/.\(fileName).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw DeliveryError("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var written = 0
        let ok: Bool = bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + written, buffer.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                written += n
            }
            return fsync(fd) == 0
        }
        let error = errno
        close(fd)
        guard ok else {
            unlink(temporary)
            throw DeliveryError("cannot write \(temporary): \(String(cString: strerror(error)))")
        }
        guard rename(temporary, final) == 0 else {
            let error = errno
            unlink(temporary)
            throw DeliveryError("cannot rename into \(final): \(String(cString: strerror(error)))")
        }
        let dir = open(directory, O_RDONLY)
        if dir >= 0 {
            fsync(dir)
            close(dir)
        }
    }
}

/// The inbound side of a spool: files dropped into an inbox directory, taken oldest name first;
/// each processed file is moved to `processed/` (or `failed/`), so it is handled once.
public struct SpoolInbox: Sendable {
    /// The inbox directory.
    public let directory: String

    /// Creates an inbox reader.
    public init(directory: String) { self.directory = directory }

    /// Complete files waiting (temporary and hidden files are skipped).
    public func pending() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { !$0.hasPrefix(".") && !$0.hasSuffix(".tmp") }
            .filter { name in
                var isDir: ObjCBool = false
                return FileManager.default.fileExists(atPath: directory + "/" + name, isDirectory: &isDir) && !isDir.boolValue
            }
            .sorted()
            .map { directory + "/" + $0 }
    }

    /// Moves a handled file out of the inbox (`processed/` or `failed/`).
    public func finish(_ path: String, failed: Bool) {
        let target = directory + "/" + (failed ? "failed" : "processed")
        try? FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        let name = (path as NSString).lastPathComponent
        let destination = target + "/" + name
        unlink(destination)
        if rename(path, destination) != 0 { unlink(path) }
    }
}
