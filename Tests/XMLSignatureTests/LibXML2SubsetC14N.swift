import CLibXML2
import Foundation
import XMLSignature

/// libxml2's canonicalizer over a document subset: the subtree of one element, selected by XPath as
/// xmlsec1 selects a same-document reference — the oracle for the streaming canonicalizer's apex mode
/// (namespaces and `xml:` attributes inherited by the apex).
enum LibXML2SubsetC14N {
    /// The canonical form of the subtree of the first element with the expanded name of the `index`th
    /// element (1-based, document order), and that name; `nil` when the document has fewer elements.
    static func canonicalize(
        _ document: [UInt8], method: CanonicalizationMethod, elementIndex index: Int
    ) -> (apex: (namespace: String, localName: String), bytes: [UInt8])? {
        let options = Int32(XML_PARSE_NOENT.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_NONET.rawValue)
        let doc: xmlDocPtr? = document.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { xmlReadMemory($0.baseAddress, Int32($0.count), nil, nil, options) }
        }
        guard let doc else { return nil }
        defer { xmlFreeDoc(doc) }
        guard let context = xmlXPathNewContext(doc) else { return nil }
        defer { xmlXPathFreeContext(context) }
        func evaluate(_ expression: String) -> xmlXPathObjectPtr? {
            xmlXPathEvalExpression(expression, context)
        }
        guard let picked = evaluate("(//*)[\(index)]") else { return nil }
        defer { xmlXPathFreeObject(picked) }
        guard let set = picked.pointee.nodesetval, set.pointee.nodeNr == 1, let node = set.pointee.nodeTab[0] else { return nil }
        let localName = String(cString: node.pointee.name)
        let namespace = node.pointee.ns.map { String(cString: $0.pointee.href) } ?? ""
        let first = "(//*[local-name()='\(localName)' and namespace-uri()='\(namespace)'])[1]"
        guard let subset = evaluate("(//. | //@* | //namespace::*)[count(ancestor-or-self::node() | \(first)) = count(ancestor-or-self::node())]") else {
            return nil
        }
        defer { xmlXPathFreeObject(subset) }
        var output: UnsafeMutablePointer<xmlChar>?
        let mode = Int32(method.isExclusive ? XML_C14N_EXCLUSIVE_1_0.rawValue : XML_C14N_1_0.rawValue)
        let length = xmlC14NDocDumpMemory(doc, subset.pointee.nodesetval, mode, nil, method.keepsComments ? 1 : 0, &output)
        guard length >= 0, let output else { return nil }
        defer { free(output) }
        return ((namespace, localName), Array(UnsafeBufferPointer(start: output, count: Int(length))))
    }
}
