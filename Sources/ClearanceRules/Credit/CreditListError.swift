/// Why a credit list file was refused. A list is imported whole or not at all: the first bad line
/// refuses the file, and nothing already on the list is replaced.
///
/// Codes are stable (documented in `schemas/README.md`): `CRD010` the file (encoding, header,
/// empty), `CRD011` a line's shape, `CRD012` a code, `CRD013` a grade, `CRD014` a date,
/// `CRD015` a code listed twice.
public struct CreditListError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `CRD010`…`CRD015`.
    public var code: String
    /// 1-based line of the file (the header is line 1), nil for the file as a whole.
    public var line: Int?
    public var message: String

    public init(code: String, line: Int?, message: String) {
        self.code = code
        self.line = line
        self.message = message
    }

    public var description: String {
        (line.map { "line \($0): " } ?? "") + "\(code) \(message)"
    }
}
