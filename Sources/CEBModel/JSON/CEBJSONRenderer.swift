/// Writes the standard CEB XML of one document given as JSON with the standard's own names: the
/// merchant's JSON face (`POST /v1/orders`…, `clearance render`). The message spec drives it, so
/// element order, namespaces and cardinality are the schema's by construction; the XML then goes
/// through exactly the checks any XML message does.
///
/// The JSON of a document names its records as the XML does:
///
/// ```json
/// {"messageType": "CEB311", "guid": "…optional message guid…",
///  "OrderHead": {"guid": "…", "appType": "1", "orderNo": "PT202611250001", "goodsValue": 742, …},
///  "OrderList": [{"gnum": 1, "itemNo": "…", …}],
///  "BaseTransfer": {"copCode": "…", "copName": "…", "dxpMode": "DXP", "dxpId": "…"},
///  "BaseSubscribe": [{…}]}
/// ```
///
/// A flat document (its fields directly in the document element) is one object under the document's
/// name. Numbers may be JSON numbers (kept as written, never through floating point); times may be
/// CEB digits or ISO 8601 with an offset (written in China time). The message guid defaults to the
/// document's own `guid`, so sending the same JSON twice is the same message twice (a duplicate).
public enum CEBJSONRenderer {
    /// The XML (UTF-8) of the document `json` for message `spec`, or every issue found (all of them,
    /// not the first: a merchant fixes a document in one go).
    public static func render(_ json: JSONValue, spec: MessageSpec) throws(JSONRenderFailure) -> [UInt8] {
        guard spec.role == .declaration else {
            throw JSONRenderFailure([JSONFieldIssue(code: "JSN014", path: "$", message: "\(spec.number) is a receipt: the JSON face takes declarations")])
        }
        guard case .object(let members) = json else {
            throw JSONRenderFailure([JSONFieldIssue(code: "JSN012", path: "$", message: "a document is a JSON object, not \(json.kind)")])
        }
        var issues: [JSONFieldIssue] = []
        let document = spec.document
        let flat = document.head.element == document.element
        var known: Set<String> = ["guid", "messageType", document.head.element]
        if let lines = document.lines { known.insert(lines.element) }
        for slot in spec.envelope where slot.part == .baseTransfer || slot.part == .baseSubscribe { known.insert(slot.part.rawValue) }
        for member in members where !known.contains(member.key) {
            issues.append(JSONFieldIssue(code: "JSN010", path: "$.\(member.key)",
                                         message: "\(spec.number) has no \(member.key) (expected: \(known.sorted().joined(separator: ", ")))"))
        }

        if let type = json["messageType"], type != .string(spec.number), type != .string(spec.root) {
            issues.append(JSONFieldIssue(code: "JSN013", path: "$.messageType", message: "this document is sent as \(spec.number)"))
        }
        var xml = XMLText()
        let headXML = record(json[document.head.element], spec: document.head, path: "$.\(document.head.element)", indent: flat ? 2 : 3, issues: &issues)
        var linesXML: [String] = []
        if let lines = document.lines {
            switch json[lines.element] {
            case nil, .null?:
                if document.linesRequired {
                    issues.append(JSONFieldIssue(code: "JSN011", path: "$.\(lines.element)", message: "at least one \(lines.element) is required"))
                }
            case .array(let elements)?:
                if elements.isEmpty, document.linesRequired {
                    issues.append(JSONFieldIssue(code: "JSN011", path: "$.\(lines.element)", message: "at least one \(lines.element) is required"))
                }
                for (index, element) in elements.enumerated() {
                    linesXML.append(record(element, spec: lines, path: "$.\(lines.element)[\(index)]", indent: 3, issues: &issues))
                }
            case let other?:
                issues.append(JSONFieldIssue(code: "JSN012", path: "$.\(lines.element)", message: "expects an array of lines, not \(other.kind)"))
            }
        }
        var envelopeXML: [String] = []
        for slot in spec.envelope {
            let spec: RecordSpec
            switch slot.part {
            case .baseTransfer: spec = EnvelopeSpecs.baseTransfer
            case .baseSubscribe: spec = EnvelopeSpecs.baseSubscribe
            case .extendMessage, .signature: continue
            }
            let path = "$.\(slot.part.rawValue)"
            let values: [JSONValue]
            switch json[slot.part.rawValue] {
            case nil, .null?: values = []
            case .array(let elements)? where (slot.maxOccurs ?? 2) > 1: values = elements
            case let single?: values = [single]
            }
            if values.count < slot.minOccurs {
                issues.append(JSONFieldIssue(code: "JSN011", path: path, message: "\(slot.part.rawValue) is required"))
            }
            if let most = slot.maxOccurs, values.count > most {
                issues.append(JSONFieldIssue(code: "JSN013", path: path, message: "at most \(most) \(slot.part.rawValue)"))
            }
            let multiple = values.count > 1 || json[slot.part.rawValue].map { if case .array = $0 { true } else { false } } == true
            for (index, value) in values.enumerated() {
                envelopeXML.append(record(value, spec: spec, path: multiple ? "\(path)[\(index)]" : path, indent: 2, issues: &issues))
            }
        }
        var messageGuid: String?
        switch json["guid"] {
        case .string(let text)?: messageGuid = text
        case nil, .null?: if case .string(let text)? = json[document.head.element]?["guid"] { messageGuid = text }
        case let other?: issues.append(JSONFieldIssue(code: "JSN012", path: "$.guid", message: "expects text, not \(other.kind)"))
        }
        guard issues.isEmpty, let messageGuid else {
            throw JSONRenderFailure(issues.isEmpty ? [JSONFieldIssue(code: "JSN011", path: "$.\(document.head.element).guid", message: "guid is required")] : issues)
        }

        xml.line(0, #"<?xml version="1.0" encoding="UTF-8"?>"#)
        xml.line(0, "<ceb:\(spec.root) guid=\"\(XMLText.escape(messageGuid, attribute: true))\" version=\"1.0\" "
                 + "xmlns:ceb=\"\(EnvelopeSpecs.cebNamespace)\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">")
        if flat {
            xml.append(headXML.replacingOccurrences(of: "ceb:\(document.head.element)>", with: "ceb:\(document.element)>"))
        } else {
            xml.line(1, "<ceb:\(document.element)>")
            xml.append(headXML)
            for line in linesXML { xml.append(line) }
            xml.line(1, "</ceb:\(document.element)>")
        }
        for part in envelopeXML { xml.append(part) }
        xml.line(0, "</ceb:\(spec.root)>")
        return Array(xml.text.utf8)
    }

    /// The XML of a document that names its own message type (`"messageType": "CEB311"`, or the root
    /// element's name: `"InspOrderMessage"`), as
    /// `clearance render` reads it.
    public static func render(_ json: JSONValue) throws(JSONRenderFailure) -> [UInt8] {
        guard case .string(let number)? = json["messageType"] else {
            throw JSONRenderFailure([JSONFieldIssue(code: "JSN011", path: "$.messageType", message: "messageType (CEB311, CEB621…) is required")])
        }
        guard let spec = MessageCatalog.spec(number: number) ?? MessageCatalog.spec(root: number) else {
            throw JSONRenderFailure([JSONFieldIssue(code: "JSN014", path: "$.messageType", message: "\(number) is not a message Clearance knows")])
        }
        return try render(json, spec: spec)
    }

    /// The XML of one record (its element and fields in spec order), appending what is wrong to `issues`.
    private static func record(_ value: JSONValue?, spec: RecordSpec, path: String, indent: Int, issues: inout [JSONFieldIssue]) -> String {
        guard let value, value != .null else {
            issues.append(JSONFieldIssue(code: "JSN011", path: path, message: "\(spec.element) is required"))
            return ""
        }
        guard case .object(let members) = value else {
            issues.append(JSONFieldIssue(code: "JSN012", path: path, message: "\(spec.element) is an object, not \(value.kind)"))
            return ""
        }
        let names = Set(spec.fields.map(\.name))
        for member in members where !names.contains(member.key) {
            issues.append(JSONFieldIssue(code: "JSN010", path: "\(path).\(member.key)", message: "\(spec.element) has no field \(member.key)"))
        }
        var xml = XMLText()
        xml.line(indent - 1, "<ceb:\(spec.element)>")
        for field in spec.fields {
            let fieldPath = "\(path).\(field.name)"
            guard let member = value[field.name], member != .null else {
                if field.required {
                    issues.append(JSONFieldIssue(code: "JSN011", path: fieldPath, message: "\(field.name) is required"))
                }
                continue
            }
            switch JSONFieldValue.text(member, type: field.type, path: fieldPath) {
            case .success(let text): xml.line(indent, "<ceb:\(field.name)>\(XMLText.escape(text, attribute: false))</ceb:\(field.name)>")
            case .failure(let issue): issues.append(issue)
            }
        }
        xml.line(indent - 1, "</ceb:\(spec.element)>")
        return xml.text
    }

    /// The JSON path of a decoder issue's field (`OrderList[2].qty` → `$.OrderList[1].qty`: XML lines
    /// count from 1, JSON arrays from 0; a head field `orderNo` → `$.OrderHead.orderNo`).
    public static func jsonPath(ofField field: String?, spec: MessageSpec) -> String {
        guard let field, !field.isEmpty else { return "$" }
        if let open = field.firstIndex(of: "["), let close = field.firstIndex(of: "]"), let line = Int(field[field.index(after: open)..<close]) {
            return "$.\(field[..<open])[\(line - 1)]\(field[field.index(after: close)...])"
        }
        if field.contains("/") { return "$." + field.replacingOccurrences(of: "/", with: ".") }
        return "$.\(spec.document.head.element).\(field)"
    }
}
