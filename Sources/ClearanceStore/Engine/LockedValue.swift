import Foundation

/// A value guarded by a lock.
///
/// `@unchecked Sendable`: every access to `value` goes through `lock`.
final class LockedValue<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func get() -> Value { lock.withLock { value } }
    func set(_ newValue: Value) { lock.withLock { value = newValue } }

    /// Atomically transforms the value and returns a result.
    func withValue<R>(_ body: (inout Value) -> R) -> R { lock.withLock { body(&value) } }
}
