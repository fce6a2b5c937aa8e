import ClearanceStore
import Foundation

/// Masks buyer ID numbers and telephone numbers wherever the service shows or logs text.
///
/// The store never keeps them in the clear in its columns, but raw messages do (they are stored
/// exactly as received): every rendering of raw XML goes through ``maskXML(_:)``, and every log
/// line through ``scrub(_:)``.
public enum PersonalDataMasker {
    /// Elements holding identity document numbers.
    static let idElements: Set<String> = ["buyerIdNumber", "payerIdNumber", "idNumber", "consigneeIdNumber"]
    /// Elements holding telephone numbers.
    static let phoneElements: Set<String> = ["buyerTelephone", "consigneeTelephone", "telephone", "payerTelephone"]

    /// The XML text with the content of every ID and telephone element masked (any prefix).
    public static func maskXML(_ xml: String) -> String {
        var out = ""
        out.reserveCapacity(xml.utf8.count)
        var rest = Substring(xml)
        while let open = rest.firstIndex(of: "<") {
            out += rest[..<open]
            guard let close = rest[open...].firstIndex(of: ">") else {
                out += rest[open...]
                return out
            }
            let tag = rest[open...close]
            out += tag
            rest = rest[rest.index(after: close)...]
            let name = localName(tag)
            let isID = idElements.contains(name), isPhone = phoneElements.contains(name)
            guard isID || isPhone, !tag.hasPrefix("</"), !tag.hasSuffix("/>"),
                  let end = rest.firstIndex(of: "<") else { continue }
            let value = String(rest[..<end])
            out += isID ? BuyerIdentityMasker.maskIdNumber(value) : BuyerIdentityMasker.maskTelephone(value)
            rest = rest[end...]
        }
        out += rest
        return out
    }

    private static func localName(_ tag: Substring) -> String {
        var name = tag.dropFirst()
        if name.hasPrefix("/") { name = name.dropFirst() }
        let endOfName = name.firstIndex { $0 == " " || $0 == ">" || $0 == "/" || $0 == "\t" || $0 == "\n" } ?? name.endIndex
        name = name[..<endOfName]
        if let colon = name.lastIndex(of: ":") { name = name[name.index(after: colon)...] }
        return String(name)
    }

    /// A log line with anything shaped like a resident ID number (17 digits and a digit or X) or
    /// a mainland mobile number (11 digits starting 13–19) masked.
    public static func scrub(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        var run = ""
        func flush() {
            guard !run.isEmpty else { return }
            if run.count == 18, run.dropLast().allSatisfy(\.isASCIIDigit), run.last.map({ $0.isASCIIDigit || $0 == "X" || $0 == "x" }) == true {
                out += BuyerIdentityMasker.maskIdNumber(run)
            } else if run.count == 11, run.allSatisfy(\.isASCIIDigit), run.hasPrefix("1"), let second = run.dropFirst().first,
                      ("3"..."9").contains(second) {
                out += BuyerIdentityMasker.maskTelephone(run)
            } else {
                out += run
            }
            run = ""
        }
        for c in text {
            if c.isASCIIDigit || ((c == "X" || c == "x") && run.count == 17) {
                run.append(c)
            } else if c.isLetter || c == "_" {
                // Part of a longer token (a guid, a key): never an ID on its own.
                run.append(c)
            } else {
                flush()
                out.append(c)
            }
        }
        flush()
        return out
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
