import CEBModel

/// The customs checks that need one field (or two of the same record): code tables,
/// HS codes, enterprise codes, resident ID check digits, and the import/export flag.
///
/// Which field gets which check is worked out once per record type from the field names,
/// so decoding a document runs only the checks that apply, on raw bytes.
public struct FieldRules: Sendable {
    enum Check: Sendable {
        case hsCode(Int)
        case table(Int, CodeTable)
        case enterpriseCode(Int)
        case residentID(number: Int, type: Int?)
        case flow(Int)
    }

    /// Per message index: checks of the head, checks of the lines.
    let plans: [(head: [Check], lines: [Check])]

    /// Builds the plans for every message in the catalog.
    public init(catalog: [MessageSpec] = MessageCatalog.all) {
        plans = catalog.map { message in
            (Self.plan(message.document.head, message), message.document.lines.map { Self.plan($0, message) } ?? [])
        }
    }

    static let enterpriseCodeFields: Set<String> = [
        "ebpCode", "ebcCode", "agentCode", "logisticsCode", "payCode", "ownerCode", "operatorCode", "iacCode", "assureCode",
    ]

    static func plan(_ record: RecordSpec, _ message: MessageSpec) -> [Check] {
        var checks: [Check] = []
        for (index, field) in record.fields.enumerated() {
            switch field.name {
            case "gcode": checks.append(.hsCode(index))
            case "country": checks.append(.table(index, .countries))
            case "currency", "fCurrency", "iCurrency":
                // Import currencies are fixed to 142 by the official schema: any other value is SCH003 already.
                if case .enumeration = field.type { break }
                checks.append(.table(index, .currencies))
            case "unit", "unit1", "unit2": checks.append(.table(index, .units))
            case "buyerIdNumber": checks.append(.residentID(number: index, type: record.index(of: "buyerIdType")))
            case "payerIdNumber": checks.append(.residentID(number: index, type: record.index(of: "payerIdType")))
            case "ieFlag", "orderType":
                if message.flow != .none { checks.append(.flow(index)) }
            case let name where enterpriseCodeFields.contains(name): checks.append(.enterpriseCode(index))
            default: break
            }
        }
        return checks
    }

    /// Appends an issue for each problem in one record (see ``RecordRules``).
    public func check(_ values: FieldValues, record: RecordSpec, message: MessageSpec, messageIndex: Int, isLine: Bool,
                      path: RecordPath, location: IssueLocation, into issues: inout [ValidationIssue]) {
        let checks = isLine ? plans[messageIndex].lines : plans[messageIndex].head
        for check in checks {
            switch check {
            case .hsCode(let field):
                guard let bytes = values.bytes(field), !bytes.isEmpty else { continue }
                if bytes.count != 10 || !bytes.allSatisfy({ $0 &- 48 < 10 }) {
                    issues.append(location.issue("RUL007", "gcode '\(text(bytes))' must be a 10-digit HS code",
                                                 field: path.name(record.fields[field].name), at: values.position(field)))
                }
            case .table(let field, let table):
                guard let bytes = values.bytes(field), !bytes.isEmpty, !table.contains(bytes) else { continue }
                let code = table.name == "country" ? "RUL008" : table.name == "currency" ? "RUL009" : "RUL010"
                issues.append(location.issue(code, "\(record.fields[field].name) '\(text(bytes))' is not a customs \(table.name) code",
                                             field: path.name(record.fields[field].name), at: values.position(field)))
            case .enterpriseCode(let field):
                guard let bytes = values.bytes(field), !bytes.isEmpty else { continue }
                if let problem = Self.enterpriseCodeProblem(bytes) {
                    issues.append(location.issue("RUL006", "\(record.fields[field].name) '\(text(bytes))' \(problem)",
                                                 field: path.name(record.fields[field].name), at: values.position(field)))
                }
            case .residentID(let number, let type):
                guard let bytes = values.bytes(number), !bytes.isEmpty else { continue }
                // Type 1 is the resident identity card; other documents have no check digit.
                if let type, let kind = values.bytes(type), !(kind.count == 1 && kind[0] == UInt8(ascii: "1")) { continue }
                if !IdentityCodes.isValidResidentID(bytes) {
                    issues.append(location.issue("RUL005", "\(record.fields[number].name) is not a valid 18-digit resident ID number (GB 11643 check digit)",
                                                 field: path.name(record.fields[number].name), at: values.position(number)))
                }
            case .flow(let field):
                guard let bytes = values.bytes(field), !bytes.isEmpty else { continue }
                let expected = Self.expectedDirection(message)
                if text(bytes) != expected {
                    let kind = Self.exportReturns.contains(message.number) ? "an export return" : message.flow == .import ? "an import" : "an export"
                    issues.append(location.issue("RUL012", "\(record.fields[field].name) is '\(text(bytes))' but \(message.number) is \(kind) message: it must be '\(expected)'",
                                                 field: path.name(record.fields[field].name), at: values.position(field)))
                }
            }
        }
    }

    /// Export-return messages: goods of an export inventory coming back, declared with `ieFlag` I
    /// ("出口退货填写I", the official 202205 annotation of CEB213 and CEB215).
    static let exportReturns: Set<String> = ["CEB213", "CEB215"]

    /// The `ieFlag` / `orderType` a message must carry.
    static func expectedDirection(_ message: MessageSpec) -> String {
        exportReturns.contains(message.number) ? TradeFlow.import.rawValue : message.flow.rawValue
    }

    /// Why an enterprise code is wrong, or nil: a 10-character customs registration code,
    /// or an 18-character unified social credit code with a valid check character.
    static func enterpriseCodeProblem(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        if bytes.count == 2 && bytes[0] == UInt8(ascii: "N") && bytes[1] == UInt8(ascii: "O") { return nil }  // "NO": not registered (export owner)
        if bytes.count == 10 {
            return bytes.allSatisfy({ $0 &- 48 < 10 || $0 &- 65 < 26 }) ? nil : "must hold only digits and capital letters"
        }
        if bytes.count == 18 {
            return IdentityCodes.isValidSocialCreditCode(bytes) ? nil : "is not a valid unified social credit code (GB 32100 check character)"
        }
        return "must be a 10-character customs code or an 18-character unified social credit code"
    }

    private func text(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: bytes.prefix(60), as: UTF8.self)
    }
}
