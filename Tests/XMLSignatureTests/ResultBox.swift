import Foundation

/// Results written by concurrent workers.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [[UInt8]?]

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: [UInt8]?) {
        lock.lock()
        values[index] = value
        lock.unlock()
    }

    func all() -> [[UInt8]?] {
        lock.lock()
        defer { lock.unlock() }
        return values
    }
}
