/// The lexical type of a CEB field, as the message XSDs in `schemas/` declare it.
public enum FieldType: Sendable, Equatable {
    /// Free text of `minLength...maxLength` characters (not bytes).
    case string(minLength: Int, maxLength: Int)
    /// One of a fixed set of codes.
    case enumeration([String])
    /// A decimal with at most `totalDigits` digits, `fractionDigits` of them after the point.
    case decimal(totalDigits: Int, fractionDigits: Int)
    /// A non-negative integer of at most `maxDigits` digits.
    case integer(maxDigits: Int)
    /// `yyyyMMddHHmmss`.
    case dateTime14
    /// `yyyyMMdd`.
    case date8
    /// `yyyyMMddHHmmssSSS` (receipt times).
    case dateTime17
}

extension FieldType {
    /// Whether an empty element is a value of this type (text without a minimum length).
    public var acceptsEmpty: Bool {
        if case .string(let minimum, _) = self { return minimum == 0 }
        return false
    }
}

/// One element of a record: its name, type and whether the standard requires it.
public struct FieldSpec: Sendable, Equatable {
    /// Element name, e.g. `orderNo`.
    public let name: String
    /// Lexical type.
    public let type: FieldType
    /// Whether the element must be present (and non-empty unless its type accepts empty text).
    public let required: Bool

    /// Creates a field spec.
    public init(_ name: String, _ type: FieldType, required: Bool) {
        self.name = name
        self.type = type
        self.required = required
    }
}

/// A flat record of fields: a head (`OrderHead`) or one line (`OrderList`), in XSD order.
public struct RecordSpec: Sendable, Equatable {
    /// Element name of the record, e.g. `OrderHead`.
    public let element: String
    /// Fields in the order the standard expects them.
    public let fields: [FieldSpec]

    /// Creates a record spec.
    public init(element: String, fields: [FieldSpec]) {
        self.element = element
        self.fields = fields
    }

    /// Index of the field named `name`.
    public func index(of name: String) -> Int? { fields.firstIndex { $0.name == name } }
}

/// A business document inside a message (`Order`, `Inventory`, `OrderReturn`…).
///
/// Most documents are a head record plus repeated line records. Flat documents (receipts,
/// some export documents) carry their fields directly: then `head.element == element`.
public struct DocumentSpec: Sendable, Equatable {
    /// Element name of one document, e.g. `Order`.
    public let element: String
    /// The head record (or the document itself when flat).
    public let head: RecordSpec
    /// The line record, when the document has lines.
    public let lines: RecordSpec?
    /// Whether at least one line is required.
    public let linesRequired: Bool

    /// Creates a document spec.
    public init(element: String, head: RecordSpec, lines: RecordSpec? = nil, linesRequired: Bool = false) {
        self.element = element
        self.head = head
        self.lines = lines
        self.linesRequired = linesRequired
    }

    /// Whether the head fields are direct children of the document element.
    public var isFlat: Bool { head.element == element }
}
