import CEBModel
import Foundation

/// Reads a credit list file: UTF-8 CSV, a header line naming the columns `code`, `grade`,
/// `source`, `validFrom`, `validTo` (any order, case and `_`/`-` ignored), one enterprise a line.
///
/// Strict, because the list puts declarations on hold: every code must pass its check (an
/// 18-character unified social credit code with its GB 32100 check character, or a 10-character
/// customs code), every grade must be one of ``CreditGrade`` (English or Chinese), dates are
/// `yyyy-MM-dd` or `yyyyMMdd` China dates (empty: open), and a code may appear once. The first bad
/// line refuses the whole file with its line number, so an import never half-replaces a list.
public enum CreditListParser {
    static let columns = ["code", "grade", "source", "validfrom", "validto"]

    /// Parses a whole file.
    /// - Throws: ``CreditListError`` for the first problem.
    public static func parse(_ bytes: [UInt8]) throws(CreditListError) -> [CreditEntry] {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        guard let text = String(validating: body, as: UTF8.self) else {
            throw CreditListError(code: "CRD010", line: nil, message: "the file is not UTF-8 text")
        }
        // `\r\n` is one Character in Swift: split on any newline, not on "\n".
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        while let last = lines.last, last.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeLast() }
        guard let headerLine = lines.first else {
            throw CreditListError(code: "CRD010", line: nil, message: "the file is empty: a header line is required")
        }
        let header = try fields(headerLine, line: 1).map {
            $0.lowercased().filter { $0 != "_" && $0 != "-" && $0 != " " }
        }
        var position: [String: Int] = [:]
        for (index, name) in header.enumerated() {
            guard columns.contains(name) else {
                throw CreditListError(code: "CRD010", line: 1, message: "unknown column '\(name)' (expected code, grade, source, validFrom, validTo)")
            }
            guard position.updateValue(index, forKey: name) == nil else {
                throw CreditListError(code: "CRD010", line: 1, message: "column '\(name)' appears twice")
            }
        }
        for name in columns where position[name] == nil {
            throw CreditListError(code: "CRD010", line: 1, message: "missing column '\(name)' (expected code, grade, source, validFrom, validTo)")
        }
        var entries: [CreditEntry] = []
        var seen: [String: Int] = [:]
        for (offset, raw) in lines.enumerated().dropFirst() {
            let number = offset + 1
            if raw.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let values = try fields(raw, line: number)
            guard values.count == header.count else {
                throw CreditListError(code: "CRD011", line: number, message: "\(values.count) fields where the header has \(header.count)")
            }
            func value(_ column: String) -> String { values[position[column]!].trimmingCharacters(in: .whitespaces) }
            let code = value("code")
            if let problem = codeProblem(code) {
                throw CreditListError(code: "CRD012", line: number, message: "code '\(code.prefix(40))' \(problem)")
            }
            if let first = seen.updateValue(number, forKey: code) {
                throw CreditListError(code: "CRD015", line: number, message: "code \(code) is already listed on line \(first)")
            }
            guard let grade = CreditGrade(listValue: value("grade")) else {
                throw CreditListError(code: "CRD013", line: number, message: "unknown grade '\(value("grade").prefix(40))' (\(CreditGrade.allCases.map { "\($0.rawValue)/\($0.chineseName)" }.joined(separator: ", ")))")
            }
            let source = value("source")
            guard !source.isEmpty else {
                throw CreditListError(code: "CRD011", line: number, message: "source is empty: say where the grade comes from")
            }
            let from = try date(value("validfrom"), line: number, column: "validFrom")
            let to = try date(value("validto"), line: number, column: "validTo")
            let until = to.map { $0.addingTimeInterval(86_400) }
            if let from, let until, until <= from {
                throw CreditListError(code: "CRD014", line: number, message: "validTo is before validFrom")
            }
            entries.append(CreditEntry(code: code, grade: grade, source: source, validFrom: from, validUntil: until))
        }
        return entries
    }

    /// Why a list code is unusable, or nil (the same checks as a declaration's party codes).
    static func codeProblem(_ code: String) -> String? {
        guard code.utf8.count == 10 || code.utf8.count == 18 else {
            return "must be a 10-character customs code or an 18-character unified social credit code"
        }
        var copy = code
        return copy.withUTF8 { FieldRules.enterpriseCodeProblem($0) }
    }

    /// 00:00 China time of a `yyyy-MM-dd` / `yyyyMMdd` date; nil for an empty field.
    static func date(_ text: String, line: Int, column: String) throws(CreditListError) -> Date? {
        if text.isEmpty { return nil }
        let digits = text.count == 10 && text.dropFirst(4).first == "-" && text.dropFirst(7).first == "-"
            ? text.replacingOccurrences(of: "-", with: "") : text
        guard digits.count == 8, let date = ChinaTime.date(cebTime: digits),
              ChinaTime.cebTime(date, milliseconds: false).hasPrefix(digits) else {
            throw CreditListError(code: "CRD014", line: line, message: "\(column) '\(text.prefix(20))' is not a date (yyyy-MM-dd)")
        }
        return date
    }

    /// The fields of one CSV line: commas separate, double quotes enclose (`""` is a quote).
    static func fields(_ line: Substring, line number: Int) throws(CreditListError) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var iterator = line.makeIterator()
        var pending: Character? = nil
        while let c = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { current.append("\"") } else { quoted = false; pending = next }
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(c)
                }
            } else if c == "\"", current.trimmingCharacters(in: .whitespaces).isEmpty {
                current = ""
                quoted = true
            } else if c == "," {
                fields.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        if quoted { throw CreditListError(code: "CRD011", line: number, message: "a quoted field is not closed") }
        fields.append(current)
        return fields
    }
}
