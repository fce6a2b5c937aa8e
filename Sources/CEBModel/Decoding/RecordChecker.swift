/// Checks one record's values against its ``RecordSpec``: the XSD-level constraints
/// (presence, length, enumeration, decimal, integer and date shapes), on the raw bytes.
enum RecordChecker {
    /// Appends an issue for each field that breaks its spec.
    /// - Parameters:
    ///   - path: the record's place, for naming fields in issues.
    ///   - prefix: put before field names (envelope records: "BaseTransfer.").
    static func check(
        _ values: FieldValues, spec: RecordSpec, path: RecordPath, prefix: String = "", fallback: (line: Int, column: Int),
        documentIndex: Int?, key: String?, into issues: inout [ValidationIssue]
    ) {
        spec.fields.withUnsafeBufferPointer { fields in
            for index in fields.indices {
                guard let bytes = values.bytes(index), !isBlank(bytes) else {
                    // The official schemas give many required fields a maximum length only: the element must be
                    // there, but may be empty (`<ceb:domesticTrafNo></ceb:domesticTrafNo>` in CEB507).
                    if fields[index].required && !(values.isPresent(index) && fields[index].type.acceptsEmpty) {
                        let name = fields[index].name
                        issues.append(ValidationIssue(code: "SCH001", message: "required field \(name) is missing or empty",
                                                      field: prefix + path.name(name), line: fallback.line, column: fallback.column,
                                                      documentIndex: documentIndex, key: key))
                    }
                    continue
                }
                guard let problem = problem(bytes, fields[index].type) else { continue }
                let name = fields[index].name
                let position = values.position(index) ?? fallback
                issues.append(ValidationIssue(code: problem.code, message: "\(name) \(problem.why)", field: prefix + path.name(name),
                                              line: position.line, column: position.column, documentIndex: documentIndex, key: key))
            }
        }
    }

    static func isBlank(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in bytes where byte != 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D { return false }
        return true
    }

    /// The first problem with a present value, or nil.
    static func problem(_ bytes: UnsafeBufferPointer<UInt8>, _ type: FieldType) -> (code: String, why: String)? {
        switch type {
        case .string(let minimum, let maximum):
            if bytes.count <= maximum && bytes.count >= minimum { return nil }
            var characters = 0
            for byte in bytes where byte & 0xC0 != 0x80 { characters += 1 }
            if characters > maximum { return ("SCH002", "is \(characters) characters long; at most \(maximum) are allowed") }
            if characters < minimum { return ("SCH002", "is \(characters) characters long; at least \(minimum) are required") }
            return nil
        case .enumeration(let allowed):
            if allowed.contains(where: { $0.utf8.elementsEqual(bytes) }) { return nil }
            return ("SCH003", "is '\(String(decoding: bytes.prefix(40), as: UTF8.self))'; allowed values are \(allowed.joined(separator: ", "))")
        case .decimal(let totalDigits, let fractionDigits):
            guard let (_, integerDigits, fraction) = CEBDecimal.parse(bytes) else {
                return ("SCH004", "is '\(String(decoding: bytes.prefix(40), as: UTF8.self))', not a decimal number with at most 5 decimals")
            }
            if fraction > fractionDigits { return ("SCH004", "has \(fraction) decimals; at most \(fractionDigits) are allowed") }
            if integerDigits + fraction > totalDigits { return ("SCH004", "has more than \(totalDigits) digits") }
            return nil
        case .integer(let maxDigits):
            if bytes.count <= maxDigits && bytes.allSatisfy({ $0 &- 48 < 10 }) { return nil }
            return ("SCH005", "is '\(String(decoding: bytes.prefix(40), as: UTF8.self))', not a whole number of at most \(maxDigits) digits")
        case .dateTime14:
            return dateProblem(bytes, length: 14, format: "yyyyMMddHHmmss")
        case .date8:
            return dateProblem(bytes, length: 8, format: "yyyyMMdd")
        case .dateTime17:
            return dateProblem(bytes, length: 17, format: "yyyyMMddHHmmssSSS")
        }
    }

    static func dateProblem(_ bytes: UnsafeBufferPointer<UInt8>, length: Int, format: String) -> (code: String, why: String)? {
        var text: String { String(decoding: bytes.prefix(40), as: UTF8.self) }
        guard bytes.count == length, bytes.allSatisfy({ $0 &- 48 < 10 }) else {
            return ("SCH006", "is '\(text)'; the format is \(format)")
        }
        func number(_ from: Int, _ count: Int) -> Int {
            var value = 0
            for index in from..<(from + count) { value = value * 10 + Int(bytes[index] - 48) }
            return value
        }
        let year = number(0, 4), month = number(4, 2), day = number(6, 2)
        guard year >= 1900, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else {
            return ("RUL011", "is '\(text)', not a real calendar date")
        }
        if length >= 14 {
            guard number(8, 2) < 24, number(10, 2) < 60, number(12, 2) < 60 else {
                return ("RUL011", "is '\(text)', not a real time of day")
            }
        }
        return nil
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
