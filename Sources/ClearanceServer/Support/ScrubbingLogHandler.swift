import ClearanceStore
import Logging

/// A log handler that masks ID and telephone numbers (``PersonalDataScrubber/scrub(_:)``) in every
/// message and metadata value before handing the line to the wrapped handler.
public struct ScrubbingLogHandler: LogHandler {
    private var inner: any LogHandler

    /// Wraps `inner`.
    public init(wrapping inner: any LogHandler) { self.inner = inner }

    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    public func log(event: LogEvent) {
        var event = event
        event.message = "\(PersonalDataScrubber.scrub(event.message.description))"
        event.metadata = event.metadata.map(Self.scrub)
        inner.log(event: event)
    }

    static func scrub(_ metadata: Logger.Metadata) -> Logger.Metadata {
        metadata.mapValues(scrub)
    }

    static func scrub(_ value: Logger.MetadataValue) -> Logger.MetadataValue {
        switch value {
        case .string(let s): .string(PersonalDataScrubber.scrub(s))
        case .stringConvertible(let c): .string(PersonalDataScrubber.scrub(c.description))
        case .dictionary(let d): .dictionary(scrub(d))
        case .array(let a): .array(a.map(scrub))
        }
    }
}
